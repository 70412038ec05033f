/*
 * test_openapi.c: the OpenAPI document of a small spec (compiler/
 * emit_openapi.c), read back with jansson: field schemas with their
 * constraints, 3.1's null types, DRF's operationIds made unique, the
 * paginators' envelopes, security with and without anonymous access,
 * error responses.  Validation by a real OpenAPI validator, and the served
 * API against its document, are tests/ecosystem/test_openapi.py's.
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

static json_t *document(const model *m, int pretty_depth, size_t *lines)
{
    rf_buf b;
    rf_buf_init(&b, NULL, 4096);
    openapi_document(m, &b, pretty_depth);
    json_error_t err;
    json_t *j = json_loadb(b.data, b.len, 0, &err);
    ck_assert_msg(j != NULL, "not JSON: %s", err.text);
    *lines = count_lines(&b);
    rf_buf_release(&b);
    return j;
}

static void setup(void)
{
    rf_arena *a = rf_arena_new(0);
    source src;
    source_init(&src, a, "pets.rflow", spec, strlen(spec));
    diag d;
    diag_init(&d, stderr, 0);
    diag_set_source(&d, &src);
    ast_file *f = ast_parse(a, &src, &d);
    model *m = f ? sema_check(a, f, &d) : NULL;
    ck_assert_msg(m && d.errors == 0, "the spec has errors");
    diag_free(&d);
    doc = document(m, OPENAPI_PRETTY, &pretty_lines);
    embedded = document(m, 3, &embedded_lines);
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
    return s;
}
