/*
 * test_serializer.c: field validation and OPTIONS metadata against what
 * real DRF 3.14 does (tests/vectors/validation.json, gen_validation.py):
 * every input of the battery gives the same validated value or the same
 * error messages, in the same order.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "restflow.h"
#include "serializer.h"
#include "vectors.h"

#define VECTORS "tests/vectors/validation.json"

static json_t *vectors;
static rf_arena *arena;

static void load_vectors(void)
{
    vectors = load_test_vectors(VECTORS);
    arena = rf_arena_new(0);
}

static void free_vectors(void)
{
    json_decref(vectors);
    rf_arena_free(arena);
}

/* The record of a one-field serializer: the state byte, then the member. */
typedef struct one_rec {
    uint8_t rf_state[8];
    union { int64_t i; double f; bool b; int32_t d; const char *s; } v;
} one_rec;

static rf_ftype type_of(const char *name)
{
    static const struct { const char *name; rf_ftype type; } types[] = {
        { "char", RF_F_CHAR }, { "text", RF_F_TEXT }, { "email", RF_F_EMAIL },
        { "url", RF_F_URL }, { "slug", RF_F_SLUG }, { "integer", RF_F_INTEGER },
        { "biginteger", RF_F_BIGINTEGER }, { "float", RF_F_FLOAT },
        { "decimal", RF_F_DECIMAL }, { "boolean", RF_F_BOOLEAN }, { "uuid", RF_F_UUID },
        { "date", RF_F_DATE }, { "datetime", RF_F_DATETIME }, { "json", RF_F_JSON },
    };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(types[i].name, name) == 0)
            return types[i].type;
    ck_abort_msg("unknown field type %s", name);
    return 0;
}

static int spec_int(const json_t *spec, const char *key)
{
    json_t *v = json_object_get(spec, key);
    return v ? (int)json_integer_value(v) : -1;
}

static const char *spec_str(const json_t *spec, const char *key)
{
    json_t *v = json_object_get(spec, key);
    return v ? rf_strdup(arena, json_string_value(v)) : NULL;
}

static bool spec_flag(const json_t *spec, const char *key)
{
    return json_is_true(json_object_get(spec, key));
}

static rf_value value_of(const json_t *v)
{
    if (json_is_string(v))
        return RF_VTEXT(rf_strdup(arena, json_string_value(v)));
    if (json_is_integer(v))
        return RF_VINT(json_integer_value(v));
    return RF_VNULL;
}

/* The rf_sfield the compiler would emit for the spec DRF's field had. */
static rf_serializer *one_field_serializer(const json_t *spec, bool required, const char *name)
{
    rf_sfield *f = rf_calloc(arena, sizeof *f);
    f->name = name;
    f->type = type_of(json_string_value(json_object_get(spec, "type")));
    f->flags = (required ? RF_SF_REQUIRED : 0) |
               (spec_flag(spec, "allow_null") ? RF_SF_ALLOW_NULL : 0) |
               (spec_flag(spec, "allow_blank") ? RF_SF_ALLOW_BLANK : 0) |
               (spec_flag(spec, "read_only") ? RF_SF_READ_ONLY : 0);
    json_t *dflt = json_object_get(spec, "default");
    if (dflt) {
        f->flags |= RF_SF_HAS_DEFAULT;
        f->default_value = value_of(dflt);
    }
    f->limits.max_length = spec_int(spec, "max_length");
    f->limits.min_length = spec_int(spec, "min_length");
    f->limits.max_digits = (int16_t)spec_int(spec, "max_digits");
    f->limits.decimal_places = (int16_t)spec_int(spec, "decimal_places");
    f->limits.min_value = spec_str(spec, "min_value");
    f->limits.max_value = spec_str(spec, "max_value");
    f->help_text = spec_str(spec, "help_text");
    json_t *choices = json_object_get(spec, "choices");
    if (choices) {
        rf_choice *c = rf_calloc(arena, json_array_size(choices) * sizeof *c);
        for (size_t i = 0; i < json_array_size(choices); i++) {
            c[i].value = rf_strdup(arena, json_string_value(json_array_get(json_array_get(choices, i), 0)));
            c[i].label = rf_strdup(arena, json_string_value(json_array_get(json_array_get(choices, i), 1)));
        }
        f->limits.choices = c;
        f->limits.nchoices = (int16_t)json_array_size(choices);
    }
    f->index = 0;
    f->offset = offsetof(one_rec, v);
    rf_serializer *s = rf_calloc(arena, sizeof *s);
    s->name = "One";
    s->fields = f;
    s->nfields = 1;
    s->rec_size = sizeof(one_rec);
    return s;
}

