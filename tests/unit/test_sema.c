/* Semantic analysis: name resolution with hints, DRF's defaults and
 * settings, ModelSerializer field derivation (checked against DRF 3.14's
 * own output for the same models), ActionConfig resolution, hook forms and
 * the route table.  Diagnostics are compared as whole strings. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "model.h"
#include "routes.h"
#include "sema.h"

typedef struct checked {
    rf_arena *arena;
    source src;
    model *m;
    char *diagnostics;
    size_t diagnostics_len;
    unsigned errors, warnings;
} checked;

static void check_text(checked *c, const char *text)
{
    memset(c, 0, sizeof *c);
    c->arena = rf_arena_new(0);
    source_init(&c->src, c->arena, "t.rflow", text, strlen(text));
    FILE *out = open_memstream(&c->diagnostics, &c->diagnostics_len);
    diag d;
    diag_init(&d, out, 0);
    diag_set_source(&d, &c->src);
    ast_file *f = ast_parse(c->arena, &c->src, &d);
    ck_assert_msg(f != NULL, "syntax errors in a sema test");
    c->m = sema_check(c->arena, f, &d);
    c->errors = d.errors;
    c->warnings = d.warnings;
    diag_free(&d);
    fclose(out);
}

static void check_file(checked *c, const char *path)
{
    FILE *in = fopen(path, "rb");
    ck_assert_msg(in != NULL, "cannot open %s", path);
    char *text = NULL;
    size_t len = 0;
    FILE *buf = open_memstream(&text, &len);
    int ch;
    while ((ch = fgetc(in)) != EOF)
        fputc(ch, buf);
    fclose(buf);
    fclose(in);
    check_text(c, text);
    free(text);
}

static void done(checked *c)
{
    free(c->diagnostics);
    rf_arena_free(c->arena);
}

/* The text must check without errors (warnings allowed). */
static void check_ok(checked *c, const char *text)
{
    check_text(c, text);
    ck_assert_msg(c->m != NULL, "unexpected errors:\n%s", c->diagnostics);
}

static void assert_diagnostics(const char *text, const char *expected)
{
    checked c;
    check_text(&c, text);
    ck_assert_msg(!strcmp(c.diagnostics, expected), "diagnostics:\n%s\nexpected:\n%s",
                  c.diagnostics, expected);
    done(&c);
}

#define SPEC "spec t { title = \"T\"; }\n"

static const char product_text[] =
    SPEC
    "resource Product {\n"
    "    name = CharField(max_length = 200);\n"
    "    description = TextField(blank = true, default = \"\");\n"
    "    price = DecimalField(max_digits = 10, decimal_places = 2, min_value = 0);\n"
    "    is_top = BooleanField(default = false);\n"
    "    owner = ForeignKey(User, on_delete = CASCADE, null = true);\n"
    "    created_at = DateTimeField(auto_now_add = true);\n"
    "    sku = SlugField(unique = true, max_length = 20);\n"
    "    kind = CharField(max_length = 5, choices = [\"a\", \"b\"]);\n"
    "}\n"
    "resource Review {\n"
    "    product = ForeignKey(Product, on_delete = CASCADE, related_name = \"reviews\");\n"
    "    rating = IntegerField(min_value = 1, max_value = 5);\n"
    "    comment = TextField(blank = true);\n"
    "}\n";

/* ---- resources ---------------------------------------------------------- */

START_TEST(resource_gets_django_defaults)
{
    checked c;
    check_ok(&c, product_text);
    model_resource *p = model_find_resource(c.m, "Product");
    ck_assert_str_eq(p->table, "t_product");
    ck_assert_str_eq(p->verbose_name, "product");
    ck_assert_str_eq(p->database->name, "default");
    /* Django's automatic id comes first. */
    ck_assert_str_eq(p->fields[0]->name, "id");
    ck_assert(p->fields[0]->implicit && p->fields[0]->primary_key);
    ck_assert_ptr_eq(p->pk, p->fields[0]);
    ck_assert_str_eq(p->fields[0]->verbose_name, "ID");
    model_field *owner = model_find_field(p, "owner");
    ck_assert_str_eq(owner->column, "owner_id");
    ck_assert_ptr_eq(owner->fk_target, model_find_resource(c.m, "User"));
    ck_assert(owner->db_index);
    model_field *created = model_find_field(p, "created_at");
    ck_assert(!created->editable && created->blank);
    ck_assert_str_eq(created->verbose_name, "created at");
    model_field *sku = model_find_field(p, "sku");
    ck_assert_str_eq(sku->unique_message, "product with this sku already exists.");
    model_field *desc = model_find_field(p, "description");
    ck_assert(desc->has_default && desc->default_value.kind == MODEL_V_STRING);
    ck_assert_str_eq(desc->default_value.text, "");
    model_field *price = model_find_field(p, "price");
    ck_assert_str_eq(price->limits.min_value, "0");
    ck_assert_int_eq(price->limits.max_digits, 10);
    done(&c);
}
END_TEST

START_TEST(builtin_user_and_token_are_django_tables)
{
    checked c;
    check_ok(&c, SPEC);
    model_resource *u = model_find_resource(c.m, "User");
    ck_assert(u->builtin);
    ck_assert_str_eq(u->table, "auth_user");
    static const char *const columns[] = {
        "id", "password", "last_login", "is_superuser", "username", "first_name",
        "last_name", "email", "is_staff", "is_active", "date_joined"
    };
    ck_assert_uint_eq(u->nfields, 11);
    for (int i = 0; i < 11; i++)
        ck_assert_str_eq(u->fields[i]->column, columns[i]);
    ck_assert_str_eq(model_find_field(u, "username")->unique_message,
                     "A user with that username already exists.");
    model_resource *t = model_find_resource(c.m, "Token");
    ck_assert_str_eq(t->table, "authtoken_token");
    ck_assert_str_eq(t->pk->name, "key");
    ck_assert_str_eq(model_find_field(t, "user")->column, "user_id");
    done(&c);
}
END_TEST

