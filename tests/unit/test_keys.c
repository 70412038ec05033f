/*
 * test_keys.c: foreign keys to primary keys that are not integers.  A key
 * takes its target's primary key type (followed through primary keys that
 * are foreign keys) in records, loading, PrimaryKeyRelatedField's
 * conversion (the messages are DRF 3.14's, each checked against DRF with
 * Django 3.2 on this machine), the SQL that binds keys (UUIDs without
 * dashes on SQLite), cursor positions and filterset values.
 */
#include <check.h>
#include <jansson.h>
#include <stddef.h>
#include <string.h>

#include "db_internal.h"
#include "policy_internal.h"
#include "serializer.h"
#include "testing.h"

#define NOLIMITS { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 }

/* Venue (UUID key), Tag (CharField key), Note (keyed by a ForeignKey to
 * Tag), Gig (keys to all three and to an integer-keyed Team). */
typedef struct venue { uint8_t rf_state[1]; const char *id; } venue;
typedef struct tag { uint8_t rf_state[1]; const char *code; } tag;
typedef struct note { uint8_t rf_state[1]; const char *tag; } note;
typedef struct team { uint8_t rf_state[1]; int64_t id; } team;
typedef struct gig {
    uint8_t rf_state[6];
    int64_t id;
    const char *venue, *tag, *note;
    int64_t team;
    int64_t loose;          /* a ForeignKey whose descriptor names no target */
} gig;

enum { G_ID, G_VENUE, G_TAG, G_NOTE, G_TEAM, G_LOOSE };

#define ONE_FIELD_RESOURCE(nm, tbl, T, member, ftype, ...) \
    static const rf_field nm##_fields[] = { \
        { .name = #member, .column = #member, .type = ftype, .flags = RF_FF_PK, \
          .offset = offsetof(T, member), .limits = NOLIMITS, __VA_ARGS__ } }; \
    static const rf_resource nm##_res = { .name = #nm, .table = tbl, .fields = nm##_fields, \
                                          .nfields = 1, .rec_size = sizeof(T) }

ONE_FIELD_RESOURCE(venue, "venue", venue, id, RF_F_UUID);
ONE_FIELD_RESOURCE(tag, "tag", tag, code, RF_F_CHAR);
ONE_FIELD_RESOURCE(note, "note", note, tag, RF_F_FOREIGNKEY, .fk_target = &tag_res);
ONE_FIELD_RESOURCE(team, "team", team, id, RF_F_AUTO);

#define KEY(nm, col, member, idx, target) \
    { .name = nm, .column = col, .type = RF_F_FOREIGNKEY, .flags = RF_FF_NULL, .index = idx, \
      .offset = offsetof(gig, member), .limits = NOLIMITS, .fk_target = target }

static const rf_field gig_fields[] = {
    { .name = "id", .column = "id", .type = RF_F_AUTO, .flags = RF_FF_PK, .index = G_ID,
      .offset = offsetof(gig, id), .limits = NOLIMITS },
    KEY("venue", "venue_id", venue, G_VENUE, &venue_res),
    KEY("tag", "tag_id", tag, G_TAG, &tag_res),
    KEY("note", "note_id", note, G_NOTE, &note_res),
    KEY("team", "team_id", team, G_TEAM, &team_res),
    KEY("loose", "loose_id", loose, G_LOOSE, NULL),
};

static const rf_resource gig_res = {
    .name = "Gig", .table = "gig", .fields = gig_fields, .nfields = 6, .rec_size = sizeof(gig),
};

static rf_arena *a;

static void setup(void) { a = rf_arena_new(0); }
static void teardown(void) { rf_arena_free(a); }

#define HALL "6d2f6b38-2a7e-4b6a-9f0e-3c1f6b0f8a11"

