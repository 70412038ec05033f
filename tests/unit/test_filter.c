/*
 * test_filter.c: the filter backends.  Cleaning of filterset values, search
 * terms and ordering against what django-filter and DRF answered
 * (tests/vectors/policy.json); the SQL the backends add; and whole requests
 * against a SQLite database, where the rows returned and the 400 bodies
 * are checked.
 */
#include <stdlib.h>

#include "policy_test.h"
#include "testing.h"

/* ---------------------------------------------------------------------
 * Fields shaped like the generator's model.
 */
static const rf_choice int_choices[] = { { "1", "one" }, { "2", "two" } };
static const rf_choice str_choices[] = { { "a", "A" }, { "bb", "B" } };

static const rf_field user_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = 8 },
};
static const rf_resource users = {
    .name = "User", .table = "auth_user", .fields = user_fields, .nfields = 1,
    .rec_size = 16, .select_columns = "t.\"id\"",
};

static const rf_field *vector_field(const char *name)
{
    static const rf_field fields[] = {
        { .name = "i", .column = "i", .type = RF_F_INTEGER },
        { .name = "f", .column = "f", .type = RF_F_FLOAT },
        { .name = "d", .column = "d", .type = RF_F_DECIMAL,
          .limits = { .max_digits = 8, .decimal_places = 2 } },
        { .name = "b", .column = "b", .type = RF_F_BOOLEAN },
        { .name = "c", .column = "c", .type = RF_F_CHAR, .limits = { .max_length = 5 } },
        { .name = "u", .column = "u", .type = RF_F_UUID },
        { .name = "da", .column = "da", .type = RF_F_DATE },
        { .name = "dt", .column = "dt", .type = RF_F_DATETIME },
        { .name = "ci", .column = "ci", .type = RF_F_INTEGER,
          .limits = { .choices = int_choices, .nchoices = 2 } },
        { .name = "cs", .column = "cs", .type = RF_F_CHAR,
          .limits = { .choices = str_choices, .nchoices = 2 } },
        { .name = "fk", .column = "fk_id", .type = RF_F_FOREIGNKEY, .fk_target = &users },
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    ck_abort_msg("no field %s", name);
    return NULL;
}

/* The cleaned value as the generator wrote it (what Django binds). */
static void check_value(rf_arena *a, const json_t *v, const rf_cleaned *c)
{
    const json_t *want = json_object_get(v, "expect");
    const char *what = vstr(v, "expect");
    switch (c->value.type) {
    case RF_V_INT: case RF_V_DATE: case RF_V_DATETIME:
        ck_assert_msg(c->value.u.i == json_integer_value(want), "%s", vstr(v, "field"));
        break;
    case RF_V_BOOL:
        ck_assert(c->value.u.i == json_is_true(want));
        break;
    case RF_V_FLOAT: {
        rf_buf b;
        rf_buf_init(&b, a, 32);
        rf_json_f64(&b, c->value.u.f);
        ck_assert_str_eq(buf_text(&b), what);
        break;
    }
    default:
        ck_assert_str_eq(c->value.u.s, what);
    }
}

START_TEST(values_clean_as_django_filter)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("filter_values"), i, v) {
        rf_arena *a = rf_arena_new(0);
        const rf_field *f = vector_field(vstr(v, "field"));
        rf_str raw = vbytes(v, "value");
        rf_cleaned c = rf_filter_clean(a, f, &raw);
        const char *outcome = vstr(v, "outcome");
        const char *label = rf_sprintf(a, "%s=%s", f->name, vstr(v, "value"));
        if (f->type == RF_F_FOREIGNKEY && c.outcome == RF_CLEAN_CHECK_FK) {
            /* Well formed: whether the key exists is the database's answer
             * (the generator's users are 1 and 2; the SQLite tests below). */
            bool exists = c.value.u.i == 1 || c.value.u.i == 2;
            ck_assert_msg(strcmp(outcome, exists ? "value" : "error") == 0, "%s", label);
            if (exists)
                ck_assert_int_eq(c.value.u.i, vint(v, "expect"));
        } else if (strcmp(outcome, "error") == 0) {
            ck_assert_msg(c.outcome == RF_CLEAN_ERROR, "%s: outcome %d", label, c.outcome);
            json_t *errors = json_object_get(v, "errors");
            ck_assert_int_eq(json_array_size(errors), 1);
            ck_assert_str_eq(c.error, json_string_value(json_array_get(errors, 0)));
        } else if (strcmp(outcome, "skip") == 0) {
            ck_assert_msg(c.outcome == RF_CLEAN_SKIP, "%s: outcome %d", label, c.outcome);
        } else if (strcmp(outcome, "nothing") == 0) {
            ck_assert_msg(c.outcome == RF_CLEAN_NOTHING, "%s: outcome %d", label, c.outcome);
        } else {
            ck_assert_msg(c.outcome == RF_CLEAN_VALUE, "%s: outcome %d (%s)", label,
                          c.outcome, c.error ? c.error : "");
            check_value(a, v, &c);
        }
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(search_terms_split_as_drf)
{
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("search_terms"), i, v) {
        rf_arena *a = rf_arena_new(0);
        rf_str in = vbytes(v, "in");
        rf_str *terms;
        int n = rf_search_terms(a, &in, &terms);
        json_t *want = json_object_get(v, "terms");
        ck_assert_int_eq(n, (int)json_array_size(want));
        for (int k = 0; k < n; k++) {
            json_t *w = json_array_get(want, (size_t)k);
            ck_assert(terms[k].n == json_string_length(w) &&
                      memcmp(terms[k].s, json_string_value(w), terms[k].n) == 0);
        }
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(ordering_resolves_as_drf)
{
    static const rf_field fields[] = {
        { .name = "id", .column = "id", .type = RF_F_AUTO },
        { .name = "pos", .column = "pos", .type = RF_F_INTEGER },
    };
    static const rf_field *const allowed[] = { &fields[1], &fields[0] };
    static const rf_order dflt[] = { { &fields[0], true } };
    rf_filters f = { .backends = RF_FILTER_ORDERING, .ordering_fields = allowed,
                     .nordering_fields = 2, .ordering = dflt, .nordering = 1 };
    size_t i;
    json_t *v;
    json_array_foreach(policy_section("orderings"), i, v) {
        rf_arena *a = rf_arena_new(0);
        rf_qs qs = { NULL, 0 };
        if (!json_is_null(json_object_get(v, "in")))
            qs = rf_qs_with(a, &qs, "ordering", vstr(v, "in"));
        const rf_order *order;
        int n;
        rf_ordering_resolve(a, &f, NULL, &qs, &order, &n);
        rf_buf b;
        rf_buf_init(&b, a, 32);
        for (int k = 0; k < n; k++)
            rf_buf_printf(&b, "%s%s%s", k ? "," : "", order[k].desc ? "-" : "",
                          order[k].field->name);
        rf_buf want;
        rf_buf_init(&want, a, 32);
        size_t k;
        json_t *w;
        json_array_foreach(json_object_get(v, "out"), k, w)
            rf_buf_printf(&want, "%s%s", k ? "," : "", json_string_value(w));
        ck_assert_str_eq(buf_text(&b), buf_text(&want));
        rf_arena_free(a);
    }
}
END_TEST

START_TEST(search_sql_binds_every_term)
{
    static const rf_field name = { .name = "name", .column = "name", .type = RF_F_CHAR };
    static const rf_field slug = { .name = "slug", .column = "slug", .type = RF_F_SLUG };
    static const rf_search_field fields[] = { { &name, 0 }, { &slug, '^' }, { &slug, '=' },
                                              { &name, '$' } };
    rf_filters f = { .backends = RF_FILTER_SEARCH, .search_fields = fields,
                     .nsearch_fields = 3 };
    rf_arena *a = rf_arena_new(0);
    rf_str terms[] = { { "50%_off", 7 }, { "a\\b", 3 } };
    char *sql;
    rf_value *params;
    int n;
    ck_assert(rf_search_sql(a, &f, RF_SQLITE, terms, 2, &sql, &params, &n));
    const char *like = "UPPER(CAST(t.\"%s\" AS TEXT)) LIKE UPPER(?) ESCAPE '\\'";
    char *one = rf_sprintf(a, "(%s OR %s OR %s)", rf_sprintf(a, like, "name"),
                           rf_sprintf(a, like, "slug"), rf_sprintf(a, like, "slug"));
    ck_assert_str_eq(sql, rf_sprintf(a, "%s AND %s", one, one));
    ck_assert_int_eq(n, 6);
    ck_assert_str_eq(params[0].u.s, "%50\\%\\_off%");
    ck_assert_str_eq(params[1].u.s, "50\\%\\_off%");
    ck_assert_str_eq(params[2].u.s, "50\\%\\_off");
    ck_assert_str_eq(params[3].u.s, "%a\\\\b%");
    /* $ (iregex): PostgreSQL's ~*, SQLite's rf_iregexp (sqlite_regexp.c). */
    f.nsearch_fields = 4;
    ck_assert(rf_search_sql(a, &f, RF_SQLITE, terms, 1, &sql, &params, &n));
    ck_assert(strstr(sql, " OR rf_iregexp(?, CAST(t.\"name\" AS TEXT)))") != NULL);
    ck_assert_str_eq(params[3].u.s, "50%_off");
    ck_assert(rf_search_sql(a, &f, RF_POSTGRES, terms, 1, &sql, &params, &n));
    ck_assert(strstr(sql, " OR CAST(t.\"name\" AS TEXT) ~* ?)") != NULL);
    ck_assert_str_eq(params[3].u.s, "50%_off");
    rf_arena_free(a);
}
END_TEST

/* ---------------------------------------------------------------------
 * Requests against SQLite.
 */
typedef struct thing {
    uint8_t rf_state[6];
    int64_t id;
    const char *name;
    const char *price;
    bool is_top;
    int64_t owner;
    const char *kind;
} thing;

static const rf_field thing_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = 0,
      .offset = offsetof(thing, id) },
    { .name = "name", .column = "name", .type = RF_F_CHAR, .index = 1,
      .offset = offsetof(thing, name), .limits = { .max_length = 50 } },
    { .name = "price", .column = "price", .type = RF_F_DECIMAL, .index = 2,
      .offset = offsetof(thing, price), .limits = { .max_digits = 8, .decimal_places = 2 } },
    { .name = "is_top", .column = "is_top", .type = RF_F_BOOLEAN, .index = 3,
      .offset = offsetof(thing, is_top) },
    { .name = "owner", .column = "owner_id", .type = RF_F_FOREIGNKEY, .index = 4,
      .offset = offsetof(thing, owner), .flags = RF_FF_NULL, .fk_target = &users },
    { .name = "kind", .column = "kind", .type = RF_F_CHAR, .index = 5,
      .offset = offsetof(thing, kind), .limits = { .choices = str_choices, .nchoices = 2 } },
};
static const rf_resource things = {
    .name = "Thing", .table = "things", .fields = thing_fields, .nfields = 6,
    .rec_size = sizeof(thing),
    .select_columns = "t.\"id\", t.\"name\", t.\"price\", t.\"is_top\", t.\"owner_id\", t.\"kind\"",
};