START_TEST(unknown_field_type_gets_a_hint)
{
    assert_diagnostics(SPEC "resource R { name = CharFeild(max_length = 3); }\n",
                       "t.rflow:2:21: error: unknown field type 'CharFeild'; did you mean "
                       "'CharField'?\n"
                       "resource R { name = CharFeild(max_length = 3); }\n"
                       "                    ^\n");
}
END_TEST

START_TEST(django_field_checks)
{
    assert_diagnostics(SPEC "resource R {\n"
                       "    a = CharField();\n"
                       "    b = DecimalField(max_digits = 2, decimal_places = 3);\n"
                       "    c = ForeignKey(User, on_delete = SET_NULL);\n"
                       "    d = AutoField();\n"
                       "}\n",
                       "t.rflow:3:9: error: a CharField needs 'max_length'\n"
                       "    a = CharField();\n"
                       "        ^\n"
                       "t.rflow:4:55: error: 'max_digits' must be greater than or equal "
                       "to 'decimal_places'\n"
                       "    b = DecimalField(max_digits = 2, decimal_places = 3);\n"
                       "                                                      ^\n"
                       "t.rflow:5:38: error: on_delete = SET_NULL needs null = true\n"
                       "    c = ForeignKey(User, on_delete = SET_NULL);\n"
                       "                                     ^\n"
                       "t.rflow:6:9: error: an AutoField must set primary_key = true\n"
                       "    d = AutoField();\n"
                       "        ^\n");
}
END_TEST

/* ---- names -------------------------------------------------------------- */

START_TEST(unknown_serializer_points_at_the_near_miss)
{
    assert_diagnostics(SPEC "resource R { n = IntegerField(); }\n"
                       "serializer RSerializer : ModelSerializer { model = R; fields = \"__all__\"; }\n"
                       "view V : ListAPIView { queryset = R; serializer_class = RSerialiser; }\n",
                       "t.rflow:4:57: error: unknown serializer 'RSerialiser'; did you mean "
                       "'RSerializer'?\n"
                       "view V : ListAPIView { queryset = R; serializer_class = RSerialiser; }\n"
                       "                                                        ^\n"
                       "t.rflow:3:12: note: 'RSerializer' declared here\n");
}
END_TEST

START_TEST(redefinition_notes_the_first)
{
    assert_diagnostics(SPEC "resource R { n = IntegerField(); }\n"
                       "resource R { m = IntegerField(); }\n",
                       "t.rflow:3:10: error: redefinition of 'R'\n"
                       "resource R { m = IntegerField(); }\n"
                       "         ^\n"
                       "t.rflow:2:10: note: previously declared here\n");
}
END_TEST

START_TEST(wrong_kind_of_name)
{
    assert_diagnostics(SPEC "resource R { n = IntegerField(); }\n"
                       "view V : ListAPIView { queryset = R; serializer_class = R; }\n",
                       "t.rflow:3:57: error: 'R' is a resource, not a serializer\n"
                       "view V : ListAPIView { queryset = R; serializer_class = R; }\n"
                       "                                                        ^\n"
                       "t.rflow:2:10: note: 'R' declared here\n");
}
END_TEST

/* ---- settings ----------------------------------------------------------- */

START_TEST(settings_default_to_drf)
{
    checked c;
    check_ok(&c, SPEC);
    model_settings *st = &c.m->settings;
    ck_assert_uint_eq(st->nauthentication_classes, 2);
    ck_assert_int_eq(st->authentication_classes[0]->builtin, MODEL_AUTH_SESSION);
    ck_assert_ptr_null(st->authentication_classes[0]->www_authenticate);
    ck_assert_int_eq(st->authentication_classes[1]->builtin, MODEL_AUTH_BASIC);
    ck_assert_str_eq(st->authentication_classes[1]->www_authenticate, "Basic realm=\"api\"");
    ck_assert_uint_eq(st->npermission_classes, 1);
    ck_assert_int_eq(st->permission_classes[0]->leaf->builtin, MODEL_PERM_ALLOW_ANY);
    ck_assert_uint_eq(st->nthrottle_classes, 0);
    ck_assert_uint_eq(st->nthrottle_rates, 2);   /* user: None, anon: None */
    ck_assert_ptr_null(st->throttle_rates[0]->text);
    ck_assert_ptr_null(st->pagination_class);
    ck_assert_int_eq(st->page_size, -1);
    ck_assert_uint_eq(st->nfilter_backends, 0);
    ck_assert_uint_eq(st->nrenderers, 2);
    ck_assert_int_eq(st->renderers[1], MODEL_RENDERER_BROWSABLE);
    ck_assert_uint_eq(st->nparsers, 3);
    ck_assert_str_eq(st->search_param, "search");
    ck_assert_str_eq(st->ordering_param, "ordering");
    ck_assert_int_eq(st->num_proxies, -1);
    done(&c);
}
END_TEST

