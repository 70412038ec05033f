/*
 * fixture.h: the database behavioural suite's shared pieces: hand-written
 * resource descriptors (what the compiler will emit for a small shop), the
 * tables for each dialect, and helpers that run a statement and wait.
 *
 * The suite runs against whatever databases the environment names:
 *   RF_TEST_DB    the main database (products, owners, reviews)
 *   RF_TEST_DB2   a second database (reviews only: PostFetch from another
 *                 database; SQLite and PostgreSQL may be mixed)
 *   RF_TEST_PG_CLUSTER  a tests/pg/cluster.sh directory: enables the
 *                 outage tests, which stop and restart that server
 * tests/db/run.sh sets them for `make db-tests-sqlite` / `db-tests-pg`.
 */
#ifndef RF_TEST_DB_FIXTURE_H
#define RF_TEST_DB_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "db_internal.h"
#include "testing.h"

typedef struct t_owner {
    uint8_t rf_state[2];
    int64_t id;
    const char *username;
} t_owner;

typedef struct t_product {
    uint8_t rf_state[10];
    int64_t id;
    const char *name;
    const char *price;          /* DecimalField(max_digits=10, decimal_places=2) */
    bool is_top;
    int64_t owner;              /* ForeignKey(Owner, SET_NULL, null) */
    int64_t created_at;
    int32_t released;           /* DateField(null) */
    double weight;              /* FloatField(null) */
    const char *meta;           /* JSONField(null) */
    const char *uid;            /* UUIDField(null) */
} t_product;

typedef struct t_review {
    uint8_t rf_state[5];
    int64_t id;
    int64_t product;            /* ForeignKey(Product, CASCADE) */
    int64_t rating;
    const char *comment;
    int64_t created_at;
} t_review;

enum { P_ID, P_NAME, P_PRICE, P_IS_TOP, P_OWNER, P_CREATED_AT, P_RELEASED, P_WEIGHT,
       P_META, P_UID };
enum { R_ID, R_PRODUCT, R_RATING, R_COMMENT, R_CREATED_AT };

extern const rf_resource t_owner_res, t_product_res, t_review_res, t_review2_res;
extern const rf_field t_owner_fields[], t_product_fields[], t_review_fields[];

/* The databases of the environment, opened on the test's env. */
typedef struct fx {
    rf_test_env *env;
    rf_db *db, *db2;            /* RF_TEST_DB, RF_TEST_DB2 */
    rf_ctx *ctx;                /* a request to run statements in */
} fx;

extern fx F;

/* Check fixtures: open both databases and (re)create the tables. */
void fx_setup(void);
void fx_teardown(void);

/* An answer to wait for (fx_wait(&a.done)): fx_answered is its
 * callback. */
typedef struct fx_answer {
    bool done;
    rf_result *res;
} fx_answer;
void fx_answered(rf_ctx *ctx, rf_result *res, void *arg);

/* Run one statement (same text in both dialects) in ctx and wait for it. */
rf_result *fx_exec_in(rf_ctx *ctx, rf_db *db, const char *sql, const rf_value *p, int n);
rf_result *fx_exec(rf_db *db, const char *sql, const rf_value *p, int n);
/* As fx_exec, with SQL per dialect. */
rf_result *fx_exec2(rf_db *db, const char *sqlite, const char *pg,
                    const rf_value *p, int n);
/* Begin, commit, rollback in ctx, waiting. */
rf_result *fx_begin(rf_ctx *ctx, rf_db *db);
rf_result *fx_commit(rf_ctx *ctx, rf_db *db);
rf_result *fx_rollback(rf_ctx *ctx, rf_db *db);
/* A fresh request context. */
rf_ctx *fx_ctx(void);
/* Run the loop until *flag. */
void fx_wait(bool *flag);

/* Insert rows; the new id. */
int64_t fx_owner(const char *username);
int64_t fx_product(const char *name, const char *price, int64_t owner, int64_t created_at);
int64_t fx_review(rf_db *db, int64_t product, int rating, const char *comment,
                  int64_t created_at);
/* SELECT COUNT(*) of a table. */
int64_t fx_count(rf_db *db, const char *table);

/* Finalize ctx's response and check its status and exact body. */
void fx_expect_response(rf_ctx *ctx, int status, const char *body);

/* The Postgres cluster of the outage tests, or NULL. */
const char *fx_pg_cluster(void);
/* Run tests/pg/cluster.sh CMD on it. */
void fx_cluster(const char *cmd);

Suite *make_db_core_suite(void);
Suite *make_db_query_suite(void);
Suite *make_db_postfetch_suite(void);
Suite *make_db_concurrency_suite(void);
Suite *make_db_outage_suite(void);
Suite *make_db_manage_suite(void);
Suite *make_db_groups_suite(void);

#endif
