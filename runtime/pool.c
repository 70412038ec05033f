/*
 * pool.c: a fixed set of worker threads fed from one queue, and a
 * completion queue drained on the loop thread.
 *
 * Completions wake the loop through an eventfd registered with libevent; a
 * wake-up drains every completion queued so far, so a burst costs one
 * syscall pair, not one per job.  Finished jobs are kept for reuse (under
 * the lock already taken to queue them), so a steady load allocates none.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <event2/event.h>

#include "pool.h"

typedef struct job {
    struct job *next;
    void (*work)(void *);
    void (*done)(void *);
    void *arg;
} job;

typedef struct queue {
    job *head, *tail;
} queue;

#define SPARE_JOBS_MAX 256

struct rf_pool {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    queue jobs;           /* waiting for a thread */
    queue completed;      /* waiting for the loop */
    job *spare;           /* finished jobs, for reuse */
    int nspare;
    bool stopping;
    int nthreads;
    pthread_t *threads;
    int wake_fd;
    struct event *wake_ev;
};

static _Thread_local int thread_index = -1;

static void queue_push(queue *q, job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static job *queue_take_all(queue *q)
{
    job *all = q->head;
    q->head = q->tail = NULL;
    return all;
}

static job *queue_pop(queue *q)
{
    job *j = q->head;
    if (j) {
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
    }
    return j;
}

static void wake_loop(rf_pool *p)
{
    uint64_t one = 1;
    while (write(p->wake_fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

/* Queue a job for the loop; wake it only when the queue was empty, since a
 * non-empty queue means a wake-up is already on its way. */
static void complete(rf_pool *p, job *j)
{
    pthread_mutex_lock(&p->lock);
    bool was_empty = p->completed.head == NULL;
    queue_push(&p->completed, j);
    pthread_mutex_unlock(&p->lock);
    if (was_empty)
        wake_loop(p);
}

typedef struct thread_arg {
    rf_pool *pool;
    int index;
} thread_arg;

static void *worker_main(void *arg)
{
    thread_arg *ta = arg;
    rf_pool *p = ta->pool;
    thread_index = ta->index;
    free(ta);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        job *j;
        while (!(j = queue_pop(&p->jobs)) && !p->stopping)
            pthread_cond_wait(&p->ready, &p->lock);
        if (!j)
            break;
        pthread_mutex_unlock(&p->lock);
        j->work(j->arg);
        complete(p, j);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Keep finished jobs up to SPARE_JOBS_MAX; free the rest (caller holds
 * the lock). */
static void keep_spares(rf_pool *p, job *done)
{
    while (done) {
        job *next = done->next;
        if (p->nspare < SPARE_JOBS_MAX) {
            done->next = p->spare;
            p->spare = done;
            p->nspare++;
        } else {
            free(done);
        }
        done = next;
    }
}

static void drain_completions(rf_pool *p)
{
    pthread_mutex_lock(&p->lock);
    job *all = queue_take_all(&p->completed);
    pthread_mutex_unlock(&p->lock);
    for (job *j = all; j; j = j->next)
        if (j->done)
            j->done(j->arg);
    pthread_mutex_lock(&p->lock);
    keep_spares(p, all);
    pthread_mutex_unlock(&p->lock);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    uint64_t n;
    while (read(fd, &n, sizeof n) < 0 && errno == EINTR)
        ;
    drain_completions(arg);
}

void rf_event_first(struct event *ev)
{
    event_priority_set(ev, 0);
}

rf_pool *rf_pool_new(struct event_base *base, int nthreads)
{
    rf_pool *p = calloc(1, sizeof *p);
    if (!p)
        abort();
    if (nthreads < 1)
        nthreads = 1;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->ready, NULL);
    p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->wake_fd < 0)
        abort();
    p->wake_ev = event_new(base, p->wake_fd, EV_READ | EV_PERSIST, on_wake, p);
    rf_event_first(p->wake_ev);
    event_add(p->wake_ev, NULL);
    p->nthreads = nthreads;
    p->threads = calloc((size_t)nthreads, sizeof *p->threads);
    for (int i = 0; i < nthreads; i++) {
        thread_arg *ta = malloc(sizeof *ta);
        ta->pool = p;
        ta->index = i;
        if (pthread_create(&p->threads[i], NULL, worker_main, ta) != 0)
            abort();
    }
    return p;
}

void rf_pool_free(rf_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->ready);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    drain_completions(p);
    while (p->spare) {
        job *j = p->spare;
        p->spare = j->next;
        free(j);
    }
    event_free(p->wake_ev);
    close(p->wake_fd);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
}

/* A job from the spares, or a new one (caller holds the lock). */
static job *job_new(rf_pool *p, void (*work)(void *), void (*done)(void *), void *arg)
{
    job *j = p->spare;
    if (j) {
        p->spare = j->next;
        p->nspare--;
    } else if (!(j = malloc(sizeof *j))) {
        abort();
    }
    j->work = work;
    j->done = done;
    j->arg = arg;
    return j;
}

/* The signal comes after the unlock: a thread woken while the lock is
 * still held (at once, on a busy core) would only block on it again, two
 * more futex calls and context switches per job. */
void rf_pool_submit(rf_pool *p, void (*work)(void *), void (*done)(void *), void *arg)
{
    pthread_mutex_lock(&p->lock);
    queue_push(&p->jobs, job_new(p, work, done, arg));
    pthread_mutex_unlock(&p->lock);
    pthread_cond_signal(&p->ready);
}

void rf_pool_post(rf_pool *p, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&p->lock);
    job *j = job_new(p, NULL, fn, arg);
    pthread_mutex_unlock(&p->lock);
    complete(p, j);
}

int rf_pool_thread_index(void)
{
    return thread_index;
}

int rf_pool_size(const rf_pool *p)
{
    return p->nthreads;
}