START_TEST(page_size_feeds_the_paginators)
{
    checked c;
    check_ok(&c, SPEC "settings { PAGE_SIZE = 7; DEFAULT_PAGINATION_CLASS = LimitOffsetPagination; }\n"
             "pagination P : PageNumberPagination { max_page_size = 50; }\n"
             "pagination C : CursorPagination { page_size = 3; }\n");
    model_pagination *lo = c.m->settings.pagination_class;
    ck_assert_int_eq(lo->kind, MODEL_LIMIT_OFFSET);
    ck_assert_int_eq(lo->default_limit, 7);
    ck_assert_int_eq(lo->max_limit, -1);
    ck_assert_str_eq(lo->limit_query_param, "limit");
    for (uint32_t i = 0; i < c.m->npaginations; i++) {
        model_pagination *p = c.m->paginations[i];
        if (!strcmp(p->name, "P")) {
            ck_assert_int_eq(p->page_size, 7);
            ck_assert_int_eq(p->max_page_size, 50);
            ck_assert_ptr_null(p->page_size_query_param);
            ck_assert_str_eq(p->last_page_strings[0], "last");
        } else if (!strcmp(p->name, "C")) {
            ck_assert_int_eq(p->page_size, 3);
            ck_assert_str_eq(p->ordering[0]->name, "created");   /* DRF: '-created' */
            ck_assert(p->ordering[0]->desc);
            ck_assert_int_eq(p->offset_cutoff, 1000);
        }
    }
    done(&c);
}
END_TEST

START_TEST(throttle_rates_read_the_first_letter_only)
{
    checked c;
    check_ok(&c, SPEC "settings { DEFAULT_THROTTLE_RATES = { anon: \"5/minute\", "
             "user: \"100/d\", burst: \"3/sec\" }; }\n"
             "throttle A : AnonRateThrottle {}\n"
             "throttle B : UserRateThrottle { scope = \"burst\"; }\n"
             "throttle H : UserRateThrottle { rate = \"7/hours\"; }\n");
    for (uint32_t i = 0; i < c.m->nthrottles; i++) {
        model_throttle *t = c.m->throttles[i];
        if (!strcmp(t->name, "A")) {
            ck_assert_str_eq(t->scope, "anon");
            ck_assert_int_eq(t->rate.num_requests, 5);
            ck_assert_int_eq(t->rate.duration, 60);
        } else if (!strcmp(t->name, "B")) {
            ck_assert_str_eq(t->scope, "burst");
            ck_assert_int_eq(t->rate.num_requests, 3);
            ck_assert_int_eq(t->rate.duration, 1);
        } else {
            ck_assert_str_eq(t->scope, "user");    /* the cache key keeps 'user' */
            ck_assert_int_eq(t->rate.num_requests, 7);
            ck_assert_int_eq(t->rate.duration, 3600);
        }
    }
    done(&c);
}
END_TEST

START_TEST(bad_rate_and_missing_scope)
{
    assert_diagnostics(SPEC "settings { DEFAULT_THROTTLE_RATES = { anon: \"10/x\" }; }\n"
                       "throttle U : UserRateThrottle {}\n",
                       "t.rflow:2:45: error: invalid throttle rate \"10/x\"; expected N/s, "
                       "N/m, N/h or N/d (only the first letter of the period counts: "
                       "\"100/hour\" works)\n"
                       "settings { DEFAULT_THROTTLE_RATES = { anon: \"10/x\" }; }\n"
                       "                                            ^\n"
                       "t.rflow:3:10: error: throttle 'U' has no rate: DEFAULT_THROTTLE_RATES "
                       "has no 'user' key; set `rate = \"N/period\";` or add 'user' to "
                       "DEFAULT_THROTTLE_RATES\n"
                       "throttle U : UserRateThrottle {}\n"
                       "         ^\n");
}
END_TEST

/* ---- ModelSerializer ---------------------------------------------------- */

/* DRF 3.14 prints, for ModelSerializer(model=Product, fields='__all__'):
 *   id = IntegerField(label='ID', read_only=True)
 *   name = CharField(max_length=200)
 *   description = CharField(allow_blank=True, required=False, ...)
 *   price = DecimalField(decimal_places=2, max_digits=10, min_value=0)
 *   is_top = BooleanField(required=False)
 *   created_at = DateTimeField(read_only=True)
 *   sku = SlugField(allow_unicode=False, max_length=20, validators=[<UniqueValidator>])
 *   kind = ChoiceField(choices=[('a', 'a'), ('b', 'b')])
 *   owner = PrimaryKeyRelatedField(allow_null=True, queryset=User.objects.all(),
 *                                  required=False)                              */