static const rf_field *const filterset[] = { &thing_fields[3], &thing_fields[2],
                                             &thing_fields[4], &thing_fields[5] };
static const rf_search_field searchable[] = { { &thing_fields[1], 0 },
                                              { &thing_fields[5], '=' } };
static const rf_field *const orderable[] = { &thing_fields[2], &thing_fields[0],
                                             &thing_fields[1] };
static const rf_order by_id_desc[] = { { &thing_fields[0], true } };
static const uint8_t backend_order[] = { RF_FILTER_DJANGO, RF_FILTER_SEARCH,
                                         RF_FILTER_ORDERING };
static const rf_filters thing_filters = {
    .backends = RF_FILTER_DJANGO | RF_FILTER_SEARCH | RF_FILTER_ORDERING,
    .order = backend_order, .norder = 3,
    .filterset_fields = filterset, .nfilterset_fields = 4,
    .search_fields = searchable, .nsearch_fields = 2,
    .ordering_fields = orderable, .nordering_fields = 3,
    .ordering = by_id_desc, .nordering = 1,
};
static const rf_view thing_view = { .name = "Things", .kind = RF_VIEW_GENERIC,
                                    .model = &things, .filters = &thing_filters };

static rf_test_env *env;

static void setup_db(void)
{
    policy_db_open("filter");
    env = policy_env;
    policy_db_exec("DROP TABLE IF EXISTS things", NULL, 0);
    policy_db_exec("DROP TABLE IF EXISTS authtoken_token", NULL, 0);
    policy_db_exec("DROP TABLE IF EXISTS auth_user", NULL, 0);
    policy_db_exec("CREATE TABLE auth_user (id INTEGER PRIMARY KEY, username TEXT)", NULL, 0);
    policy_db_exec("INSERT INTO auth_user VALUES (1, 'one'), (2, 'two')", NULL, 0);
    policy_db_exec("CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, "
                   "price DECIMAL(8, 2), is_top BOOLEAN, owner_id INTEGER, kind TEXT)", NULL, 0);
    policy_db_exec("INSERT INTO things VALUES (1, 'Red apple', 1.50, TRUE, 1, 'a'), "
                   "(2, 'green APPLE', 2.00, FALSE, 2, 'bb'), "
                   "(3, 'Banana_split', 2.00, TRUE, 1, 'a'), "
                   "(4, '100% juice', 3.25, FALSE, NULL, 'bb'), "
                   "(5, 'Cherry', 10.00, TRUE, 2, 'a')", NULL, 0);
}