START_TEST(keys_take_the_referenced_primary_key_type)
{
    ck_assert_int_eq(rf_field_key_type(&gig_fields[G_VENUE]), RF_F_UUID);
    ck_assert_int_eq(rf_field_key_type(&gig_fields[G_TAG]), RF_F_CHAR);
    ck_assert_int_eq(rf_field_key_type(&gig_fields[G_NOTE]), RF_F_CHAR);   /* Note.tag -> Tag */
    ck_assert_int_eq(rf_field_key_type(&gig_fields[G_TEAM]), RF_F_AUTO);
    ck_assert_int_eq(rf_field_key_type(&gig_fields[G_LOOSE]), RF_F_FOREIGNKEY);
    ck_assert_int_eq(rf_field_key_type(&gig_fields[G_ID]), RF_F_AUTO);
    ck_assert_int_eq(rf_field_vtype(&gig_fields[G_VENUE]), RF_V_TEXT);
    ck_assert_int_eq(rf_field_vtype(&gig_fields[G_TEAM]), RF_V_INT);
    ck_assert_int_eq(rf_field_vtype(&gig_fields[G_LOOSE]), RF_V_INT);
}
END_TEST

START_TEST(records_hold_keys_in_their_type)
{
    gig *g = rf_record_new(a, &gig_res);
    char code[] = "ab";
    rf_record_set(a, g, &gig_fields[G_VENUE], RF_VTEXT(HALL));
    rf_record_set(a, g, &gig_fields[G_TAG], RF_VTEXT(code));
    rf_record_set(a, g, &gig_fields[G_TEAM], RF_VINT(7));
    code[0] = 'x';                            /* the record kept a copy */
    ck_assert_str_eq(g->venue, HALL);
    ck_assert_str_eq(g->tag, "ab");
    ck_assert_int_eq(g->team, 7);
    rf_value v = rf_record_value(g, &gig_fields[G_TAG]);
    ck_assert_int_eq(v.type, RF_V_TEXT);
    ck_assert_str_eq(v.u.s, "ab");

    rf_obj o = { &gig_res, g };
    const char *text;
    int64_t id;
    ck_assert(rf_obj_get_text(&o, "venue_id", &text));
    ck_assert_str_eq(text, HALL);
    ck_assert(!rf_obj_get_int(&o, "venue", &id));
    ck_assert(rf_obj_get_int(&o, "team", &id) && id == 7);
    ck_assert(!rf_obj_get_text(&o, "team", &text));
}
END_TEST

static rf_result *one_row(const rf_cell *cells, int n)
{
    rf_result *r = rf_result_of(NULL, RF_DB_OK, NULL);
    r->nrows = 1;
    r->ncols = n;
    r->cells = rf_alloc(r->own, (size_t)n * sizeof *cells);
    memcpy(r->cells, cells, (size_t)n * sizeof *cells);
    return r;
}

#define TEXT(x) { .type = RF_CELL_TEXT, .s = (x) }

START_TEST(loading_canonicalises_uuid_keys)
{
    const rf_cell cells[] = {
        { .type = RF_CELL_INT, .i = 1, .s = "1" },
        TEXT("6d2f6b382a7e4b6a9f0e3c1f6b0f8a11"),   /* SQLite: 32 hex digits */
        TEXT("ab"), TEXT("6d2f"), { .type = RF_CELL_INT, .i = 7, .s = "7" },
        { .type = RF_CELL_NULL },
    };
    rf_result *r = one_row(cells, 6);
    gig *g = rf_record_new(a, &gig_res);
    ck_assert_int_eq(rf_result_load(r, 0, 0, a, &gig_res, g, NULL, 0), 6);
    ck_assert_str_eq(g->venue, HALL);
    ck_assert_str_eq(g->tag, "ab");
    ck_assert_str_eq(g->note, "6d2f");                 /* text keys as they are */
    ck_assert_int_eq(g->team, 7);
    ck_assert(RF_IS_NULL(g, G_LOOSE));
    rf_result_release(r);

    const rf_cell pg[] = { TEXT(HALL) };               /* PostgreSQL's uuid text */
    static const uint16_t only[] = { G_VENUE };
    r = one_row(pg, 1);
    g = rf_record_new(a, &gig_res);
    rf_result_load(r, 0, 0, a, &gig_res, g, only, 1);
    ck_assert_str_eq(g->venue, HALL);
    rf_result_release(r);
}
END_TEST

