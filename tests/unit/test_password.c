/*
 * test_password.c: Django's pbkdf2_sha256 hashes, against hashes Django's
 * own hasher made and verdicts its check_password gave.
 */
#include <stdlib.h>

#include "policy_test.h"

START_TEST(django_hashes_verify)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("passwords"), i, v) {
        const char *pw = vstr(v, "password"), *enc = vstr(v, "encoded");
        ck_assert_msg(rf_password_check(pw, enc), "%s should verify", enc);
        int iterations;
        const char *salt, *hash;
        size_t salt_len, hash_len;
        ck_assert(rf_password_parse(enc, &iterations, &salt, &salt_len, &hash, &hash_len));
        ck_assert_int_eq(iterations, vint(v, "iterations"));
        ck_assert_uint_eq(salt_len, strlen(vstr(v, "salt")));
        ck_assert(strncmp(salt, vstr(v, "salt"), salt_len) == 0);
        ck_assert_uint_eq(hash_len, 44);
    }
}
END_TEST

START_TEST(check_password_verdicts_match_django)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("password_checks"), i, v) {
        const char *pw = vstr(v, "password"), *enc = vstr(v, "encoded");
        ck_assert_msg(rf_password_check(pw, enc) == vbool(v, "ok"),
                      "check(%s, %s) should be %d", pw, enc, vbool(v, "ok"));
    }
}
END_TEST

START_TEST(made_hashes_verify_and_use_a_fresh_salt)
{
    rf_arena *a = rf_arena_new(0);
    char *one = rf_password_make(a, "s3cret", 3);
    char *two = rf_password_make(a, "s3cret", 3);
    ck_assert(strncmp(one, "pbkdf2_sha256$3$", 16) == 0);
    ck_assert_str_ne(one, two);
    ck_assert(rf_password_check("s3cret", one));
    ck_assert(!rf_password_check("s3cret!", one));
    int it;
    const char *salt, *hash;
    size_t salt_len, hash_len;
    ck_assert(rf_password_parse(one, &it, &salt, &salt_len, &hash, &hash_len));
    ck_assert_uint_eq(salt_len, 22);   /* Django 3.2: 128 bits over [a-zA-Z0-9] */
    for (size_t k = 0; k < salt_len; k++)
        ck_assert(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                         salt[k]) != NULL);
    rf_arena_free(a);
}
END_TEST

START_TEST(default_iterations_are_djangos)
{
    rf_arena *a = rf_arena_new(0);
    char *enc = rf_password_make(a, "x", 0);
    ck_assert(strncmp(enc, "pbkdf2_sha256$260000$", 21) == 0);
    ck_assert(rf_password_check("x", enc));
    rf_arena_free(a);
}
END_TEST

START_TEST(malformed_encodings_do_not_parse)
{
    static const char *const bad[] = {
        "", "pbkdf2_sha256", "pbkdf2_sha256$", "pbkdf2_sha256$1$salt",
        "pbkdf2_sha256$$salt$hash", "pbkdf2_sha256$01$salt$hash",
        "pbkdf2_sha256$x$salt$hash", "pbkdf2_sha256$-1$salt$hash",
        "pbkdf2_sha256$1$$hash", "pbkdf2_sha256$99999999999$s$h", "md5$1$s$h",
        "!unusable",
    };
    int it;
    const char *salt, *hash;
    size_t sl, hl;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!rf_password_parse(bad[i], &it, &salt, &sl, &hash, &hl), "%s", bad[i]);
    ck_assert(!rf_password_check(NULL, "pbkdf2_sha256$1$s$h"));
    ck_assert(!rf_password_check("x", NULL));
}
END_TEST

START_TEST(secure_equal_compares_bytes_and_lengths)
{
    ck_assert(rf_secure_equal("abc", 3, "abc", 3));
    ck_assert(!rf_secure_equal("abc", 3, "abd", 3));
    ck_assert(!rf_secure_equal("abc", 3, "abcd", 4));
    ck_assert(rf_secure_equal("a\0b", 3, "a\0b", 3));
    ck_assert(!rf_secure_equal("a\0b", 3, "a\0c", 3));
    ck_assert(rf_secure_equal("", 0, "", 0));
}
END_TEST

Suite *make_password_suite(void)
{
    Suite *s = suite_create("password");
    TCase *tc = tcase_create("password");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, django_hashes_verify);
    tcase_add_test(tc, check_password_verdicts_match_django);
    tcase_add_test(tc, made_hashes_verify_and_use_a_fresh_salt);
    tcase_add_test(tc, default_iterations_are_djangos);
    tcase_add_test(tc, malformed_encodings_do_not_parse);
    tcase_add_test(tc, secure_equal_compares_bytes_and_lengths);
    suite_add_tcase(s, tc);
    return s;
}