typedef struct fetched {
    rf_buf ids;
} fetched;

static void on_rows(rf_ctx *ctx, rf_db_error err, rf_rowset *rows, void *arg)
{
    fetched *f = arg;
    ck_assert_int_eq(err, RF_DB_OK);
    for (int i = 0; i < rows->n; i++)
        rf_buf_printf(&f->ids, "%s%lld", i ? "," : "", (long long)((thing *)rows->rows[i].rec)->id);
    test_k(ctx, RF_OK);
}

/* Filter with f and fetch: the ids in order, or "<status> <body>". */
static const char *list_with(const rf_filters *f, const char *target)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET, .target = target,
                                                        .view = &thing_view });
    rf_query *q = rf_query_new(ctx, &things);
    static char out[512];
    struct event_base *base = rf_test_env_base(env);
    rf_rc rc = test_wait(base, rf_filters_apply_async(ctx, f, q, test_k));
    if (rc != RF_OK) {
        snprintf(out, sizeof out, "%d %s", rf_test_status(ctx), rf_test_body(ctx));
    } else {
        fetched f;
        rf_buf_init(&f.ids, rf_ctx_arena(ctx), 32);
        test_wait(base, rf_query_fetch(ctx, q, on_rows, &f));
        snprintf(out, sizeof out, "%s", buf_text(&f.ids));
    }
    rf_test_ctx_free(ctx);
    return out;
}