START_TEST(all_fields_follow_drf)
{
    checked c;
    char text[4096];
    snprintf(text, sizeof text, "%s%s", product_text,
             "serializer S : ModelSerializer { model = Product; fields = \"__all__\"; }\n");
    check_ok(&c, text);
    model_serializer *s = model_find_serializer(c.m, "S");
    static const char *const order[] = {
        "id", "name", "description", "price", "is_top", "created_at", "sku", "kind", "owner"
    };
    ck_assert_uint_eq(s->nfields, 9);
    for (int i = 0; i < 9; i++)
        ck_assert_str_eq(s->fields[i]->name, order[i]);
    model_sfield *id = s->fields[0];
    ck_assert(id->read_only && !id->required);
    ck_assert_str_eq(id->label, "ID");
    model_sfield *name = s->fields[1];
    ck_assert(name->required && !name->allow_blank);
    ck_assert_int_eq(name->limits.max_length, 200);
    ck_assert_int_eq(name->sclass, MODEL_SC_CHAR);
    model_sfield *desc = s->fields[2];
    ck_assert(!desc->required && desc->allow_blank && !desc->has_default);
    model_sfield *price = s->fields[3];
    ck_assert_str_eq(price->limits.min_value, "0");
    ck_assert_int_eq(price->limits.decimal_places, 2);
    ck_assert(!s->fields[4]->required);
    ck_assert(s->fields[5]->read_only);
    model_sfield *sku = s->fields[6];
    ck_assert(sku->unique && sku->required);
    ck_assert_str_eq(sku->unique_message, "product with this sku already exists.");
    model_sfield *kind = s->fields[7];
    ck_assert_int_eq(kind->sclass, MODEL_SC_CHOICE);
    ck_assert_int_eq(kind->limits.max_length, -1);   /* dropped for ChoiceField */
    ck_assert_uint_eq(kind->limits.nchoices, 2);
    model_sfield *owner = s->fields[8];
    ck_assert_int_eq(owner->sclass, MODEL_SC_PRIMARY_KEY_RELATED);
    ck_assert(owner->allow_null && !owner->required && !owner->read_only);
    ck_assert_ptr_eq(owner->related, model_find_resource(c.m, "User"));
    done(&c);
}
END_TEST

/* Django's IntegerField(choices=[(1, "Urgent"), (-2, "Never")]) and DRF's
 * ChoiceField(choices={1: "One"}): a map with integer keys (it did not
 * parse: map keys were names and strings only). */
START_TEST(integer_choices_take_labels_from_a_map)
{
    checked c;
    check_ok(&c, SPEC
             "resource Ticket {\n"
             "    priority = IntegerField(choices = { 1: \"Urgent\", -2: \"Never\" });\n"
             "}\n"
             "serializer S : Serializer { level = ChoiceField(choices = { 3: \"Three\" }); }\n");
    const model_field *priority = model_find_field(model_find_resource(c.m, "Ticket"), "priority");
    ck_assert_uint_eq(priority->limits.nchoices, 2);
    ck_assert_int_eq(priority->limits.choices[1]->value.i, -2);
    ck_assert_str_eq(priority->limits.choices[1]->value.text, "-2");
    ck_assert_str_eq(priority->limits.choices[1]->label, "Never");
    const model_sfield *level = model_find_serializer(c.m, "S")->fields[0];
    ck_assert_int_eq(level->type, MODEL_T_INTEGER);
    ck_assert_str_eq(level->limits.choices[0]->label, "Three");
    done(&c);
    assert_diagnostics(SPEC "resource R { k = CharField(max_length = 2, choices = { 1: \"x\" }); }\n",
                       "t.rflow:2:56: error: a choice of a CharField must be a string, not an "
                       "integer\n"
                       "resource R { k = CharField(max_length = 2, choices = { 1: \"x\" }); }\n"
                       "                                                       ^\n");
}
END_TEST

START_TEST(read_only_fields_and_extra_kwargs_as_drf_merges_them)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", product_text,
             "serializer S : ModelSerializer {\n"
             "    model = Product;\n"
             "    fields = [name, sku, owner, price];\n"
             "    read_only_fields = [sku, owner];\n"
             "    extra_kwargs = { price: { write_only: true, max_value: 99 } };\n"
             "}\n");
    checked c;
    check_ok(&c, text);
    model_serializer *s = model_find_serializer(c.m, "S");
    model_sfield *sku = model_find_sfield(s, "sku");
    /* read_only pops required, max_length and the validators */
    ck_assert(sku->read_only && !sku->required && !sku->unique);
    ck_assert_int_eq(sku->limits.max_length, -1);
    model_sfield *owner = model_find_sfield(s, "owner");
    ck_assert(owner->read_only && owner->allow_null);
    ck_assert_ptr_null(owner->related);
    model_sfield *price = model_find_sfield(s, "price");
    ck_assert(price->write_only && price->required);
    ck_assert_str_eq(price->limits.max_value, "99");
    ck_assert_str_eq(price->limits.min_value, "0");
    done(&c);
}
END_TEST

START_TEST(dotted_source_needs_a_join_and_read_only)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", product_text,
             "serializer S : ModelSerializer {\n"
             "    model = Review;\n"
             "    fields = [id, owner_name, product_name];\n"
             "    owner_name = CharField(source = \"product.owner.username\", read_only = true);\n"
             "    product_name = ReadOnlyField(source = product.name);\n"
             "}\n");
    checked c;
    check_ok(&c, text);
    model_serializer *s = model_find_serializer(c.m, "S");
    ck_assert_uint_eq(s->njoins, 2);
    ck_assert_int_eq(s->joins[0]->from, -1);
    ck_assert_str_eq(s->joins[0]->fk->name, "product");
    ck_assert_int_eq(s->joins[1]->from, 0);
    ck_assert_str_eq(s->joins[1]->fk->name, "owner");
    model_sfield *on = model_find_sfield(s, "owner_name");
    ck_assert_int_eq(on->source_kind, MODEL_SRC_PATH);
    ck_assert_int_eq(on->join, 1);
    ck_assert_uint_eq(on->source.nhops, 3);
    model_sfield *pn = model_find_sfield(s, "product_name");
    ck_assert_int_eq(pn->join, 0);   /* the product join is shared */
    ck_assert_int_eq(pn->type, MODEL_T_CHAR);
    ck_assert(pn->read_only);
    done(&c);
}
END_TEST

