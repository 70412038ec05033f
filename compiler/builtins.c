/*
 * builtins.c: the names a spec uses without declaring them.
 *
 *   - the resources User (Django's auth_user) and Token (DRF's
 *     authtoken_token), field for field as Django 3.2 and DRF 3.14 define
 *     them, so a Django database can be used as is;
 *   - DRF's classes: paginations, throttles, permissions, authenticators,
 *     filter backends, parsers, renderers and the model mixins.
 *
 * Built-in policy classes become model entities only when the spec uses
 * them (sema_policy.c), so the model lists what the server needs.
 */
#include "sema_internal.h"

typedef struct builtin_name {
    const char *name;
    sym_kind kind;
    int code;
} builtin_name;

static const builtin_name builtin_names[] = {
    { "User", SYM_RESOURCE, 0 },
    { "Token", SYM_RESOURCE, 1 },
    { "PageNumberPagination", SYM_PAGINATION, MODEL_PAGE_NUMBER },
    { "LimitOffsetPagination", SYM_PAGINATION, MODEL_LIMIT_OFFSET },
    { "CursorPagination", SYM_PAGINATION, MODEL_CURSOR },
    { "AnonRateThrottle", SYM_THROTTLE, MODEL_THROTTLE_ANON },
    { "UserRateThrottle", SYM_THROTTLE, MODEL_THROTTLE_USER },
    { "ScopedRateThrottle", SYM_THROTTLE, MODEL_THROTTLE_SCOPED },
    { "AllowAny", SYM_PERMISSION, MODEL_PERM_ALLOW_ANY },
    { "IsAuthenticated", SYM_PERMISSION, MODEL_PERM_IS_AUTHENTICATED },
    { "IsAdminUser", SYM_PERMISSION, MODEL_PERM_IS_ADMIN_USER },
    { "IsAuthenticatedOrReadOnly", SYM_PERMISSION, MODEL_PERM_IS_AUTHENTICATED_OR_READ_ONLY },
    { "TokenAuthentication", SYM_AUTHENTICATION, MODEL_AUTH_TOKEN },
    { "BasicAuthentication", SYM_AUTHENTICATION, MODEL_AUTH_BASIC },
    { "SessionAuthentication", SYM_AUTHENTICATION, MODEL_AUTH_SESSION },
    { "DjangoFilterBackend", SYM_FILTER_BACKEND, MODEL_FILTER_DJANGO },
    { "SearchFilter", SYM_FILTER_BACKEND, MODEL_FILTER_SEARCH },
    { "OrderingFilter", SYM_FILTER_BACKEND, MODEL_FILTER_ORDERING },
    { "JSONParser", SYM_PARSER, MODEL_PARSER_JSON },
    { "FormParser", SYM_PARSER, MODEL_PARSER_FORM },
    { "MultiPartParser", SYM_PARSER, MODEL_PARSER_MULTIPART },
    { "JSONRenderer", SYM_RENDERER, MODEL_RENDERER_JSON },
    { "BrowsableAPIRenderer", SYM_RENDERER, MODEL_RENDERER_BROWSABLE },
    /* Mixins: the code is the bit set of actions each one gives. */
    { "ListModelMixin", SYM_MIXIN, 1 << MODEL_ACT_LIST },
    { "CreateModelMixin", SYM_MIXIN, 1 << MODEL_ACT_CREATE },
    { "RetrieveModelMixin", SYM_MIXIN, 1 << MODEL_ACT_RETRIEVE },
    { "UpdateModelMixin", SYM_MIXIN, (1 << MODEL_ACT_UPDATE) | (1 << MODEL_ACT_PARTIAL_UPDATE) },
    { "DestroyModelMixin", SYM_MIXIN, 1 << MODEL_ACT_DESTROY },
};

void builtins_declare(sema *s)
{
    for (size_t i = 0; i < sizeof builtin_names / sizeof *builtin_names; i++) {
        sym *y = sym_add(s, builtin_names[i].name, builtin_names[i].kind, NULL);
        y->code = builtin_names[i].code;
    }
}

/* ---------------------------------------------------------------------
 * User and Token.
 */
enum {
    BF_PK = 1 << 0, BF_NULL = 1 << 1, BF_BLANK = 1 << 2, BF_UNIQUE = 1 << 3,
    BF_AUTO_NOW_ADD = 1 << 4
};
enum { BD_NONE = 0, BD_FALSE, BD_TRUE, BD_NOW };

typedef struct builtin_field {
    const char *name;
    model_ftype type;
    int32_t max_length;
    unsigned flags;
    int dflt;
    const char *verbose_name;
    const char *help_text;
} builtin_field;