static const char *list(const char *target)
{
    return list_with(&thing_filters, target);
}

START_TEST(filterset_values_filter_rows)
{
    ck_assert_str_eq(list("/things/"), "5,4,3,2,1");
    ck_assert_str_eq(list("/things/?is_top=true"), "5,3,1");
    ck_assert_str_eq(list("/things/?is_top=0"), "4,2");
    ck_assert_str_eq(list("/things/?is_top=yes"), "5,4,3,2,1");
    ck_assert_str_eq(list("/things/?price=2"), "3,2");
    ck_assert_str_eq(list("/things/?price=%202.000%20&is_top=1"), "3");
    ck_assert_str_eq(list("/things/?price=1e1"), "5");
    ck_assert_str_eq(list("/things/?owner=1"), "3,1");
    ck_assert_str_eq(list("/things/?owner=+2&kind=a"), "5");
    ck_assert_str_eq(list("/things/?owner="), "5,4,3,2,1");
}
END_TEST

START_TEST(bad_values_answer_400_in_field_order)
{
    ck_assert_str_eq(list("/things/?price=abc"), "400 {\"price\":[\"Enter a number.\"]}");
    ck_assert_str_eq(list("/things/?owner=99"),
                     "400 {\"owner\":[\"Select a valid choice. That choice is not one of "
                     "the available choices.\"]}");
    ck_assert_str_eq(list("/things/?kind=c&owner=x&price=1e51&is_top=maybe"),
                     "400 {\"price\":[\"Ensure this value is less than or equal to 1e+50.\"],"
                     "\"owner\":[\"Select a valid choice. That choice is not one of the "
                     "available choices.\"],"
                     "\"kind\":[\"Select a valid choice. c is not one of the available "
                     "choices.\"]}");
}
END_TEST

START_TEST(search_and_ordering_filter_rows)
{
    ck_assert_str_eq(list("/things/?search=apple"), "2,1");
    ck_assert_str_eq(list("/things/?search=APPLE,red"), "1");
    ck_assert_str_eq(list("/things/?search=100%25"), "4");
    ck_assert_str_eq(list("/things/?search=_"), "3");
    ck_assert_str_eq(list("/things/?search=a"), "5,3,2,1");
    ck_assert_str_eq(list("/things/?search=zzz"), "");
    ck_assert_str_eq(list("/things/?ordering=-price,id"), "5,4,2,3,1");
    ck_assert_str_eq(list("/things/?ordering=name"), "4,3,5,1,2");
    ck_assert_str_eq(list("/things/?ordering=is_top,unknown"), "5,4,3,2,1");
    ck_assert_str_eq(list("/things/?search=apple&ordering=id&is_top=1"), "1");
}
END_TEST