START_TEST(writable_dotted_source_is_an_error)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", product_text,
             "serializer S : ModelSerializer {\n"
             "    model = Review;\n"
             "    fields = [pname];\n"
             "    pname = CharField(source = \"product.name\");\n"
             "}\n");
    checked c;
    check_text(&c, text);
    ck_assert_ptr_null(c.m);
    ck_assert_msg(strstr(c.diagnostics, "field 'pname' has the dotted source 'product.name', "
                         "so it must be read_only = true"), "%s", c.diagnostics);
    done(&c);
}
END_TEST

/* ---- views and ActionConfig --------------------------------------------- */

START_TEST(shop_action_configs)
{
    checked c;
    check_file(&c, "specs/shop.rflow");
    ck_assert_msg(c.m != NULL, "%s", c.diagnostics);
    ck_assert_uint_eq(c.warnings, 2);   /* Uploads: DRF ignores a scoped throttle's own rate */
    model_view *v = model_find_view(c.m, "Products");
    ck_assert(v->is_async);
    ck_assert_int_eq(v->kind, MODEL_VIEW_VIEWSET);
    ck_assert_str_eq(v->lookup_field->name, "id");
    ck_assert_str_eq(v->lookup_url_kwarg, "id");
    static const char *const names[] = {
        "list", "create", "retrieve", "update", "partial_update", "destroy", "publish"
    };
    ck_assert_uint_eq(v->nactions, 7);
    for (int i = 0; i < 7; i++)
        ck_assert_str_eq(v->actions[i]->name, names[i]);

    model_action *list = model_find_action(v, "list");
    ck_assert_str_eq(list->config.request_serializer->name, "ProductListItem");
    ck_assert_str_eq(list->config.response_serializer->name, "ProductListItem");
    ck_assert_uint_eq(list->overridden, MODEL_AC_SERIALIZER_CLASS);
    ck_assert_str_eq(list->config.paginator->name, "Pages");

    model_action *create = model_find_action(v, "create");
    ck_assert_str_eq(create->config.request_serializer->name, "ProductCreate");
    ck_assert_str_eq(create->config.response_serializer->name, "ProductSerializer");
    ck_assert_uint_eq(create->config.npermissions, 1);
    ck_assert_int_eq(create->config.permissions[0]->op, MODEL_P_LEAF);
    ck_assert_str_eq(create->config.permissions[0]->leaf->name, "IsAuthenticated");
    ck_assert_uint_eq(create->config.nthrottles, 1);
    ck_assert_str_eq(create->config.throttles[0]->throttle->name, "Uploads");
    ck_assert(!create->config.throttles[0]->active);   /* no throttle_scope on Products */

    /* The view's expression: IsAuthenticatedOrReadOnly & (IsOwner | IsAdminUser). */
    model_action *retrieve = model_find_action(v, "retrieve");
    model_perm_expr *p = retrieve->config.permissions[0];
    ck_assert_int_eq(p->op, MODEL_P_AND);
    ck_assert_str_eq(p->a->leaf->name, "IsAuthenticatedOrReadOnly");
    ck_assert_int_eq(p->b->op, MODEL_P_OR);
    ck_assert_str_eq(p->b->a->leaf->name, "IsOwner");
    ck_assert_str_eq(p->b->b->leaf->name, "IsAdminUser");
    model_throttle_use *burst = retrieve->config.throttles[0];
    ck_assert(burst->active);
    ck_assert_str_eq(burst->scope, "user");
    ck_assert_int_eq(burst->num_requests, 60);
    ck_assert_int_eq(burst->duration, 60);
    ck_assert_str_eq(retrieve->config.queryset->resource->name, "Product");

    model_action *destroy = model_find_action(v, "destroy");
    ck_assert_str_eq(destroy->config.permissions[0]->leaf->name, "IsAdminUser");

    model_action *publish = model_find_action(v, "publish");
    ck_assert(publish->extra && publish->detail);
    ck_assert_uint_eq(publish->methods, MODEL_POST);
    ck_assert_str_eq(publish->url_path, "publish");
    ck_assert_str_eq(publish->display_name, "Publish");
    ck_assert_str_eq(publish->handler->function, "shop_product_publish");
    ck_assert_int_eq(publish->handler->form, MODEL_HOOK_ASYNC);
    ck_assert_int_eq(v->hooks.perform_create->form, MODEL_HOOK_ASYNC);
    ck_assert_int_eq(v->hooks.perform_create->sig, MODEL_SIG_OBJ);
    done(&c);
}
END_TEST

START_TEST(shop_postfetch_binding)
{
    checked c;
    check_file(&c, "specs/shop.rflow");
    ck_assert_ptr_nonnull(c.m);
    model_postfetch *pf = c.m->postfetches[0];
    ck_assert_str_eq(pf->to_attr, "latest_review");
    ck_assert_str_eq(pf->related_key->name, "product");
    ck_assert_str_eq(pf->base->name, "Product");
    ck_assert_str_eq(pf->base_key->name, "id");
    ck_assert_int_eq(pf->limit, 1);
    ck_assert_uint_eq(pf->nvalues, 3);
    model_serializer *ps = model_find_serializer(c.m, "ProductSerializer");
    model_sfield *lr = model_find_sfield(ps, "latest_review");
    ck_assert_int_eq(lr->source_kind, MODEL_SRC_ATTACH);
    ck_assert_ptr_eq(lr->attach_postfetch, pf);
    ck_assert(lr->read_only && lr->allow_null && !lr->many);
    model_serializer *brief = model_find_serializer(c.m, "ReviewBrief");
    ck_assert_ptr_eq(brief->instance, model_find_resource(c.m, "Review"));
    ck_assert_str_eq(brief->fields[1]->model_field->name, "rating");
    /* ReviewSerializer's "__all__": pk, plain fields, then the ForeignKey */
    model_serializer *rs = model_find_serializer(c.m, "ReviewSerializer");
    ck_assert_str_eq(rs->fields[4]->name, "product");
    ck_assert(rs->fields[4]->read_only);
    done(&c);
}
END_TEST

