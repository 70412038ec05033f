/*
 * pool.h (internal): the worker thread pool, and posting work back to the
 * event loop.  This is the C form of sync_to_async: blocking hooks, password
 * hashing and SQLite queries run on pool threads; their completions run on
 * the loop thread.
 */
#ifndef RF_POOL_H
#define RF_POOL_H

#include <stdbool.h>

struct event_base;
typedef struct rf_pool rf_pool;

rf_pool *rf_pool_new(struct event_base *base, int nthreads);

/* A worker's loop has two event priorities (server.c).  What answers work
 * already under way (the pool's completions, the databases' answers) runs
 * before new requests are read, so that work in flight, such as a
 * transaction holding SQLite's write gate, finishes before more starts. */
#define RF_EVENT_PRIORITIES 2
struct event;
void rf_event_first(struct event *ev);
/* Stop the threads after the queued jobs ran; completions still pending are
 * delivered first.  Loop thread only. */
void rf_pool_free(rf_pool *p);

/* Run work(arg) on a pool thread, then done(arg) on the loop thread.  done
 * may be NULL.  From the loop thread. */
void rf_pool_submit(rf_pool *p, void (*work)(void *), void (*done)(void *), void *arg);

/* Run fn(arg) on the loop thread, soon.  From any thread. */
void rf_pool_post(rf_pool *p, void (*fn)(void *), void *arg);

/* The index (0 .. nthreads-1) of the calling pool thread; -1 elsewhere. */
int rf_pool_thread_index(void);
int rf_pool_size(const rf_pool *p);

#endif