/* ---------------------------------------------------------------------
 * PrimaryKeyRelatedField: queryset.get(pk=data) as DRF 3.14 calls it.
 */
typedef struct pick { uint8_t rf_state[1]; const char *key; } pick;

/* A one-field serializer over gig field `fk` (its model field), or over a
 * plain record with `related` (a plain Serializer's queryset). */
static const rf_serializer *key_serializer(const rf_field *fk, const rf_resource *related)
{
    rf_sfield *f = rf_calloc(a, sizeof *f);
    f->name = "key";
    f->type = RF_F_FOREIGNKEY;
    f->flags = RF_SF_REQUIRED;
    f->limits = (rf_limits)NOLIMITS;
    f->model_field = fk;
    f->related = related;
    f->index = fk ? fk->index : 0;
    f->offset = fk ? fk->offset : offsetof(pick, key);
    rf_serializer *s = rf_calloc(a, sizeof *s);
    s->name = "Key";
    s->fields = f;
    s->nfields = 1;
    s->rec_size = fk ? sizeof(gig) : sizeof(pick);
    return s;
}

/* Validate {"key": input}; the errors as JSON ("" when none). */
static const char *convert(const rf_serializer *s, const char *input, void *rec)
{
    json_error_t jerr;
    json_t *data = json_loads(input, JSON_ALLOW_NUL, &jerr);
    ck_assert_msg(data != NULL, "%s: %s", input, jerr.text);
    rf_vstate *vs = rf_vstate_new(a, s, data, false, RF_VM_CREATE);
    ck_assert(rf_validate_sync(vs, rec));
    json_decref(data);
    if (rf_verrs_empty(vs->errs))
        return "";
    rf_buf b;
    rf_buf_init(&b, a, 64);
    rf_verrs_render(&b, vs->errs);
    rf_buf_putc(&b, '\0');
    return b.data;
}

typedef struct case_ {
    const char *input;
    const char *errors;     /* "" when it converts */
    const char *stored;     /* the key stored when it converts */
} case_;

static void check_cases(const rf_serializer *s, const case_ *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        void *rec = rf_calloc(a, s->rec_size);
        const char *errors = convert(s, cases[i].input, rec);
        ck_assert_msg(strcmp(errors, cases[i].errors) == 0, "%s: %s", cases[i].input, errors);
        if (*cases[i].errors)
            continue;
        const char *stored = RF_MEMBER(rec, s->fields[0].offset, const char *);
        ck_assert_msg(strcmp(stored, cases[i].stored) == 0, "%s: %s", cases[i].input, stored);
    }
}

START_TEST(uuid_keys_convert_as_uuid_field_to_python)
{
    static const case_ cases[] = {
        { "{\"key\":\"6D2F6B38-2A7E-4B6A-9F0E-3C1F6B0F8A11\"}", "", HALL },
        { "{\"key\":\"{6d2f6b382a7e4b6a9f0e3c1f6b0f8a11}\"}", "", HALL },
        { "{\"key\":5}", "", "00000000-0000-0000-0000-000000000005" },     /* UUID(int=5) */
        { "{\"key\":\"x\"}", "{\"key\":[\"“x” is not a valid UUID.\"]}", NULL },
        { "{\"key\":-5}", "{\"key\":[\"“-5” is not a valid UUID.\"]}", NULL },
        { "{\"key\":5.0}", "{\"key\":[\"“5.0” is not a valid UUID.\"]}", NULL },
        { "{\"key\":[1]}", "{\"key\":[\"“[1]” is not a valid UUID.\"]}", NULL },
        { "{\"key\":{\"a\":1}}", "{\"key\":[\"“{'a': 1}” is not a valid UUID.\"]}", NULL },
        { "{\"key\":\" " HALL "\"}", "{\"key\":[\"“ " HALL "” is not a valid UUID.\"]}", NULL },
        { "{\"key\":\"a\\u0000b\"}", "{\"key\":[\"“a\\u0000b” is not a valid UUID.\"]}", NULL },
        { "{\"key\":true}",
          "{\"key\":[\"Incorrect type. Expected pk value, received bool.\"]}", NULL },
        { "{\"key\":\"\"}", "{\"key\":[\"This field may not be null.\"]}", NULL },
    };
    check_cases(key_serializer(&gig_fields[G_VENUE], NULL), cases, sizeof cases / sizeof *cases);
}
END_TEST