START_TEST(hook_forms_follow_the_view)
{
    checked c;
    check_ok(&c, SPEC
             "view A : APIView { get = a_get; post = async(a_post); }\n"
             "view B : AsyncAPIView { get = b_get; post = blocking(b_post); }\n"
             "view C : AsyncAPIView { blocking = true; get = c_get; put = sync(c_put); }\n"
             "permission P : BasePermission { has_permission = p_has; }\n"
             "permission Q : BasePermission { has_permission = q_has; async = true; }\n"
             "urls { path(\"a/\", A); path(\"b/\", B); path(\"c/\", C); }\n");
    model_view *a = model_find_view(c.m, "A"), *b = model_find_view(c.m, "B"),
               *cv = model_find_view(c.m, "C");
    ck_assert_int_eq(model_find_action(a, "get")->handler->form, MODEL_HOOK_BLOCKING);
    ck_assert_int_eq(model_find_action(a, "post")->handler->form, MODEL_HOOK_ASYNC);
    ck_assert_int_eq(model_find_action(b, "get")->handler->form, MODEL_HOOK_ASYNC);
    ck_assert_int_eq(model_find_action(b, "post")->handler->form, MODEL_HOOK_BLOCKING);
    ck_assert_int_eq(model_find_action(cv, "get")->handler->form, MODEL_HOOK_BLOCKING);
    ck_assert_int_eq(model_find_action(cv, "put")->handler->form, MODEL_HOOK_SYNC);
    ck_assert(model_find_action(cv, "put")->handler->form_explicit);
    for (uint32_t i = 0; i < c.m->npermissions; i++) {
        model_permission *p = c.m->permissions[i];
        if (!strcmp(p->name, "P"))
            ck_assert_int_eq(p->has_permission->form, MODEL_HOOK_SYNC);
        if (!strcmp(p->name, "Q"))
            ck_assert_int_eq(p->has_permission->form, MODEL_HOOK_ASYNC);
    }
    ck_assert_uint_eq(c.m->nhooks, 8);
    done(&c);
}
END_TEST

START_TEST(hook_names_must_be_c_functions)
{
    assert_diagnostics(SPEC "view A : APIView { get = int; post = rf_post; put = _x; }\n"
                       "urls { path(\"a/\", A); }\n",
                       "t.rflow:2:26: error: hook 'int' cannot name a C function: it is a "
                       "C keyword\n"
                       "view A : APIView { get = int; post = rf_post; put = _x; }\n"
                       "                         ^\n"
                       "t.rflow:2:38: error: hook 'rf_post' cannot name a C function: it "
                       "uses the runtime's prefix rf_\n"
                       "view A : APIView { get = int; post = rf_post; put = _x; }\n"
                       "                                     ^\n"
                       "t.rflow:2:53: error: hook '_x' cannot name a C function: it starts "
                       "with an underscore, reserved to the C implementation\n"
                       "view A : APIView { get = int; post = rf_post; put = _x; }\n"
                       "                                                    ^\n");
}
END_TEST

START_TEST(action_block_overrides_only_known_keys)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", product_text,
             "serializer S : ModelSerializer { model = Review; fields = \"__all__\"; }\n"
             "viewset V : AsyncGenericViewSet {\n"
             "    mixins = [ListModelMixin, CreateModelMixin];\n"
             "    queryset = Review;\n"
             "    serializer_class = S;\n"
             "    action retrieve { serializer_class = S; }\n"
             "    action create { lookup_field = id; }\n"
             "}\n"
             "router r : SimpleRouter { register(\"reviews\", V); }\n"
             "urls { include(\"\", r); }\n");
    checked c;
    check_text(&c, text);
    ck_assert_str_eq(c.diagnostics,
                     "t.rflow:22:12: error: view 'V' has no action 'retrieve'; AsyncGenericViewSet "
                     "gives no retrieve action\n"
                     "    action retrieve { serializer_class = S; }\n"
                     "           ^\n"
                     "t.rflow:23:21: error: 'lookup_field' cannot be set per action; an "
                     "action block sets serializer_class, request_serializer_class, "
                     "response_serializer_class, permission_classes, throttle_classes, "
                     "parser_classes, renderer_classes, pagination_class or queryset\n"
                     "    action create { lookup_field = id; }\n"
                     "                    ^\n");
    done(&c);
}
END_TEST

/* ---- routes ------------------------------------------------------------- */

