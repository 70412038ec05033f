/* Arena and output buffer. */
#include <check.h>
#include <malloc.h>
#include <string.h>

#include "internal.h"

static int cleanup_order[4], ncleanups;
static void note_cleanup(void *arg) { cleanup_order[ncleanups++] = (int)(intptr_t)arg; }

START_TEST(alloc_is_aligned_and_grows_past_first_block)
{
    rf_arena *a = rf_arena_new(0);
    for (int i = 0; i < 1000; i++) {
        char *p = rf_alloc(a, 100);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        memset(p, 'x', 100);
    }
    ck_assert_uint_eq(rf_arena_used(a), 1000 * 112);
    char *big = rf_alloc(a, 1 << 20);
    memset(big, 0, 1 << 20);
    rf_arena_free(a);
}
END_TEST

START_TEST(cleanups_run_newest_first_on_free_and_reset)
{
    rf_arena *a = rf_arena_new(0);
    ncleanups = 0;
    rf_arena_on_free(a, note_cleanup, (void *)1);
    rf_arena_on_free(a, note_cleanup, (void *)2);
    rf_arena_reset(a);
    ck_assert_int_eq(ncleanups, 2);
    ck_assert_int_eq(cleanup_order[0], 2);
    ck_assert_int_eq(cleanup_order[1], 1);
    rf_arena_on_free(a, note_cleanup, (void *)3);
    rf_arena_free(a);
    ck_assert_int_eq(ncleanups, 3);
    ck_assert_int_eq(cleanup_order[2], 3);
}
END_TEST

START_TEST(cancelled_cleanup_does_not_run)
{
    rf_arena *a = rf_arena_new(0);
    ncleanups = 0;
    rf_arena_on_free(a, note_cleanup, (void *)1);
    rf_cleanup *c = rf_arena_on_free_cancelable(a, note_cleanup, (void *)2);
    rf_cleanup_cancel(c);
    rf_arena_free(a);
    ck_assert_int_eq(ncleanups, 1);
    ck_assert_int_eq(cleanup_order[0], 1);
}
END_TEST

/* The requests of a reused arena stop calling malloc: a reset keeps the
 * block a request grew into (heap bytes in use do not change). */
static size_t heap_in_use(void)
{
    return mallinfo2().uordblks;
}

START_TEST(reset_keeps_the_grown_block)
{
    rf_arena *a = rf_arena_new(0);
    for (int i = 0; i < 3; i++)
        rf_alloc(a, 6000);
    rf_arena_on_free(a, note_cleanup, (void *)1);
    rf_arena_reset(a);
    size_t before = heap_in_use();
    for (int i = 0; i < 3; i++)
        rf_alloc(a, 6000);
    rf_arena_on_free(a, note_cleanup, (void *)1);
    ck_assert_uint_eq(heap_in_use(), before);
    rf_arena_free(a);
}
END_TEST

START_TEST(reset_gives_a_very_large_block_back)
{
    rf_arena *a = rf_arena_new(0);
    rf_alloc(a, 1 << 20);
    size_t grown = heap_in_use();
    rf_arena_reset(a);
    ck_assert_uint_lt(heap_in_use(), grown - (1 << 19));
    rf_arena_free(a);
}
END_TEST

START_TEST(limit_marks_exhausted_but_never_returns_null)
{
    rf_arena *a = rf_arena_new(1000);
    ck_assert(!rf_arena_exhausted(a));
    ck_assert_ptr_nonnull(rf_alloc(a, 800));
    ck_assert(!rf_arena_exhausted(a));
    ck_assert_ptr_nonnull(rf_alloc(a, 800));
    ck_assert(rf_arena_exhausted(a));
    rf_arena_reset(a);
    ck_assert(!rf_arena_exhausted(a));
    rf_arena_free(a);
}
END_TEST

START_TEST(strings)
{
    rf_arena *a = rf_arena_new(0);
    ck_assert_str_eq(rf_strdup(a, "abc"), "abc");
    ck_assert_str_eq(rf_strndup(a, "abcdef", 2), "ab");
    ck_assert_str_eq(rf_sprintf(a, "%d-%s", 42, "x"), "42-x");
    rf_arena_free(a);
}
END_TEST

START_TEST(buf_grows_in_arena_and_heap)
{
    rf_arena *a = rf_arena_new(0);
    rf_buf b;
    rf_buf_init(&b, a, 4);
    ck_assert_str_eq(b.data, "");
    for (int i = 0; i < 100; i++)
        rf_buf_printf(&b, "%02d,", i);
    ck_assert_uint_eq(b.len, 300);
    ck_assert(strncmp(b.data, "00,01,02,", 9) == 0);
    ck_assert_str_eq(b.data + 297, "99,");
    rf_buf_lit(&b, "end");
    rf_buf_putc(&b, '!');
    ck_assert_str_eq(b.data + 300, "end!");
    rf_arena_free(a);

    rf_buf h;
    rf_buf_init(&h, NULL, 1);
    rf_buf_puts(&h, "hello, heap");
    ck_assert_str_eq(h.data, "hello, heap");
    rf_buf_release(&h);
}
END_TEST

Suite *make_arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, alloc_is_aligned_and_grows_past_first_block);
    tcase_add_test(tc, cleanups_run_newest_first_on_free_and_reset);
    tcase_add_test(tc, cancelled_cleanup_does_not_run);
    tcase_add_test(tc, reset_keeps_the_grown_block);
    tcase_add_test(tc, reset_gives_a_very_large_block_back);
    tcase_add_test(tc, limit_marks_exhausted_but_never_returns_null);
    tcase_add_test(tc, strings);
    tcase_add_test(tc, buf_grows_in_arena_and_heap);
    suite_add_tcase(s, tc);
    return s;
}