/* The validated member, tagged as gen_validation.py prints it. */
static const char *tagged(const rf_sfield *f, const one_rec *r)
{
    rf_buf b;
    rf_buf_init(&b, arena, 64);
    if (RF_IS_NULL(r, 0))
        return "n:";
    switch (f->type) {
    case RF_F_INTEGER:
    case RF_F_BIGINTEGER:
        rf_buf_printf(&b, "i:%lld", (long long)r->v.i);
        break;
    case RF_F_BOOLEAN:
        rf_buf_printf(&b, "b:%d", r->v.b);
        break;
    case RF_F_FLOAT:
        rf_buf_lit(&b, "f:");
        rf_json_f64(&b, r->v.f);
        break;
    case RF_F_DATE:
        rf_buf_printf(&b, "D:%d", r->v.d);
        break;
    case RF_F_DATETIME:
        rf_buf_printf(&b, "t:%lld", (long long)r->v.i);
        break;
    case RF_F_JSON:
        rf_buf_printf(&b, "j:%s", r->v.s);
        break;
    default:
        rf_buf_printf(&b, "s:%s", r->v.s);
    }
    return b.data;
}

static const char *describe(const json_t *c)
{
    return json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
}

/* Where restflow departs from DRF on purpose (docs/serializers.md): NaN
 * and infinities in a FloatField (DRF takes them, then cannot render
 * them), and integers past 64 bits with no limit to judge them (DRF takes
 * them, then the database refuses them). */
static bool deliberate_difference(const json_t *c)
{
    const char *type = json_string_value(json_object_get(json_object_get(c, "spec"), "type"));
    const json_t *in = json_object_get(c, "in");
    const char *text = json_is_string(in) ? json_string_value(in) : "";
    if (strcmp(type, "float") == 0)
        return strstr(text, "nan") || strstr(text, "inf") || strstr(text, "Inf");
    if (strcmp(type, "integer") == 0 && json_object_get(c, "value"))
        return strlen(text) > 19;
    return false;
}

static int failures;

#define expect(cond, ...)                         \
    do {                                          \
        if (!(cond) && failures++ < 40) {         \
            fprintf(stderr, __VA_ARGS__);         \
            fputc('\n', stderr);                  \
        }                                         \
    } while (0)

static void check_field_case(const json_t *c)
{
    if (deliberate_difference(c))
        return;
    const json_t *spec = json_object_get(c, "spec");
    rf_serializer *s = one_field_serializer(spec, json_is_true(json_object_get(c, "required")), "f");
    json_t *data = json_object();
    if (json_object_get(c, "in"))
        json_object_set(data, "f", json_object_get(c, "in"));
    rf_vstate *vs = rf_vstate_new(arena, s, data, json_is_true(json_object_get(c, "html")),
                                  json_is_true(json_object_get(c, "partial")) ? RF_VM_PARTIAL
                                                                              : RF_VM_CREATE);
    one_rec rec;
    memset(&rec, 0, sizeof rec);
    ck_assert(rf_validate_sync(vs, &rec));
    rf_buf got;
    rf_buf_init(&got, arena, 64);
    rf_verrs_render(&got, vs->errs);
    json_t *errors = json_object_get(c, "errors");
    char *what = (char *)describe(c);
    if (errors) {
        json_t *want = json_pack("{sO}", "f", errors);
        char *want_text = json_dumps(want, JSON_COMPACT | JSON_ENSURE_ASCII);
        json_t *got_json = json_loads(got.data, JSON_ALLOW_NUL, NULL);
        char *got_text = got_json ? json_dumps(got_json, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        expect(got_text && strcmp(got_text, want_text) == 0, "%s\n  got  %s", what, got.data);
        free(want_text);
        free(got_text);
        json_decref(want);
        json_decref(got_json);
    } else {
        json_t *value = json_object_get(c, "value");
        const char *t = RF_IS_SET(&rec, 0) ? tagged(s->fields, &rec) : NULL;
        if (!rf_verrs_empty(vs->errs))
            expect(false, "%s\n  got errors %s", what, got.data);
        else if (json_is_null(value))
            expect(!t, "%s\n  got value %s", what, t);
        else
            expect(t && strcmp(t, json_string_value(value)) == 0, "%s\n  got value %s", what,
                   t ? t : "(none)");
    }
    free(what);
    json_decref(data);
}

START_TEST(fields_as_drf_validates_them)
{
    json_t *cases = json_object_get(vectors, "fields");
    ck_assert_int_gt(json_array_size(cases), 1000);
    size_t i;
    json_t *c;
    failures = 0;
    json_array_foreach(cases, i, c)
        check_field_case(c);
    ck_assert_msg(failures == 0, "%d of %zu cases differ from DRF", failures, json_array_size(cases));
}
END_TEST

/* The serializer of the shapes cases: name, price, count. */
static rf_serializer *two_fields(void)
{
    json_t *specs = json_pack("[{ss si}, {ss si si}, {ss}]", "type", "char", "max_length", 3,
                              "type", "decimal", "max_digits", 5, "decimal_places", 2,
                              "type", "integer");
    static const char *const names[] = { "name", "price", "count" };
    rf_sfield *fields = rf_calloc(arena, 3 * sizeof *fields);
    for (int i = 0; i < 3; i++) {
        fields[i] = one_field_serializer(json_array_get(specs, (size_t)i), i < 2, names[i])->fields[0];
        fields[i].index = (uint16_t)i;
        fields[i].offset = (uint16_t)(8 + 8 * i);
    }
    json_decref(specs);
    rf_serializer *s = rf_calloc(arena, sizeof *s);
    s->fields = fields;
    s->nfields = 3;
    s->rec_size = 32;
    return s;
}

START_TEST(input_shape_and_field_order)
{
    rf_serializer *s = two_fields();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(vectors, "shapes"), i, c) {
        rf_vstate *vs = rf_vstate_new(arena, s, json_object_get(c, "in"), false, RF_VM_CREATE);
        char rec[32] = { 0 };
        rf_validate_sync(vs, rec);
        rf_buf got;
        rf_buf_init(&got, arena, 64);
        rf_verrs_render(&got, vs->errs);
        if (json_is_true(json_object_get(c, "ok")))
            ck_assert_msg(rf_verrs_empty(vs->errs), "case %zu: %s", i, got.data);
        else
            ck_assert_str_eq(got.data, json_string_value(json_object_get(c, "errors")));
    }
}
END_TEST