/* '$' on SQLite: re.search semantics (anywhere, any ASCII case) through
 * rf_iregexp (an invalid pattern fails the query, as re.error fails DRF:
 * tests/acceptance/catalogue, books.search#regex-invalid). */
START_TEST(regex_search_runs_on_sqlite)
{
    static const rf_search_field by_regex[] = { { &thing_fields[1], '$' } };
    rf_filters f = thing_filters;
    f.search_fields = by_regex;
    f.nsearch_fields = 1;
    ck_assert_str_eq(list_with(&f, "/things/?search=apple$"), "2,1");
    ck_assert_str_eq(list_with(&f, "/things/?search=^(red|cherry)"), "5,1");
    ck_assert_str_eq(list_with(&f, "/things/?search=[0-9]+%25"), "4");
    ck_assert_str_eq(list_with(&f, "/things/?search=an.*_,split"), "3");
    ck_assert_str_eq(list_with(&f, "/things/?search=x{2}"), "");
    /* Python's \d and \D, which POSIX lacks */
    ck_assert_str_eq(list_with(&f, "/things/?search=^%5Cd%2B"), "4");
    ck_assert_str_eq(list_with(&f, "/things/?search=^[%5Cd]"), "4");
    ck_assert_str_eq(list_with(&f, "/things/?search=^%5CD"), "5,3,2,1");
    ck_assert_str_eq(list_with(&f, "/things/?search=^[^%5Cd]*$"), "5,3,2,1");
    ck_assert_str_eq(list_with(&f, "/things/?search=[[:digit:]]%5Cd"), "4");
    ck_assert_str_eq(list_with(&f, "/things/?search=^[[:space:]%5Cd]"), "4");
}
END_TEST

START_TEST(backends_run_without_a_declared_order)
{
    rf_filters f = thing_filters;
    f.order = NULL;
    f.norder = 0;
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){
        .method = RF_GET, .target = "/things/?is_top=1&search=e&ordering=name",
        .view = &thing_view });
    rf_query *q = rf_query_new(ctx, &things);
    ck_assert_int_eq(rf_filters_apply(ctx, &f, q), RF_OK);
    ck_assert(strstr(rf_query_sql(q, RF_SQLITE, false),
                     "WHERE (t.\"is_top\" = ?) AND ((UPPER(") != NULL);
    ck_assert(strstr(rf_query_sql(q, RF_SQLITE, false), "ORDER BY t.\"name\"") != NULL);
    rf_test_ctx_free(ctx);
}
END_TEST

START_TEST(sync_form_refuses_to_wait_on_the_loop)
{
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET,
                                                        .target = "/things/?owner=1",
                                                        .view = &thing_view });
    ck_assert_int_eq(rf_filters_apply(ctx, &thing_filters, rf_query_new(ctx, &things)),
                     RF_ERROR);
    ck_assert_int_eq(rf_test_status(ctx), 500);
    rf_test_ctx_free(ctx);
    ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET,
                                                .target = "/things/?is_top=1&search=x",
                                                .view = &thing_view });
    ck_assert_int_eq(rf_filters_apply(ctx, &thing_filters, rf_query_new(ctx, &things)), RF_OK);
    rf_test_ctx_free(ctx);
}
END_TEST

Suite *make_filter_suite(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, values_clean_as_django_filter);
    tcase_add_test(tc, search_terms_split_as_drf);
    tcase_add_test(tc, ordering_resolves_as_drf);
    tcase_add_test(tc, search_sql_binds_every_term);
    suite_add_tcase(s, tc);
    TCase *db = tcase_create("sqlite");
    tcase_add_checked_fixture(db, setup_db, policy_db_close);
    tcase_add_test(db, filterset_values_filter_rows);
    tcase_add_test(db, bad_values_answer_400_in_field_order);
    tcase_add_test(db, search_and_ordering_filter_rows);
    tcase_add_test(db, regex_search_runs_on_sqlite);
    tcase_add_test(db, sync_form_refuses_to_wait_on_the_loop);
    tcase_add_test(db, backends_run_without_a_declared_order);
    suite_add_tcase(s, db);
    return s;
}
