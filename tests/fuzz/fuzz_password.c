/*
 * fuzz_password: Django's password hashes and the credentials a client
 * sends.  The input's first byte picks the part, the rest is its text:
 *
 *   0  an encoded hash as auth_user stores it (rf_password_parse, and
 *      rf_password_check against it when its iteration count is small
 *      enough to keep the fuzzer fast);
 *   1  a password: hashed with rf_password_make, it must check, and the
 *      same password with one more byte must not;
 *   2  an Authorization header, read by TokenAuthentication and
 *      BasicAuthentication (rf_token_parse, rf_basic_parse): the key has
 *      no whitespace and is UTF-8; the username has no ':'; both are UTF-8.
 *
 * fuzz-links: @runtime
 * fuzz-libs: $(PKG_LIBS)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* PBKDF2 costs per iteration; beyond this the fuzzer would crawl. */
#define MAX_CHECKED_ITERATIONS 64

static void check_hash(const char *encoded)
{
    int iterations;
    const char *salt, *hash;
    size_t salt_len, hash_len;
    if (!rf_password_parse(encoded, &iterations, &salt, &salt_len, &hash, &hash_len))
        return;
    if (iterations <= 0 || salt_len == 0 || salt < encoded || hash + hash_len != encoded + strlen(encoded))
        abort();
    if (iterations <= MAX_CHECKED_ITERATIONS)
        rf_password_check("secret", encoded);
}

static void check_password(rf_arena *a, const char *password)
{
    char *encoded = rf_password_make(a, password, 1 + (int)(strlen(password) % 3));
    char *longer = rf_sprintf(a, "%sx", password);
    if (!rf_password_check(password, encoded) || rf_password_check(longer, encoded))
        abort();
}

static bool has_space(rf_str s)
{
    for (size_t i = 0; i < s.n; i++)
        if (s.s[i] == ' ' || (s.s[i] >= '\t' && s.s[i] <= '\r'))
            return true;
    return false;
}

static void check_header(rf_arena *a, const char *header)
{
    rf_str key, user, password;
    const char *detail;
    if (rf_token_parse(header, &key, &detail) == RF_AUTH_CREDENTIALS &&
        (key.n == 0 || has_space(key) || !rf_utf8_valid(key.s, key.n)))
        abort();
    if (rf_basic_parse(a, header, &user, &password, &detail) == RF_AUTH_CREDENTIALS &&
        (memchr(user.s, ':', user.n) || !rf_utf8_valid(user.s, user.n) ||
         !rf_utf8_valid(password.s, password.n)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    rf_arena *a = rf_arena_new(0);
    /* Every part reads C strings: the text ends at the first NUL. */
    char *text = rf_strndup(a, (const char *)data + 1, size - 1);
    switch (data[0] % 3) {
    case 0: check_hash(text); break;
    case 1: check_password(a, text); break;
    case 2: check_header(a, text); break;
    }
    rf_arena_free(a);
    return 0;
}
