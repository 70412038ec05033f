/*
 * test_openapi.c: the OpenAPI document of a small spec (compiler/
 * emit_openapi.c), read back with jansson: field schemas with their
 * constraints, 3.1's null types, DRF's operationIds made unique, the
 * paginators' envelopes, security with and without anonymous access,
 * error responses; on PostgreSQL, the integer column ranges.  Validation
 * by a real OpenAPI validator, and the served API against its document,
 * are tests/ecosystem/test_openapi.py's (test_openapi_postgres.py's on
 * PostgreSQL).
 */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "openapi.h"
#include "sema.h"

static const char spec[] =
    "spec pets { title = \"Pets\"; version = \"2\"; }\n"
    "settings {\n"
    "    DEFAULT_AUTHENTICATION_CLASSES = [TokenAuthentication];\n"
    "    DEFAULT_PERMISSION_CLASSES = [IsAuthenticated];\n"
    "}\n"
    "resource Owner { name = CharField(max_length = 50); }\n"
    "resource Pet {\n"
    "    name = CharField(max_length = 30);\n"
    "    kind = CharField(max_length = 10, choices = [\"cat\", \"dog\"]);\n"
    "    owner = ForeignKey(Owner, on_delete = CASCADE, null = true);\n"
    "    born = DateField(null = true);\n"
    "    weight = DecimalField(max_digits = 5, decimal_places = 1);\n"
    "}\n"
    "serializer PetSerializer : ModelSerializer { model = Pet; fields = \"__all__\"; }\n"
    "pagination Feed : CursorPagination { page_size = 10; ordering = [-id]; }\n"
    "viewset Pets : ModelViewSet {\n"
    "    queryset = Pet; serializer_class = PetSerializer; pagination_class = Feed;\n"
    "}\n"
    "view OwnerPets : ListAPIView {\n"
    "    queryset = Pet.filter(owner_id = url.owner_id); serializer_class = PetSerializer;\n"
    "    pagination_class = null; permission_classes = [AllowAny];\n"
    "}\n"
    "router api : DefaultRouter { register(\"pets\", Pets); }\n"
    "urls { include(\"api/\", api); path(\"api/owners/<int:owner_id>/pets/\", OwnerPets); }\n";

static json_t *doc;       /* as `rflowc openapi` prints it */
static json_t *embedded;  /* as the generated server carries it */
static size_t pretty_lines, embedded_lines;