START_TEST(options_metadata_as_simple_metadata)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(vectors, "metadata"), i, c) {
        rf_serializer *s = one_field_serializer(json_object_get(c, "spec"),
                                                json_is_true(json_object_get(c, "required")),
                                                "some_field");
        ((rf_sfield *)s->fields)->label = json_string_value(json_object_get(c, "label"));
        rf_buf got;
        rf_buf_init(&got, arena, 64);
        rf_serializer_info(&got, s, false);
        ck_assert_str_eq(got.data, json_string_value(json_object_get(c, "out")));
    }
}
END_TEST

/* gen_validation.py's Outer: Brief as one object, as many (read-only),
 * and as many (writable, not required). */
START_TEST(options_metadata_of_nested_serializers)
{
    static const rf_sfield brief_fields[] = {
        { .name = "id", .label = "Id", .type = RF_F_INTEGER, .flags = RF_SF_READ_ONLY,
          .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 } },
        { .name = "rating", .label = "Rating", .type = RF_F_INTEGER, .flags = RF_SF_REQUIRED,
          .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1,
                      .min_value = "1", .max_value = "5" } },
    };
    static const rf_serializer brief = { .name = "Brief", .fields = brief_fields, .nfields = 2 };
#define NESTED(nm, lbl, fl) \
    { .name = nm, .label = lbl, .type = RF_F_NESTED, .flags = fl, .nested = &brief, \
      .limits = { .max_length = -1, .min_length = -1, .max_digits = -1, .decimal_places = -1 } }
    static const rf_sfield outer_fields[] = {
        NESTED("latest", "Latest", RF_SF_READ_ONLY | RF_SF_ALLOW_NULL),
        NESTED("several", "Several", RF_SF_READ_ONLY | RF_SF_MANY),
        NESTED("some", "Some", RF_SF_MANY),
    };
#undef NESTED
    static const rf_serializer outer = { .name = "Outer", .fields = outer_fields, .nfields = 3 };
    rf_buf got;
    rf_buf_init(&got, arena, 256);
    rf_serializer_info(&got, &outer, false);
    ck_assert_str_eq(got.data, json_string_value(json_object_get(vectors, "nested_metadata")));
}
END_TEST

/* Errors found late (a database check) still render in field order, and a
 * unique error goes before the field's other messages, as DRF runs its
 * UniqueValidator first. */
START_TEST(errors_render_in_field_order)
{
    rf_verrs *e = rf_verrs_new(arena);
    rf_verrs_add_ranked(e, 2, "price", "A valid number is required.", false);
    rf_verrs_add_ranked(e, 0, "name", "Ensure this field has no more than 3 characters.", false);
    rf_verrs_add_ranked(e, 0, "name", "product with this name already exists.", true);
    rf_buf b;
    rf_buf_init(&b, arena, 64);
    rf_verrs_render(&b, e);
    ck_assert_str_eq(b.data, "{\"name\":[\"product with this name already exists.\","
                             "\"Ensure this field has no more than 3 characters.\"],"
                             "\"price\":[\"A valid number is required.\"]}");
    ck_assert(rf_verrs_field_failed(e, "name"));
    ck_assert(!rf_verrs_field_failed(e, "count"));
}
END_TEST

Suite *make_serializer_suite(void)
{
    Suite *s = suite_create("serializer");
    TCase *tc = tcase_create("validation");
    tcase_add_unchecked_fixture(tc, load_vectors, free_vectors);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fields_as_drf_validates_them);
    tcase_add_test(tc, input_shape_and_field_order);
    tcase_add_test(tc, options_metadata_as_simple_metadata);
    tcase_add_test(tc, options_metadata_of_nested_serializers);
    tcase_add_test(tc, errors_render_in_field_order);
    suite_add_tcase(s, tc);
    return s;
}
