/*
 * manage.h (internal, persistence area): the management commands of every
 * generated server, in the manner of Django's manage.py.  The core's
 * rf_main parses the command line and calls these; each returns the process
 * exit status (0 success, 1 failure with the reason on stderr).
 *
 * db_urls: one URL per app database (app->ndatabases entries, in the
 * order of app->databases), as rf_manage_resolve_urls produced them.
 */
#ifndef RF_MANAGE_H
#define RF_MANAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "restflow.h"

struct event_base;

/* Resolve the database URLs from the `--db` arguments (each "URL" for the
 * default database, or "NAME=URL"), then $DATABASE_URL for the default
 * database, then the spec's defaults; the default database falls back to
 * "sqlite:<app name>.db".  out has app->ndatabases entries (pointers into
 * args, the environment or the app).  False with a message in err when a
 * name is unknown or a database is left without a URL. */
bool rf_manage_resolve_urls(const rf_app *app, const char *const *args, int nargs,
                            const char **out, char *err, size_t errlen);

/* Create the tables and indexes that are missing, in every database:
 * the app's schema (rf_app.schema_sql) and the built-in user and token
 * tables.  Safe to run again. */
int rf_manage_migrate(const rf_app *app, const char *const *db_urls);

/* The same on databases a worker has open, on its loop, before it serves;
 * quiet unless something fails.  For in-memory SQLite, where each
 * connection set is a database of its own: `serve --migrate` must create
 * the tables in the worker's own databases (rf_manage_migrate would create
 * them in a database that vanishes when it returns).  File and PostgreSQL
 * databases are better migrated once, before the workers fork. */
int rf_manage_migrate_dbs(const rf_app *app, struct event_base *base, rf_db *const *dbs);

/* createuser NAME --password P [--email E] [--staff] */
int rf_manage_createuser(const rf_app *app, const char *const *db_urls,
                         const char *username, const char *password,
                         const char *email, bool staff);

/* createtoken NAME [--key KEY]: prints the user's token key on stdout. */
int rf_manage_createtoken(const rf_app *app, const char *const *db_urls,
                          const char *username, const char *key);

#endif