static const builtin_field user_fields[] = {
    { "id", MODEL_T_AUTO, -1, BF_PK | BF_BLANK, BD_NONE, "ID", NULL },
    { "password", MODEL_T_CHAR, 128, 0, BD_NONE, "password", NULL },
    { "last_login", MODEL_T_DATETIME, -1, BF_NULL | BF_BLANK, BD_NONE, "last login", NULL },
    { "is_superuser", MODEL_T_BOOLEAN, -1, 0, BD_FALSE, "superuser status",
      "Designates that this user has all permissions without explicitly assigning them." },
    { "username", MODEL_T_CHAR, 150, BF_UNIQUE, BD_NONE, "username",
      "Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only." },
    { "first_name", MODEL_T_CHAR, 150, BF_BLANK, BD_NONE, "first name", NULL },
    { "last_name", MODEL_T_CHAR, 150, BF_BLANK, BD_NONE, "last name", NULL },
    { "email", MODEL_T_EMAIL, 254, BF_BLANK, BD_NONE, "email address", NULL },
    { "is_staff", MODEL_T_BOOLEAN, -1, 0, BD_FALSE, "staff status",
      "Designates whether the user can log into this admin site." },
    { "is_active", MODEL_T_BOOLEAN, -1, 0, BD_TRUE, "active",
      "Designates whether this user should be treated as active. "
      "Unselect this instead of deleting accounts." },
    { "date_joined", MODEL_T_DATETIME, -1, 0, BD_NOW, "date joined", NULL },
};

static const builtin_field token_fields[] = {
    { "key", MODEL_T_CHAR, 40, BF_PK | BF_UNIQUE, BD_NONE, "Key", NULL },
    /* a OneToOneField: a unique ForeignKey */
    { "user", MODEL_T_FOREIGNKEY, -1, BF_UNIQUE, BD_NONE, "User", NULL },
    { "created", MODEL_T_DATETIME, -1, BF_AUTO_NOW_ADD | BF_BLANK, BD_NONE, "Created", NULL },
};

static void builtin_default(model_field *f, int dflt)
{
    if (dflt == BD_NONE)
        return;
    f->has_default = true;
    if (dflt == BD_NOW) {
        f->default_value.kind = MODEL_V_NOW;
        return;
    }
    f->default_value.kind = MODEL_V_BOOL;
    f->default_value.b = dflt == BD_TRUE;
    f->default_value.text = f->default_value.b ? "true" : "false";
}

static model_field *builtin_field_new(sema *s, model_resource *r, const builtin_field *bf)
{
    model_field *f = rf_calloc(s->a, sizeof *f);
    f->name = bf->name;
    f->column = bf->name;
    f->type = bf->type;
    f->resource = r;
    f->index = r->nfields;
    f->primary_key = bf->flags & BF_PK;
    f->null = bf->flags & BF_NULL;
    f->blank = bf->flags & BF_BLANK;
    f->unique = bf->flags & (BF_UNIQUE | BF_PK);
    f->auto_now_add = bf->flags & BF_AUTO_NOW_ADD;
    f->editable = !f->auto_now_add;
    f->verbose_name = bf->verbose_name;
    f->help_text = bf->help_text;
    f->limits.max_length = bf->max_length;
    f->limits.min_length = f->limits.max_digits = f->limits.decimal_places = -1;
    builtin_default(f, bf->dflt);
    f->loc = sema_builtin_loc(s);
    VPUSH(s, r->fields, r->nfields, f);
    if (f->primary_key)
        r->pk = f;
    return f;
}

static model_resource *builtin_resource(sema *s, const char *name, const char *table,
                                        const char *verbose, const builtin_field *fields,
                                        size_t n)
{
    model_resource *r = rf_calloc(s->a, sizeof *r);
    r->name = name;
    r->table = table;
    r->verbose_name = verbose;
    r->builtin = true;
    r->database = s->m->databases[0];
    r->loc = sema_builtin_loc(s);
    r->index = s->m->nresources;
    for (size_t i = 0; i < n; i++)
        builtin_field_new(s, r, &fields[i]);
    VPUSH(s, s->m->resources, s->m->nresources, r);
    sym_find(s, name)->entity = r;
    return r;
}

void builtins_resources(sema *s)
{
    model_resource *user = builtin_resource(s, "User", "auth_user", "user", user_fields,
                                            sizeof user_fields / sizeof *user_fields);
    model_field *username = model_find_field(user, "username");
    username->unique_message = "A user with that username already exists.";
    model_resource *token = builtin_resource(s, "Token", "authtoken_token", "Token",
                                             token_fields,
                                             sizeof token_fields / sizeof *token_fields);
    model_field *fk = model_find_field(token, "user");
    fk->column = "user_id";
    fk->fk_target = user;
    fk->fk_target_field = user->pk;
    fk->on_delete = MODEL_CASCADE;
    fk->related_name = "auth_token";
    fk->db_index = true;
    fk->unique_message = "Token with this User already exists.";
    model_find_field(token, "key")->unique_message = "Token with this Key already exists.";
}