START_TEST(shop_route_table_is_drfs)
{
    checked c;
    check_file(&c, "specs/shop.rflow");
    ck_assert_ptr_nonnull(c.m);
    static const char *const patterns[][3] = {
        { "api/products/", "api/ ^products/$", "product-list" },
        { "api/products/{id:lookup}/", "api/ ^products/(?P<id>[^/.]+)/$", "product-detail" },
        { "api/products/{id:lookup}/publish/", "api/ ^products/(?P<id>[^/.]+)/publish/$",
          "product-publish" },
        { "api/reviews/", "api/ ^reviews/$", "review-list" },
        { "api/reviews/{pk:lookup}/", "api/ ^reviews/(?P<pk>[^/.]+)/$", "review-detail" },
        { "api/", "api/ ^$", "api-root" },
        { "api/top-products/", "api/top-products/", NULL },
        { "api/products/{product_id:int}/reviews/", "api/products/<int:product_id>/reviews/",
          NULL },
    };
    ck_assert_uint_eq(c.m->nroutes, 8);
    for (int i = 0; i < 8; i++) {
        model_route *r = c.m->routes[i];
        ck_assert_str_eq(r->pattern, patterns[i][0]);
        ck_assert_str_eq(r->django, patterns[i][1]);
        if (patterns[i][2])
            ck_assert_str_eq(r->url_name, patterns[i][2]);
        else
            ck_assert_ptr_null(r->url_name);
    }
    model_route *list = c.m->routes[0];
    ck_assert_str_eq(list->by_method[0]->name, "list");
    ck_assert_str_eq(list->by_method[1]->name, "create");
    ck_assert_ptr_null(list->by_method[2]);
    ck_assert_str_eq(list->display_name, "Products List");
    ck_assert_str_eq(c.m->routes[1]->display_name, "Products Instance");
    ck_assert(c.m->routes[1]->detail);
    /* Reviews has no retrieve or update: only DELETE on the detail route. */
    model_route *rd = c.m->routes[4];
    ck_assert_ptr_null(rd->by_method[0]);
    ck_assert_str_eq(rd->by_method[4]->name, "destroy");
    model_route *root = c.m->routes[5];
    ck_assert_int_eq(root->kind, MODEL_ROUTE_API_ROOT);
    ck_assert_uint_eq(root->nroot, 2);
    ck_assert_str_eq(root->root[0]->prefix, "products");
    ck_assert_str_eq(root->root[1]->url_name, "review-list");
    ck_assert_str_eq(c.m->routes[6]->display_name, "Top Products");
    /* url.product_id takes the route's converter. */
    model_view *pr = model_find_view(c.m, "ProductReviews");
    ck_assert_str_eq(pr->queryset->conds[0]->value.converter, "int");
    done(&c);
}
END_TEST