START_TEST(text_keys_convert_as_str)
{
    static const case_ cases[] = {
        { "{\"key\":\"ab\"}", "", "ab" },
        { "{\"key\":\" ab \"}", "", " ab " },             /* not stripped */
        { "{\"key\":5}", "", "5" },
        { "{\"key\":5.5}", "", "5.5" },
        { "{\"key\":[1]}", "", "[1]" },
        { "{\"key\":{\"a\":1}}", "", "{'a': 1}" },
        { "{\"key\":\"a\\u0000b\"}",
          "{\"key\":[\"Invalid pk \\\"a\\u0000b\\\" - object does not exist.\"]}", NULL },
        { "{\"key\":false}",
          "{\"key\":[\"Incorrect type. Expected pk value, received bool.\"]}", NULL },
    };
    check_cases(key_serializer(&gig_fields[G_TAG], NULL), cases, sizeof cases / sizeof *cases);
    /* through a primary key that is a ForeignKey, and a plain Serializer's
     * queryset: the same conversion */
    check_cases(key_serializer(&gig_fields[G_NOTE], NULL), cases, 2);
    check_cases(key_serializer(NULL, &note_res), cases, sizeof cases / sizeof *cases);
}
END_TEST

START_TEST(integer_keys_convert_as_int)
{
    const rf_serializer *s = key_serializer(&gig_fields[G_TEAM], NULL);
    gig *g = rf_calloc(a, sizeof *g);
    ck_assert_str_eq(convert(s, "{\"key\":9.5}", g), "");
    ck_assert_int_eq(g->team, 9);
    ck_assert_str_eq(convert(s, "{\"key\":\" 12 \"}", g), "");
    ck_assert_int_eq(g->team, 12);
    ck_assert_str_eq(convert(s, "{\"key\":\"5.5\"}", g),
                     "{\"key\":[\"Incorrect type. Expected pk value, received str.\"]}");
    ck_assert_str_eq(convert(s, "{\"key\":[1]}", g),
                     "{\"key\":[\"Incorrect type. Expected pk value, received list.\"]}");
    /* no target known: an integer */
    ck_assert_str_eq(convert(key_serializer(&gig_fields[G_LOOSE], NULL), "{\"key\":3}", g), "");
    ck_assert_int_eq(g->loose, 3);
}
END_TEST

/* ---------------------------------------------------------------------
 * SQL, cursor positions, filterset values.
 */
START_TEST(uuid_keys_bind_without_dashes_on_sqlite)
{
    rf_test_env *env = rf_test_env_new(NULL, 1);
    rf_ctx *ctx = rf_test_ctx(env, &(rf_test_request){ .method = RF_GET });
    rf_query *q = rf_query_new(ctx, &gig_res);
    rf_query_where_eq(q, &gig_fields[G_VENUE], RF_VTEXT(HALL));
    rf_query_where_cmp(q, &gig_fields[G_VENUE], ">", RF_VTEXT(HALL));
    rf_query_where_cmp(q, &gig_fields[G_TAG], "<", RF_VTEXT("ab"));
    ck_assert_str_eq(rf_query_sql(q, RF_SQLITE, true),
                     "SELECT COUNT(*) FROM \"gig\" t WHERE (t.\"venue_id\" = replace(?, '-', ''))"
                     " AND (t.\"venue_id\" > replace(?, '-', '')) AND (t.\"tag_id\" < ?)");
    ck_assert_str_eq(rf_query_sql(q, RF_POSTGRES, true),
                     "SELECT COUNT(*) FROM \"gig\" t WHERE (t.\"venue_id\" = ?)"
                     " AND (t.\"venue_id\" > ?) AND (t.\"tag_id\" < ?)");
    rf_test_ctx_free(ctx);
    rf_test_env_free(env);
}
END_TEST

