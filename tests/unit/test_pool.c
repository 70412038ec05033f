/* Worker thread pool: work off the loop, completions on the loop. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>

#include <event2/event.h>

#include "restflow.h"
#include "pool.h"

#define NJOBS 200

static pthread_t loop_thread;
static atomic_int worked;
static int done_on_loop, done_off_loop;
static struct event_base *base;

static void work(void *arg)
{
    int *slot = arg;
    *slot = rf_pool_thread_index();
    atomic_fetch_add(&worked, 1);
}

static void done(void *arg)
{
    (void)arg;
    if (pthread_equal(pthread_self(), loop_thread) && rf_pool_thread_index() == -1)
        done_on_loop++;
    else
        done_off_loop++;
    if (done_on_loop + done_off_loop == NJOBS)
        event_base_loopbreak(base);
}

START_TEST(jobs_run_on_pool_threads_and_complete_on_the_loop)
{
    static int slots[NJOBS];
    loop_thread = pthread_self();
    base = event_base_new();
    rf_pool *p = rf_pool_new(base, 3);
    ck_assert_int_eq(rf_pool_size(p), 3);
    for (int i = 0; i < NJOBS; i++)
        rf_pool_submit(p, work, done, &slots[i]);
    event_base_dispatch(base);
    ck_assert_int_eq(atomic_load(&worked), NJOBS);
    ck_assert_int_eq(done_on_loop, NJOBS);
    ck_assert_int_eq(done_off_loop, 0);
    for (int i = 0; i < NJOBS; i++)
        ck_assert(slots[i] >= 0 && slots[i] < 3);
    rf_pool_free(p);
    event_base_free(base);
}
END_TEST

static int posted;
static void on_posted(void *arg)
{
    posted += (int)(intptr_t)arg;
    event_base_loopbreak(base);
}
static void post_from_thread(void *arg)
{
    rf_pool_post(arg, on_posted, (void *)7);
}

START_TEST(post_from_a_pool_thread_runs_on_the_loop)
{
    base = event_base_new();
    rf_pool *p = rf_pool_new(base, 1);
    rf_pool_submit(p, post_from_thread, NULL, p);
    event_base_dispatch(base);
    ck_assert_int_eq(posted, 7);
    rf_pool_free(p);
    event_base_free(base);
}
END_TEST

Suite *make_pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, jobs_run_on_pool_threads_and_complete_on_the_loop);
    tcase_add_test(tc, post_from_a_pool_thread_runs_on_the_loop);
    suite_add_tcase(s, tc);
    return s;
}
