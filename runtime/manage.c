/*
 * manage.c: migrate, createuser, createtoken.
 * Not implemented yet (persistence area, issue 4): each command says so and
 * fails until it lands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manage.h"

static const char *default_url(const rf_app *app, int i)
{
    return app->databases && app->databases[i].url ? app->databases[i].url : NULL;
}

static int index_of(const rf_app *app, const char *name, size_t len)
{
    for (int i = 0; i < app->ndatabases; i++)
        if (strlen(app->databases[i].name) == len &&
            strncmp(app->databases[i].name, name, len) == 0)
            return i;
    return -1;
}

/* "NAME=URL" names a database; a URL has ':' before any '='. */
static int named_target(const rf_app *app, const char *arg, const char **url)
{
    const char *eq = strchr(arg, '=');
    const char *colon = strchr(arg, ':');
    if (!eq || (colon && colon < eq)) {
        *url = arg;
        return 0;
    }
    *url = eq + 1;
    return index_of(app, arg, (size_t)(eq - arg));
}

bool rf_manage_resolve_urls(const rf_app *app, const char *const *args, int nargs,
                            const char **out, char *err, size_t errlen)
{
    int ndb = app->ndatabases ? app->ndatabases : 1;
    for (int i = 0; i < ndb; i++)
        out[i] = NULL;
    for (int i = 0; i < nargs; i++) {
        const char *url;
        int index = named_target(app, args[i], &url);
        if (index < 0) {
            snprintf(err, errlen, "--db %s: the spec names no such database", args[i]);
            return false;
        }
        out[index] = url;
    }
    if (!out[0])
        out[0] = getenv("DATABASE_URL");
    for (int i = 0; i < ndb; i++) {
        if (!out[i] && app->ndatabases)
            out[i] = default_url(app, i);
        if (!out[i] && i == 0)
            out[i] = rf_sprintf(rf_arena_new(0), "sqlite:%s.db", app->name);
        if (!out[i]) {
            snprintf(err, errlen, "no URL for database '%s': pass --db %s=URL",
                     app->databases[i].name, app->databases[i].name);
            return false;
        }
    }
    return true;
}

static int not_yet(const char *command)
{
    fprintf(stderr, "%s: not implemented yet\n", command);
    return 1;
}

int rf_manage_migrate(const rf_app *app, const char *const *db_urls)
{
    (void)app;
    (void)db_urls;
    return not_yet("migrate");
}

int rf_manage_createuser(const rf_app *app, const char *const *db_urls,
                         const char *username, const char *password,
                         const char *email, bool staff)
{
    (void)app;
    (void)db_urls;
    (void)username;
    (void)password;
    (void)email;
    (void)staff;
    return not_yet("createuser");
}

int rf_manage_createtoken(const rf_app *app, const char *const *db_urls,
                          const char *username, const char *key)
{
    (void)app;
    (void)db_urls;
    (void)username;
    (void)key;
    return not_yet("createtoken");
}