START_TEST(cursor_positions_of_keys)
{
    gig *g = rf_record_new(a, &gig_res);
    rf_record_set(a, g, &gig_fields[G_VENUE], RF_VTEXT(HALL));
    rf_record_set(a, g, &gig_fields[G_TAG], RF_VTEXT("ab"));
    rf_record_set(a, g, &gig_fields[G_TEAM], RF_VINT(7));
    ck_assert_str_eq(rf_cursor_position(a, g, &gig_fields[G_VENUE]), HALL);
    ck_assert_str_eq(rf_cursor_position(a, g, &gig_fields[G_TAG]), "ab");
    ck_assert_str_eq(rf_cursor_position(a, g, &gig_fields[G_TEAM]), "7");
    rf_value v;
    ck_assert(rf_cursor_position_value(a, &gig_fields[G_VENUE],
                                       "6D2F6B38-2A7E-4B6A-9F0E-3C1F6B0F8A11", &v));
    ck_assert_int_eq(v.type, RF_V_TEXT);
    ck_assert_str_eq(v.u.s, HALL);
    ck_assert(!rf_cursor_position_value(a, &gig_fields[G_VENUE], "None", &v));
    ck_assert(rf_cursor_position_value(a, &gig_fields[G_TAG], "None", &v));
    ck_assert_str_eq(v.u.s, "None");
    ck_assert(rf_cursor_position_value(a, &gig_fields[G_TEAM], "7", &v) && v.u.i == 7);
}
END_TEST

static rf_cleaned clean(const rf_field *f, const char *raw, size_t n)
{
    rf_str param = { raw, n };
    return rf_filter_clean(a, f, &param);
}

START_TEST(filterset_keys_clean_as_model_choice_filter)
{
    rf_cleaned c = clean(&gig_fields[G_VENUE], "x", 1);
    ck_assert_int_eq(c.outcome, RF_CLEAN_ERROR);
    ck_assert_str_eq(c.error, "“x” is not a valid UUID.");
    c = clean(&gig_fields[G_VENUE], " " HALL, strlen(HALL) + 1);   /* not stripped */
    ck_assert_int_eq(c.outcome, RF_CLEAN_ERROR);
    c = clean(&gig_fields[G_VENUE], "6D2F6B38-2A7E-4B6A-9F0E-3C1F6B0F8A11", 36);
    ck_assert_int_eq(c.outcome, RF_CLEAN_CHECK_FK);
    ck_assert_str_eq(c.value.u.s, HALL);
    c = clean(&gig_fields[G_TAG], " ab ", 4);
    ck_assert_int_eq(c.outcome, RF_CLEAN_CHECK_FK);
    ck_assert_str_eq(c.value.u.s, " ab ");
    c = clean(&gig_fields[G_TAG], "a\0b", 3);
    ck_assert_int_eq(c.outcome, RF_CLEAN_ERROR);
    ck_assert_str_eq(c.error,
                     "Select a valid choice. That choice is not one of the available choices.");
    c = clean(&gig_fields[G_NOTE], "ab", 2);
    ck_assert_int_eq(c.outcome, RF_CLEAN_CHECK_FK);
    ck_assert_int_eq(c.value.type, RF_V_TEXT);
}
END_TEST

Suite *make_keys_suite(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("keys");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, keys_take_the_referenced_primary_key_type);
    tcase_add_test(tc, records_hold_keys_in_their_type);
    tcase_add_test(tc, loading_canonicalises_uuid_keys);
    tcase_add_test(tc, uuid_keys_convert_as_uuid_field_to_python);
    tcase_add_test(tc, text_keys_convert_as_str);
    tcase_add_test(tc, integer_keys_convert_as_int);
    tcase_add_test(tc, uuid_keys_bind_without_dashes_on_sqlite);
    tcase_add_test(tc, cursor_positions_of_keys);
    tcase_add_test(tc, filterset_keys_clean_as_model_choice_filter);
    suite_add_tcase(s, tc);
    return s;
}