static size_t count_lines(const rf_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

static json_t *document(const model *m, int pretty_depth, bool postgres, size_t *lines)
{
    rf_buf b;
    rf_buf_init(&b, NULL, 4096);
    openapi_document(m, &b, pretty_depth, postgres);
    json_error_t err;
    json_t *j = json_loadb(b.data, b.len, 0, &err);
    ck_assert_msg(j != NULL, "not JSON: %s", err.text);
    if (lines)
        *lines = count_lines(&b);
    rf_buf_release(&b);
    return j;
}

/* The model of a spec without errors, in a. */
static model *checked(rf_arena *a, const char *name, const char *text)
{
    source src;
    source_init(&src, a, name, text, strlen(text));
    diag d;
    diag_init(&d, stderr, 0);
    diag_set_source(&d, &src);
    ast_file *f = ast_parse(a, &src, &d);
    model *m = f ? sema_check(a, f, &d) : NULL;
    ck_assert_msg(m && d.errors == 0, "%s has errors", name);
    diag_free(&d);
    return m;
}

static void setup(void)
{
    rf_arena *a = rf_arena_new(0);
    model *m = checked(a, "pets.rflow", spec);
    doc = document(m, OPENAPI_PRETTY, false, &pretty_lines);
    embedded = document(m, 3, false, &embedded_lines);
    rf_arena_free(a);
}

static void teardown(void)
{
    json_decref(doc);
    json_decref(embedded);
}

/* The value at a path of object keys ("components", "schemas", ...). */
static json_t *at(const char *const *keys)
{
    json_t *v = doc;
    for (; *keys; keys++) {
        v = json_object_get(v, *keys);
        ck_assert_msg(v != NULL, "no %s", *keys);
    }
    return v;
}
#define AT(...) at((const char *const[]){ __VA_ARGS__, NULL })

static void assert_json(json_t *v, const char *want)
{
    char *got = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    ck_assert_str_eq(got, want);
    free(got);
}

/* Nodes deeper than the pretty depth are written compact: the same
 * document in fewer lines. */
START_TEST(the_embedded_form_is_the_same_document)
{
    ck_assert(json_equal(doc, embedded));
    ck_assert_uint_lt(embedded_lines * 4, pretty_lines);
}
END_TEST

START_TEST(fields_carry_their_constraints)
{
    json_t *pet = AT("components", "schemas", "Pet", "properties");
    assert_json(json_object_get(pet, "id"), "{\"type\":\"integer\",\"readOnly\":true}");
    assert_json(json_object_get(pet, "name"), "{\"type\":\"string\",\"maxLength\":30}");
    assert_json(json_object_get(pet, "kind"), "{\"enum\":[\"cat\",\"dog\"]}");
    assert_json(json_object_get(pet, "owner"), "{\"type\":[\"integer\",\"null\"]}");
    assert_json(json_object_get(pet, "born"), "{\"type\":[\"string\",\"null\"],\"format\":\"date\"}");
    assert_json(json_object_get(pet, "weight"),
                "{\"type\":\"string\",\"format\":\"decimal\",\"pattern\":\"^-?\\\\d{0,4}(?:\\\\.\\\\d{0,1})?$\"}");
    assert_json(AT("components", "schemas", "Pet", "required"), "[\"name\",\"kind\",\"weight\"]");
    ck_assert_ptr_null(json_object_get(AT("components", "schemas", "PatchedPet"), "required"));
}
END_TEST

START_TEST(operations_are_named_as_drf_names_them_and_unique)
{
    assert_json(AT("paths", "/api/pets/", "get", "operationId"), "\"listPets\"");
    assert_json(AT("paths", "/api/pets/{pk}/", "patch", "operationId"), "\"partialUpdatePet\"");
    assert_json(AT("paths", "/api/owners/{owner_id}/pets/", "get", "operationId"),
                "\"listOwnerPets\"");
    assert_json(AT("paths", "/api/pets/{pk}/", "get", "parameters"),
                "[{\"name\":\"pk\",\"in\":\"path\",\"required\":true,\"description\":"
                "\"A unique integer value identifying this pet.\",\"schema\":{\"type\":\"integer\"}}]");
}
END_TEST

START_TEST(lists_come_in_their_paginators_envelope)
{
    assert_json(AT("paths", "/api/pets/", "get", "responses", "200", "content",
                   "application/json", "schema"),
                "{\"$ref\":\"#/components/schemas/PaginatedPetCursorList\"}");
    assert_json(AT("components", "schemas", "PaginatedPetCursorList", "required"),
                "[\"results\"]");
    assert_json(AT("paths", "/api/pets/", "get", "parameters"),
                "[{\"name\":\"cursor\",\"in\":\"query\",\"required\":false,\"description\":"
                "\"The pagination cursor value.\",\"schema\":{\"type\":\"string\"}}]");
    assert_json(AT("paths", "/api/owners/{owner_id}/pets/", "get", "responses", "200",
                   "content", "application/json", "schema"),
                "{\"type\":\"array\",\"items\":{\"$ref\":\"#/components/schemas/Pet\"}}");
}
END_TEST

START_TEST(security_and_errors_follow_the_policies)
{
    assert_json(AT("components", "securitySchemes"),
                "{\"tokenAuth\":{\"type\":\"apiKey\",\"in\":\"header\",\"name\":\"Authorization\","
                "\"description\":\"Token authentication: `Authorization: Token <key>`.\"}}");
    assert_json(AT("paths", "/api/pets/", "get", "security"), "[{\"tokenAuth\":[]}]");
    assert_json(AT("paths", "/api/owners/{owner_id}/pets/", "get", "security"),
                "[{\"tokenAuth\":[]},{}]");
    json_t *create = AT("paths", "/api/pets/", "post", "responses");
    const char *key;
    json_t *v;
    char codes[64] = "";
    json_object_foreach(create, key, v) {
        strcat(codes, key);
        strcat(codes, " ");
    }
    ck_assert_str_eq(codes, "201 400 401 403 415 ");
    assert_json(AT("paths", "/api/pets/{pk}/", "delete", "responses", "204"),
                "{\"description\":\"No content.\"}");
}
END_TEST

/* ---------------------------------------------------------------------
 * The integer column ranges.  On PostgreSQL Django gives IntegerField and
 * BigIntegerField their column's range as validators, and DRF's schema
 * generator shows them as minimum / maximum; on SQLite there is none.  The
 * expected values are real DRF 3.14's for the same model
 * (tests/vectors/openapi_ranges.json, from gen_openapi_ranges.py; the
 * spec is tests/golden/codegen/ranges.rflow's).
 */
static const char ranges_spec[] =
    "spec ranges {}\n"
    "resource Meter {\n"
    "    count    = IntegerField();\n"
    "    big      = BigIntegerField(null = true);\n"
    "    floor    = IntegerField(min_value = 5);\n"
    "    ceiling  = BigIntegerField(max_value = 100);\n"
    "    loose    = IntegerField(max_value = 1000000000000);\n"
    "    both     = IntegerField(min_value = 1, max_value = 9);\n"
    "    kind     = IntegerField(choices = [1, 2], default = 1);\n"
    "    serial   = IntegerField(default = 0);\n"
    "    frozen   = IntegerField(default = 0);\n"
    "    declared = IntegerField(default = 0);\n"
    "    ratio    = FloatField(default = 0);\n"
    "}\n"
    "serializer MeterSerializer : ModelSerializer {\n"
    "    model = Meter; fields = \"__all__\"; read_only_fields = [frozen];\n"
    "    declared = IntegerField(required = false);\n"
    "}\n"
    "viewset Meters : ModelViewSet { queryset = Meter.all(); serializer_class = MeterSerializer; }\n"
    "router api : DefaultRouter { register(\"meters\", Meters); }\n"
    "urls { include(\"api/\", api); }\n";

static json_t *sqlite_doc, *postgres_doc;

static void ranges_setup(void)
{
    rf_arena *a = rf_arena_new(0);
    model *m = checked(a, "ranges.rflow", ranges_spec);
    sqlite_doc = document(m, OPENAPI_PRETTY, false, NULL);
    postgres_doc = document(m, OPENAPI_PRETTY, true, NULL);
    rf_arena_free(a);
}

static void ranges_teardown(void)
{
    json_decref(sqlite_doc);
    json_decref(postgres_doc);
}

/* The schema of a field of a component, compact, in document order. */
static void assert_field(json_t *of, const char *component, const char *field,
                         const char *want)
{
    json_t *schemas = json_object_get(json_object_get(of, "components"), "schemas");
    json_t *props = json_object_get(json_object_get(schemas, component), "properties");
    char *got = json_dumps(json_object_get(props, field), JSON_COMPACT | JSON_ENCODE_ANY);
    ck_assert_msg(got && strcmp(got, want) == 0, "%s.%s: got %s, want %s", component, field,
                  got ? got : "nothing", want);
    free(got);
}

static const char *const components[] = { "Meter", "PatchedMeter" };

/* Each side without a limit of its own takes the range; the own limit
 * stays even where it is looser (loose), as DRF keeps the first
 * MaxValueValidator; BigIntegerField's range is int64's. */
START_TEST(postgresql_shows_the_column_ranges)
{
    for (int i = 0; i < 2; i++) {
        const char *c = components[i];
        assert_field(postgres_doc, c, "count",
                     "{\"type\":\"integer\",\"minimum\":-2147483648,\"maximum\":2147483647}");
        assert_field(postgres_doc, c, "big",
                     "{\"type\":[\"integer\",\"null\"],\"format\":\"int64\","
                     "\"minimum\":-9223372036854775808,\"maximum\":9223372036854775807}");
        assert_field(postgres_doc, c, "floor",
                     "{\"type\":\"integer\",\"minimum\":5,\"maximum\":2147483647}");
        assert_field(postgres_doc, c, "ceiling",
                     "{\"type\":\"integer\",\"format\":\"int64\","
                     "\"minimum\":-9223372036854775808,\"maximum\":100}");
        assert_field(postgres_doc, c, "loose",
                     "{\"type\":\"integer\",\"minimum\":-2147483648,\"maximum\":1000000000000}");
        assert_field(postgres_doc, c, "both", "{\"type\":\"integer\",\"minimum\":1,\"maximum\":9}");
        assert_field(postgres_doc, c, "serial",
                     "{\"type\":\"integer\",\"minimum\":-2147483648,\"maximum\":2147483647}");
    }
}
END_TEST

/* A ChoiceField built from an IntegerField keeps the model field's
 * validators, so DRF shows the range on it too (its choices are within
 * it); read-only and declared fields have no model validators. */
START_TEST(postgresql_ranges_only_where_drf_has_the_validators)
{
    assert_field(postgres_doc, "Meter", "kind",
                 "{\"enum\":[1,2],\"minimum\":-2147483648,\"maximum\":2147483647}");
    assert_field(postgres_doc, "Meter", "frozen", "{\"type\":\"integer\",\"readOnly\":true}");
    assert_field(postgres_doc, "Meter", "id", "{\"type\":\"integer\",\"readOnly\":true}");
    assert_field(postgres_doc, "Meter", "declared", "{\"type\":\"integer\"}");
    assert_field(postgres_doc, "Meter", "ratio", "{\"type\":\"number\",\"format\":\"double\"}");
}
END_TEST

START_TEST(sqlite_shows_only_the_own_limits)
{
    for (int i = 0; i < 2; i++) {
        const char *c = components[i];
        assert_field(sqlite_doc, c, "count", "{\"type\":\"integer\"}");
        assert_field(sqlite_doc, c, "big", "{\"type\":[\"integer\",\"null\"],\"format\":\"int64\"}");
        assert_field(sqlite_doc, c, "floor", "{\"type\":\"integer\",\"minimum\":5}");
        assert_field(sqlite_doc, c, "ceiling",
                     "{\"type\":\"integer\",\"format\":\"int64\",\"maximum\":100}");
        assert_field(sqlite_doc, c, "loose", "{\"type\":\"integer\",\"maximum\":1000000000000}");
        assert_field(sqlite_doc, c, "both", "{\"type\":\"integer\",\"minimum\":1,\"maximum\":9}");
    }
    assert_field(sqlite_doc, "Meter", "kind", "{\"enum\":[1,2]}");
}
END_TEST

/* Only minimum / maximum differ: with them taken out of the PostgreSQL
 * document's Meter schemas, the two documents are equal. */
START_TEST(the_documents_differ_only_in_the_ranges)
{
    static const char *const ranged[] = { "count", "big", "floor", "ceiling", "loose", "kind",
                                          "serial" };
    json_t *pg = json_deep_copy(postgres_doc), *lite = json_deep_copy(sqlite_doc);
    json_t *pg_schemas = json_object_get(json_object_get(pg, "components"), "schemas");
    json_t *lite_schemas = json_object_get(json_object_get(lite, "components"), "schemas");
    for (int i = 0; i < 2; i++) {
        json_t *pg_props = json_object_get(json_object_get(pg_schemas, components[i]), "properties");
        json_t *lite_props =
            json_object_get(json_object_get(lite_schemas, components[i]), "properties");
        for (size_t k = 0; k < sizeof ranged / sizeof *ranged; k++) {
            const char *const limits[] = { "minimum", "maximum" };
            for (int l = 0; l < 2; l++) {
                json_object_del(json_object_get(pg_props, ranged[k]), limits[l]);
                json_object_del(json_object_get(lite_props, ranged[k]), limits[l]);
            }
        }
    }
    ck_assert(!json_equal(postgres_doc, sqlite_doc));
    ck_assert(json_equal(pg, lite));
    json_decref(pg);
    json_decref(lite);
}
END_TEST

Suite *make_openapi_suite(void)
{
    Suite *s = suite_create("openapi");
    TCase *tc = tcase_create("document");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, the_embedded_form_is_the_same_document);
    tcase_add_test(tc, fields_carry_their_constraints);
    tcase_add_test(tc, operations_are_named_as_drf_names_them_and_unique);
    tcase_add_test(tc, lists_come_in_their_paginators_envelope);
    tcase_add_test(tc, security_and_errors_follow_the_policies);
    suite_add_tcase(s, tc);
    tc = tcase_create("postgresql ranges");
    tcase_add_checked_fixture(tc, ranges_setup, ranges_teardown);
    tcase_add_test(tc, postgresql_shows_the_column_ranges);
    tcase_add_test(tc, postgresql_ranges_only_where_drf_has_the_validators);
    tcase_add_test(tc, sqlite_shows_only_the_own_limits);
    tcase_add_test(tc, the_documents_differ_only_in_the_ranges);
    suite_add_tcase(s, tc);
    return s;
}