START_TEST(extra_actions_route_in_name_order)
{
    checked c;
    check_ok(&c, SPEC "resource R { n = IntegerField(); }\n"
             "serializer S : ModelSerializer { model = R; fields = \"__all__\"; }\n"
             "viewset V : ReadOnlyModelViewSet {\n"
             "    queryset = R; serializer_class = S; lookup_value_regex = \"[0-9]+\";\n"
             "    extra_action zeta { detail = false; handler = v_zeta; }\n"
             "    extra_action alpha_beta { detail = false; handler = v_alpha; }\n"
             "    extra_action mark { detail = true; methods = [post, DELETE]; "
             "url_path = \"mark-it\"; handler = v_mark; }\n"
             "}\n"
             "router r : SimpleRouter { register(\"rs\", V, basename = \"thing\"); }\n"
             "urls { include(\"x/<int:tenant>/\", r); }\n");
    static const char *const django[] = {
        "x/<int:tenant>/ ^rs/$", "x/<int:tenant>/ ^rs/alpha_beta/$", "x/<int:tenant>/ ^rs/zeta/$",
        "x/<int:tenant>/ ^rs/(?P<pk>[0-9]+)/$", "x/<int:tenant>/ ^rs/(?P<pk>[0-9]+)/mark-it/$",
    };
    ck_assert_uint_eq(c.m->nroutes, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_str_eq(c.m->routes[i]->django, django[i]);
    ck_assert_str_eq(c.m->routes[1]->url_name, "thing-alpha-beta");
    ck_assert_str_eq(c.m->routes[1]->display_name, "Alpha beta");
    ck_assert_str_eq(c.m->routes[4]->pattern, "x/{tenant:int}/rs/{pk:re:[0-9]+}/mark-it/");
    ck_assert_uint_eq(c.m->routes[4]->ncaptures, 2);
    ck_assert_str_eq(c.m->routes[4]->by_method[1]->name, "mark");
    ck_assert_str_eq(c.m->routes[4]->by_method[4]->name, "mark");
    done(&c);
}
END_TEST

START_TEST(routes_print_one_line_per_method)
{
    checked c;
    check_ok(&c, SPEC "view A : APIView { get = a_get; delete = a_del; }\n"
             "urls { path(\"a/<slug:s>/\", A, name = \"a\"); }\n");
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    routes_print(c.m, f);
    fclose(f);
    ck_assert_str_eq(out,
                     "PATTERN      METHOD  VIEW.ACTION                       NAME\n"
                     "a/<slug:s>/  GET     A.get                             a\n"
                     "             DELETE  A.delete\n");
    free(out);
    done(&c);
}
END_TEST

START_TEST(nested_routes_type_url_kwargs)
{
    checked c;
    check_file(&c, "specs/blog.rflow");
    ck_assert_msg(c.m != NULL, "%s", c.diagnostics);
    model_view *pc = model_find_view(c.m, "PostComments");
    model_qcond *slug = pc->queryset->conds[0];
    ck_assert_str_eq(slug->path.text, "post.slug");
    ck_assert_uint_eq(slug->path.nhops, 2);
    ck_assert_int_eq(slug->value.kind, MODEL_V_URL_KWARG);
    ck_assert_str_eq(slug->value.text, "post_slug");
    ck_assert_str_eq(slug->value.converter, "slug");
    model_action *drafts = model_find_action(model_find_view(c.m, "Posts"), "drafts");
    model_qcond *mine = drafts->config.queryset->conds[1];
    ck_assert_int_eq(mine->value.kind, MODEL_V_REQUEST_USER);
    ck_assert_str_eq(mine->path.text, "author.user");
    /* a scoped throttle on a view with throttle_scope takes that scope's rate */
    model_throttle_use *burst = model_find_action(pc, "create")->config.throttles[1];
    ck_assert(burst->active);
    ck_assert_str_eq(burst->scope, "comments");
    ck_assert_int_eq(burst->num_requests, 20);
    ck_assert_int_eq(burst->duration, 60);
    /* PostFetch in another database */
    model_postfetch *views = NULL;
    for (uint32_t i = 0; i < c.m->npostfetches; i++)
        if (!strcmp(c.m->postfetches[i]->name, "RecentViews"))
            views = c.m->postfetches[i];
    ck_assert_str_eq(views->database->name, "analytics");
    ck_assert_str_eq(views->base->name, "Post");   /* from the views that list it */
    ck_assert_str_eq(views->related_key->name, "post_id");
    done(&c);
    check_file(&c, "specs/events.rflow");
    ck_assert_msg(c.m != NULL, "%s", c.diagnostics);
    model_view *ve = model_find_view(c.m, "VenueEvents");
    ck_assert_str_eq(ve->queryset->conds[0]->value.converter, "uuid");
    done(&c);
}
END_TEST

START_TEST(sync_views_default_to_blocking_hooks)
{
    checked c;
    check_file(&c, "specs/blog.rflow");
    ck_assert_ptr_nonnull(c.m);
    model_view *stats = model_find_view(c.m, "Stats");
    ck_assert(!stats->is_async);
    ck_assert_int_eq(model_find_action(stats, "get")->handler->form, MODEL_HOOK_BLOCKING);
    model_view *posts = model_find_view(c.m, "Posts");
    ck_assert_int_eq(posts->hooks.perform_destroy->form, MODEL_HOOK_SYNC);
    ck_assert_int_eq(model_find_action(posts, "publish")->handler->form, MODEL_HOOK_BLOCKING);
    ck_assert_int_eq(model_find_action(posts, "drafts")->handler->form, MODEL_HOOK_ASYNC);
    for (uint32_t i = 0; i < c.m->nauthentications; i++) {
        model_authentication *a = c.m->authentications[i];
        if (!strcmp(a->name, "ApiToken")) {
            ck_assert_int_eq(a->authenticate->form, MODEL_HOOK_BLOCKING);
            ck_assert_str_eq(a->www_authenticate, "Bearer realm=\"blog\"");
        }
    }
    done(&c);
}
END_TEST

START_TEST(every_example_spec_checks)
{
    static const char *const specs[] = {
        "specs/shop.rflow", "specs/blog.rflow", "specs/events.rflow"
    };
    for (int i = 0; i < 3; i++) {
        checked c;
        check_file(&c, specs[i]);
        ck_assert_msg(c.m != NULL, "%s:\n%s", specs[i], c.diagnostics);
        done(&c);
    }
}
END_TEST

Suite *make_sema_suite(void)
{
    Suite *s = suite_create("sema");
    TCase *res = tcase_create("resources");
    tcase_add_test(res, resource_gets_django_defaults);
    tcase_add_test(res, builtin_user_and_token_are_django_tables);
    tcase_add_test(res, unknown_field_type_gets_a_hint);
    tcase_add_test(res, django_field_checks);
    suite_add_tcase(s, res);
    TCase *names = tcase_create("names");
    tcase_add_test(names, unknown_serializer_points_at_the_near_miss);
    tcase_add_test(names, redefinition_notes_the_first);
    tcase_add_test(names, wrong_kind_of_name);
    suite_add_tcase(s, names);
    TCase *st = tcase_create("settings");
    tcase_add_test(st, settings_default_to_drf);
    tcase_add_test(st, page_size_feeds_the_paginators);
    tcase_add_test(st, throttle_rates_read_the_first_letter_only);
    tcase_add_test(st, bad_rate_and_missing_scope);
    suite_add_tcase(s, st);
    TCase *ser = tcase_create("serializers");
    tcase_add_test(ser, all_fields_follow_drf);
    tcase_add_test(ser, integer_choices_take_labels_from_a_map);
    tcase_add_test(ser, read_only_fields_and_extra_kwargs_as_drf_merges_them);
    tcase_add_test(ser, dotted_source_needs_a_join_and_read_only);
    tcase_add_test(ser, writable_dotted_source_is_an_error);
    suite_add_tcase(s, ser);
    TCase *views = tcase_create("views");
    tcase_add_test(views, shop_action_configs);
    tcase_add_test(views, shop_postfetch_binding);
    tcase_add_test(views, hook_forms_follow_the_view);
    tcase_add_test(views, hook_names_must_be_c_functions);
    tcase_add_test(views, action_block_overrides_only_known_keys);
    suite_add_tcase(s, views);
    TCase *routes = tcase_create("routes");
    tcase_add_test(routes, shop_route_table_is_drfs);
    tcase_add_test(routes, extra_actions_route_in_name_order);
    tcase_add_test(routes, routes_print_one_line_per_method);
    tcase_add_test(routes, nested_routes_type_url_kwargs);
    tcase_add_test(routes, sync_views_default_to_blocking_hooks);
    tcase_add_test(routes, every_example_spec_checks);
    suite_add_tcase(s, routes);
    return s;
}
