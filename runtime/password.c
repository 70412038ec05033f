/*
 * password.c: Django's pbkdf2_sha256 password hashes, so a Django auth_user
 * table works as is.
 *
 *   pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte PBKDF2-SHA256>
 *
 * Checking follows Django's PBKDF2PasswordHasher.verify: decode, re-encode
 * the candidate with the stored salt and iteration count, and compare the
 * two whole encoded strings in constant time.  Comparing whole strings (not
 * just digests) is what makes a non-canonical stored form ("0100"
 * iterations, padding-less base64) fail exactly where Django fails.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "restflow.h"

#define ALGORITHM "pbkdf2_sha256"
#define DIGEST_LEN 32              /* SHA-256 */
#define B64_LEN 44                 /* base64 of 32 bytes, padded */
/* Django 3.2's defaults: PBKDF2PasswordHasher.iterations and a salt of
 * ceil(128 / log2(62)) = 22 characters from [a-zA-Z0-9]. */
#define DEFAULT_ITERATIONS 260000
#define SALT_LEN 22

static const char salt_chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

bool rf_secure_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < alen; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

/* Django's decode() takes int(iterations); re-encoding writes "%d", so only
 * the canonical decimal form can ever verify.  Accept exactly that. */
static bool parse_iterations(const char *s, size_t n, int *out)
{
    if (n == 0 || n > 10 || s[0] == '0')
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

bool rf_password_parse(const char *encoded, int *iterations,
                       const char **salt, size_t *salt_len,
                       const char **hash, size_t *hash_len)
{
    if (!encoded)
        return false;
    size_t alen = sizeof ALGORITHM - 1;
    if (strncmp(encoded, ALGORITHM "$", alen + 1) != 0)
        return false;
    const char *it = encoded + alen + 1;
    const char *it_end = strchr(it, '$');
    if (!it_end)
        return false;
    const char *s = it_end + 1;
    const char *s_end = strchr(s, '$');
    /* Django's encode() refuses an empty salt, so none can verify. */
    if (!s_end || s_end == s)
        return false;
    if (!parse_iterations(it, (size_t)(it_end - it), iterations))
        return false;
    *salt = s;
    *salt_len = (size_t)(s_end - s);
    *hash = s_end + 1;               /* split('$', 3): the rest, '$' and all */
    *hash_len = strlen(*hash);
    return true;
}

static void pbkdf2_b64(const char *password, const char *salt, size_t salt_len,
                       int iterations, char out[B64_LEN + 1])
{
    unsigned char digest[DIGEST_LEN];
    if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password),
                           (const unsigned char *)salt, (int)salt_len,
                           iterations, EVP_sha256(), DIGEST_LEN, digest))
        abort();   /* only on allocation failure inside OpenSSL */
    EVP_EncodeBlock((unsigned char *)out, digest, DIGEST_LEN);
}

bool rf_password_check(const char *password, const char *encoded)
{
    int iterations;
    const char *salt, *hash;
    size_t salt_len, hash_len;
    if (!password || !rf_password_parse(encoded, &iterations, &salt, &salt_len,
                                        &hash, &hash_len))
        return false;
    char computed[B64_LEN + 1];
    pbkdf2_b64(password, salt, salt_len, iterations, computed);
    /* The prefix up to the hash was just re-derived from `encoded` itself
     * in canonical form, so comparing the hashes compares the strings. */
    return rf_secure_equal(hash, hash_len, computed, B64_LEN);
}

char *rf_password_make(rf_arena *a, const char *password, int iterations)
{
    if (iterations <= 0)
        iterations = DEFAULT_ITERATIONS;
    unsigned char random[SALT_LEN];
    if (RAND_bytes(random, sizeof random) != 1)
        abort();
    char salt[SALT_LEN + 1];
    /* 256 % 62 != 0: reject the high values rather than skew the draw. */
    for (size_t i = 0; i < SALT_LEN; i++) {
        while (random[i] >= 248)
            if (RAND_bytes(&random[i], 1) != 1)
                abort();
        salt[i] = salt_chars[random[i] % 62];
    }
    salt[SALT_LEN] = '\0';
    char hash[B64_LEN + 1];
    pbkdf2_b64(password, salt, SALT_LEN, iterations, hash);
    return rf_sprintf(a, ALGORITHM "$%d$%s$%s", iterations, salt, hash);
}
