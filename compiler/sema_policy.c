/*
 * sema_policy.c: the `settings` block (REST_FRAMEWORK), paginations,
 * throttles, permissions and authenticators, and the references to them
 * that views and settings make.
 *
 * DRF reads most settings once, into class attributes: PAGE_SIZE becomes
 * PageNumberPagination.page_size and LimitOffsetPagination.default_limit,
 * DEFAULT_THROTTLE_RATES becomes SimpleRateThrottle.THROTTLE_RATES.  Sema
 * does the same at compile time, so the model carries final values.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "names.h"
#include "sema_internal.h"

/* ---------------------------------------------------------------------
 * Rates.
 */
bool sema_parse_rate(const char *text, int32_t *num, int32_t *duration)
{
    const char *slash = strchr(text, '/');
    if (!slash || slash == text || strchr(slash + 1, '/'))
        return false;
    long long n = 0;
    for (const char *p = text; p < slash; p++) {
        if (!isdigit((unsigned char)*p) || n > INT32_MAX / 10)
            return false;
        n = n * 10 + (*p - '0');
    }
    if (n > INT32_MAX)
        return false;
    switch (slash[1]) {   /* DRF: {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}[period[0]] */
    case 's': *duration = 1; break;
    case 'm': *duration = 60; break;
    case 'h': *duration = 3600; break;
    case 'd': *duration = 86400; break;
    default: return false;
    }
    *num = (int32_t)n;
    return true;
}

/* A rate string or null, into r. */
static bool read_rate(sema *s, const ast_expr *e, model_rate *r)
{
    r->loc = sema_loc(s, e->span);
    r->num_requests = -1;
    if (e->kind == AST_NULL) {
        r->text = NULL;
        return true;
    }
    if (e->kind != AST_STRING) {
        diag_error(s->d, e->span, "a throttle rate is a string such as \"100/hour\", "
                   "not %s", expr_desc(e));
        return false;
    }
    r->text = e->u.string.text;
    if (!sema_parse_rate(r->text, &r->num_requests, &r->duration)) {
        diag_error(s->d, e->span, "invalid throttle rate \"%s\"", r->text);
        diag_hint(s->d, "expected N/s, N/m, N/h or N/d (only the first letter of the "
                  "period counts: \"100/hour\" works)");
        return false;
    }
    return true;
}

model_rate *sema_rate_for_scope(sema *s, const char *scope)
{
    for (uint32_t i = 0; i < s->m->settings.nthrottle_rates; i++)
        if (strcmp(s->m->settings.throttle_rates[i]->scope, scope) == 0)
            return s->m->settings.throttle_rates[i];
    return NULL;
}

/* ---------------------------------------------------------------------
 * Settings.
 */
static const char *const settings_keys[] = {
    "DEFAULT_AUTHENTICATION_CLASSES", "DEFAULT_PERMISSION_CLASSES",
    "DEFAULT_THROTTLE_CLASSES", "DEFAULT_THROTTLE_RATES", "DEFAULT_PAGINATION_CLASS",
    "PAGE_SIZE", "DEFAULT_FILTER_BACKENDS", "DEFAULT_RENDERER_CLASSES",
    "DEFAULT_PARSER_CLASSES", "SEARCH_PARAM", "ORDERING_PARAM", "NUM_PROXIES", NULL
};

/* DRF settings restflow does not take, so they get a precise message. */
static const char *const unsupported_settings[] = {
    "DEFAULT_CONTENT_NEGOTIATION_CLASS", "DEFAULT_METADATA_CLASS",
    "DEFAULT_VERSIONING_CLASS", "DEFAULT_SCHEMA_CLASS", "UNAUTHENTICATED_USER",
    "UNAUTHENTICATED_TOKEN", "VIEW_NAME_FUNCTION", "VIEW_DESCRIPTION_FUNCTION",
    "EXCEPTION_HANDLER", "NON_FIELD_ERRORS_KEY", "URL_FORMAT_OVERRIDE",
    "FORMAT_SUFFIX_KWARG", "URL_FIELD_NAME", "DATE_FORMAT", "DATE_INPUT_FORMATS",
    "DATETIME_FORMAT", "DATETIME_INPUT_FORMATS", "TIME_FORMAT", "TIME_INPUT_FORMATS",
    "UNICODE_JSON", "COMPACT_JSON", "STRICT_JSON", "COERCE_DECIMAL_TO_STRING",
    "UPLOADED_FILES_USE_URL", "HTML_SELECT_CUTOFF", "HTML_SELECT_CUTOFF_TEXT",
    "TEST_REQUEST_RENDERER_CLASSES", "TEST_REQUEST_DEFAULT_FORMAT",
    "DEFAULT_VERSION", "ALLOWED_VERSIONS", "VERSION_PARAM", NULL
};

static model_settings defaults(sema *s)
{
    static model_renderer renderers[] = { MODEL_RENDERER_JSON, MODEL_RENDERER_BROWSABLE };
    static model_parser parsers[] = { MODEL_PARSER_JSON, MODEL_PARSER_FORM,
                                      MODEL_PARSER_MULTIPART };
    model_settings st = {
        .page_size = -1,
        .renderers = renderers, .nrenderers = 2,
        .parsers = parsers, .nparsers = 3,
        .search_param = "search", .ordering_param = "ordering",
        .num_proxies = -1,
        .loc = sema_builtin_loc(s),
    };
    /* DRF: {'user': None, 'anon': None} */
    static const char *const scopes[] = { "user", "anon" };
    for (int i = 0; i < 2; i++) {
        model_rate *r = rf_calloc(s->a, sizeof *r);
        r->scope = scopes[i];
        r->num_requests = -1;
        r->loc = st.loc;
        VPUSH(s, st.throttle_rates, st.nthrottle_rates, r);
    }
    return st;
}

static void settings_rates(sema *s, const ast_member *m)
{
    if (m->value->kind != AST_MAP) {
        diag_error(s->d, m->value->span, "'DEFAULT_THROTTLE_RATES' expects a map from "
                   "scope to rate: { anon: \"100/day\" }, not %s", expr_desc(m->value));
        return;
    }
    /* The spec's map replaces DRF's default whole, as a Django setting does. */
    model_settings *st = &s->m->settings;
    st->throttle_rates = NULL;
    st->nthrottle_rates = 0;
    for (uint32_t i = 0; i < m->value->u.map.count; i++) {
        const ast_entry *en = m->value->u.map.items[i];
        if (sema_rate_for_scope(s, en->key->text)) {
            diag_error(s->d, en->key->span, "scope '%s' has two rates", en->key->text);
            continue;
        }
        model_rate *r = rf_calloc(s->a, sizeof *r);
        r->scope = en->key->text;
        if (read_rate(s, en->value, r))
            VPUSH(s, st->throttle_rates, st->nthrottle_rates, r);
    }
}

static void settings_int_or_null(sema *s, members *ms, const char *key, int64_t lo,
                                 int32_t *out)
{
    const ast_member *m = members_take(ms, key);
    int64_t v;
    if (!m || m->value->kind == AST_NULL)
        return;
    if (read_int(s, m, lo, INT32_MAX, &v))
        *out = (int32_t)v;
}

static void settings_param(sema *s, members *ms, const char *key, const char **out)
{
    const ast_member *m = members_take(ms, key);
    if (m && read_string(s, m, out) && !**out)
        diag_error(s->d, m->value->span, "'%s' cannot be empty", key);
}

void sema_settings_scalars(sema *s)
{
    s->m->settings = defaults(s);
    const ast_block *b = s->settings_block;
    if (!b)
        return;
    sema_reject_nested(s, b, "settings");
    s->m->settings.loc = sema_loc(s, b->span);
    members *ms = &s->settings_members;
    members_init(s, ms, b);
    const ast_member *rates = members_take(ms, "DEFAULT_THROTTLE_RATES");
    if (rates)
        settings_rates(s, rates);
    settings_int_or_null(s, ms, "PAGE_SIZE", 1, &s->m->settings.page_size);
    settings_int_or_null(s, ms, "NUM_PROXIES", 0, &s->m->settings.num_proxies);
    settings_param(s, ms, "SEARCH_PARAM", &s->m->settings.search_param);
    settings_param(s, ms, "ORDERING_PARAM", &s->m->settings.ordering_param);
}

static void reject_settings_rest(sema *s, members *ms)
{
    for (uint32_t i = 0; i < ms->n; i++) {
        if (ms->taken[i])
            continue;
        const char *k = ms->items[i]->key->text;
        for (int j = 0; unsupported_settings[j]; j++) {
            if (strcmp(k, unsupported_settings[j]) == 0) {
                diag_error(s->d, ms->items[i]->key->span, "DRF setting '%s' is not "
                           "supported by restflow", k);
                ms->taken[i] = true;
            }
        }
    }
    members_reject_rest(s, ms, "settings", settings_keys);
}

/* DRF's defaults for the class lists the spec leaves out.  restflow keeps
 * SessionAuthentication first, as DRF does, though it never authenticates:
 * see model_builtin_auth. */
static void default_class_lists(sema *s, bool auth_set, bool perm_set)
{
    model_settings *st = &s->m->settings;
    span at = s->settings_block ? s->settings_block->kind_word->span : s->m->loc.span;
    if (!auth_set) {
        static const char *const chain[] = { "SessionAuthentication", "BasicAuthentication" };
        for (int i = 0; i < 2; i++) {
            model_authentication *a = sema_builtin_entity(s, sym_find(s, chain[i]), at);
            VPUSH(s, st->authentication_classes, st->nauthentication_classes, a);
        }
    }
    if (!perm_set) {
        model_perm_expr *p = rf_calloc(s->a, sizeof *p);
        p->op = MODEL_P_LEAF;
        p->leaf = sema_builtin_entity(s, sym_find(s, "AllowAny"), at);
        p->loc = sema_builtin_loc(s);
        VPUSH(s, st->permission_classes, st->npermission_classes, p);
    }
}

void sema_settings_classes(sema *s)
{
    model_settings *st = &s->m->settings;
    members *ms = &s->settings_members;
    const ast_member *auth = NULL, *perm = NULL, *m;
    if (s->settings_block) {
        if ((auth = members_take(ms, "DEFAULT_AUTHENTICATION_CLASSES")))
            sema_auth_list(s, auth, &st->authentication_classes,
                           &st->nauthentication_classes);
        if ((perm = members_take(ms, "DEFAULT_PERMISSION_CLASSES")))
            sema_perm_list(s, perm, &st->permission_classes, &st->npermission_classes);
        if ((m = members_take(ms, "DEFAULT_THROTTLE_CLASSES")))
            sema_throttle_list(s, m, &st->throttle_classes, &st->nthrottle_classes);
        if ((m = members_take(ms, "DEFAULT_PAGINATION_CLASS")))
            sema_pagination_ref(s, m, &st->pagination_class);
        if ((m = members_take(ms, "DEFAULT_FILTER_BACKENDS")))
            sema_filter_list(s, m, &st->filter_backends, &st->nfilter_backends);
        if ((m = members_take(ms, "DEFAULT_RENDERER_CLASSES")))
            sema_renderer_list(s, m, &st->renderers, &st->nrenderers);
        if ((m = members_take(ms, "DEFAULT_PARSER_CLASSES")))
            sema_parser_list(s, m, &st->parsers, &st->nparsers);
        reject_settings_rest(s, ms);
        const ast_member *ps = block_member(s->settings_block, "PAGE_SIZE");
        if (ps && ps->value->kind != AST_NULL && !st->pagination_class)
            diag_warning(s->d, ps->key->span, "PAGE_SIZE is set but "
                         "DEFAULT_PAGINATION_CLASS is not: only views that set "
                         "pagination_class paginate");
    }
    default_class_lists(s, auth != NULL, perm != NULL);
}

/* ---------------------------------------------------------------------
 * Paginations.
 */
static model_pagination *pagination_new(sema *s, const char *name, model_pager_kind kind,
                                        model_loc loc)
{
    static const char *last[] = { "last" };
    static model_order_name created = { .name = "created", .desc = true };
    static model_order_name *created_list[] = { &created };
    model_pagination *p = rf_calloc(s->a, sizeof *p);
    p->name = name;
    p->kind = kind;
    p->loc = loc;
    p->page_size = s->m->settings.page_size;
    p->page_query_param = "page";
    p->max_page_size = -1;
    p->last_page_strings = last;
    p->nlast_page_strings = 1;
    p->default_limit = s->m->settings.page_size;
    p->limit_query_param = "limit";
    p->offset_query_param = "offset";
    p->max_limit = -1;
    p->cursor_query_param = "cursor";
    p->offset_cutoff = 1000;
    if (kind == MODEL_CURSOR) {
        p->ordering = created_list;   /* DRF: ordering = '-created' */
        p->nordering = 1;
    }
    VPUSH(s, s->m->paginations, s->m->npaginations, p);
    return p;
}

static const char *const page_number_keys[] = {
    "page_size", "page_query_param", "page_size_query_param", "max_page_size",
    "last_page_strings", NULL
};
static const char *const limit_offset_keys[] = {
    "default_limit", "limit_query_param", "offset_query_param", "max_limit", NULL
};
static const char *const cursor_keys[] = {
    "page_size", "cursor_query_param", "ordering", "page_size_query_param",
    "max_page_size", "offset_cutoff", NULL
};

static void take_int(sema *s, members *ms, const char *key, int64_t lo, int32_t *out)
{
    const ast_member *m = members_take(ms, key);
    int64_t v;
    if (!m)
        return;
    if (m->value->kind == AST_NULL)
        *out = -1;
    else if (read_int(s, m, lo, INT32_MAX, &v))
        *out = (int32_t)v;
}

static void take_param(sema *s, members *ms, const char *key, bool nullable,
                       const char **out)
{
    const ast_member *m = members_take(ms, key);
    if (!m)
        return;
    if (nullable && m->value->kind == AST_NULL)
        *out = NULL;
    else if (read_string(s, m, out) && !**out)
        diag_error(s->d, m->value->span, "'%s' cannot be empty", key);
}

static void cursor_ordering(sema *s, model_pagination *p, const ast_member *m)
{
    /* DRF takes a string or a list of strings; restflow also takes names. */
    const ast_expr_array one = { .items = (ast_expr **)&m->value, .count = 1 };
    const ast_expr_array *list = m->value->kind == AST_LIST ? &m->value->u.list : &one;
    p->ordering = NULL;
    p->nordering = 0;
    for (uint32_t i = 0; i < list->count; i++) {
        const ast_expr *e = list->items[i];
        model_order_name *o = rf_calloc(s->a, sizeof *o);
        o->loc = sema_loc(s, e->span);
        if (e->kind == AST_NEG && expr_ident(e->u.operand)) {
            o->name = expr_ident(e->u.operand)->text;
            o->desc = true;
        } else if (expr_ident(e)) {
            o->name = expr_ident(e)->text;
        } else if (e->kind == AST_STRING && e->u.string.len) {
            o->desc = e->u.string.text[0] == '-';
            o->name = e->u.string.text + o->desc;
        } else {
            diag_error(s->d, e->span, "'ordering' lists field names (-created for "
                       "descending), not %s", expr_desc(e));
            continue;
        }
        VPUSH(s, p->ordering, p->nordering, o);
    }
    if (!p->nordering)
        diag_error(s->d, m->value->span, "CursorPagination needs at least one ordering field");
}

static void last_page_strings(sema *s, model_pagination *p, const ast_member *m)
{
    const ast_expr_array *list = read_list(s, m);
    if (!list)
        return;
    p->last_page_strings = rf_calloc(s->a, (list->count + 1) * sizeof *p->last_page_strings);
    p->nlast_page_strings = 0;
    for (uint32_t i = 0; i < list->count; i++) {
        if (list->items[i]->kind != AST_STRING)
            diag_error(s->d, list->items[i]->span, "'last_page_strings' lists strings");
        else
            p->last_page_strings[p->nlast_page_strings++] = list->items[i]->u.string.text;
    }
}

static void pagination_members(sema *s, model_pagination *p, members *ms)
{
    const ast_member *m;
    take_int(s, ms, "page_size", 1, &p->page_size);
    take_param(s, ms, "page_query_param", false, &p->page_query_param);
    take_param(s, ms, "page_size_query_param", true, &p->page_size_query_param);
    take_int(s, ms, "max_page_size", 1, &p->max_page_size);
    take_int(s, ms, "default_limit", 1, &p->default_limit);
    take_param(s, ms, "limit_query_param", false, &p->limit_query_param);
    take_param(s, ms, "offset_query_param", false, &p->offset_query_param);
    take_int(s, ms, "max_limit", 1, &p->max_limit);
    take_param(s, ms, "cursor_query_param", false, &p->cursor_query_param);
    take_int(s, ms, "offset_cutoff", 1, &p->offset_cutoff);
    if ((m = members_take(ms, "ordering")))
        cursor_ordering(s, p, m);
    if ((m = members_take(ms, "last_page_strings")))
        last_page_strings(s, p, m);
}

static const char *const *pagination_keys(model_pager_kind k)
{
    return k == MODEL_PAGE_NUMBER ? page_number_keys
         : k == MODEL_LIMIT_OFFSET ? limit_offset_keys : cursor_keys;
}

static const char *const pagination_bases[] = {
    "PageNumberPagination", "LimitOffsetPagination", "CursorPagination", NULL
};

/* Keys of another pagination style get a pointed message before the
 * generic unknown-attribute one. */
static void reject_foreign_pagination_keys(sema *s, model_pagination *p, members *ms)
{
    const char *const *mine = pagination_keys(p->kind);
    for (uint32_t i = 0; i < ms->n; i++) {
        const char *k = ms->items[i]->key->text;
        bool own = false, other = false;
        for (int j = 0; mine[j]; j++)
            own |= strcmp(mine[j], k) == 0;
        for (int kind = 0; kind < 3 && !own; kind++)
            for (int j = 0; pagination_keys((model_pager_kind)kind)[j]; j++)
                other |= strcmp(pagination_keys((model_pager_kind)kind)[j], k) == 0;
        if (own || !other)
            continue;
        diag_error(s->d, ms->items[i]->key->span, "'%s' is not an attribute of %s", k,
                   pagination_bases[p->kind]);
        if (p->kind == MODEL_LIMIT_OFFSET && strcmp(k, "page_size") == 0)
            diag_hint(s->d, "LimitOffsetPagination takes 'default_limit'");
        ms->taken[i] = true;
    }
}

static int base_index(const ast_ident *base, const char *const *bases)
{
    for (int i = 0; base && bases[i]; i++)
        if (strcmp(base->text, bases[i]) == 0)
            return i;
    return -1;
}

/* "pagination Pages : PageNumberPagination": the base, or an error naming
 * the allowed ones. */
static int decl_base(sema *s, const ast_block *b, const char *const *bases)
{
    int i = base_index(b->base, bases);
    if (i >= 0)
        return i;
    rf_buf list;
    rf_buf_init(&list, s->a, 128);
    for (int j = 0; bases[j]; j++)
        rf_buf_printf(&list, "%s%s", j ? (bases[j + 1] ? ", " : " or ") : "", bases[j]);
    rf_buf_putc(&list, '\0');
    if (!b->base) {
        diag_error(s->d, b->name->span, "%s '%s' needs a base class: %s",
                   b->kind_word->text, b->name->text, list.data);
        return -1;
    }
    diag_error(s->d, b->base->span, "unknown base class '%s' for %s %s", b->base->text,
               sema_article(b->kind_word->text), b->kind_word->text);
    const char *best = suggest_word(b->base->text, bases);
    if (best)
        diag_hint(s->d, "did you mean '%s'?", best);
    else
        diag_hint(s->d, "expected %s", list.data);
    return -1;
}

static void declare_pagination(sema *s, sym *y)
{
    int kind = decl_base(s, y->block, pagination_bases);
    sema_reject_nested(s, y->block, "a pagination");
    if (kind < 0)
        return;
    model_pagination *p = pagination_new(s, y->name, (model_pager_kind)kind,
                                         sema_loc(s, sym_span(y)));
    y->entity = p;
    members ms;
    members_init(s, &ms, y->block);
    reject_foreign_pagination_keys(s, p, &ms);
    pagination_members(s, p, &ms);
    members_reject_rest(s, &ms, sema_printf(s, "pagination '%s'", y->name),
                        pagination_keys(p->kind));
}

/* ---------------------------------------------------------------------
 * Throttles.
 */
static const char *const throttle_bases[] = {
    "AnonRateThrottle", "UserRateThrottle", "ScopedRateThrottle", NULL
};

/* Anon/User: the declared rate, else THROTTLE_RATES[scope]; DRF raises
 * ImproperlyConfigured (a 500 on every request) when the key is missing. */
static void throttle_rate(sema *s, model_throttle *t, span at)
{
    if (t->kind == MODEL_THROTTLE_SCOPED || t->rate.text)
        return;
    model_rate *r = sema_rate_for_scope(s, t->scope);
    if (r) {
        t->rate = *r;
        return;
    }
    diag_error(s->d, at, "throttle '%s' has no rate: DEFAULT_THROTTLE_RATES has no "
               "'%s' key", t->name, t->scope);
    diag_hint(s->d, "set `rate = \"N/period\";` or add '%s' to DEFAULT_THROTTLE_RATES",
              t->scope);
}

static model_throttle *throttle_new(sema *s, const char *name, model_throttle_kind kind,
                                    model_loc loc)
{
    static const char *const scopes[] = { "anon", "user", NULL };
    model_throttle *t = rf_calloc(s->a, sizeof *t);
    t->name = name;
    t->kind = kind;
    t->scope = scopes[kind];
    t->rate.num_requests = -1;
    t->loc = loc;
    VPUSH(s, s->m->throttles, s->m->nthrottles, t);
    return t;
}

static void declare_throttle(sema *s, sym *y)
{
    int kind = decl_base(s, y->block, throttle_bases);
    sema_reject_nested(s, y->block, "a throttle");
    if (kind < 0)
        return;
    model_throttle *t = throttle_new(s, y->name, (model_throttle_kind)kind,
                                     sema_loc(s, sym_span(y)));
    y->entity = t;
    members ms;
    members_init(s, &ms, y->block);
    const ast_member *scope = members_take(&ms, "scope");
    const ast_member *rate = members_take(&ms, "rate");
    if (scope && read_string(s, scope, &t->scope) && !*t->scope)
        diag_error(s->d, scope->value->span, "'scope' cannot be empty");
    if (rate)
        read_rate(s, rate->value, &t->rate);
    static const char *const keys[] = { "scope", "rate", NULL };
    members_reject_rest(s, &ms, sema_printf(s, "throttle '%s'", y->name), keys);
    if (t->kind == MODEL_THROTTLE_SCOPED && (scope || rate))
        diag_warning(s->d, (rate ? rate : scope)->key->span, "DRF ignores %s on a "
                     "ScopedRateThrottle: it throttles views that set throttle_scope, at "
                     "DEFAULT_THROTTLE_RATES[throttle_scope]",
                     scope && rate ? "'scope' and 'rate'" : scope ? "'scope'" : "'rate'");
    throttle_rate(s, t, sym_span(y));
}

/* ---------------------------------------------------------------------
 * Permissions and authenticators.
 */
static model_hook *take_hook(sema *s, members *ms, const char *key, model_hook_sig sig,
                             model_hook_form form)
{
    const ast_member *m = members_take(ms, key);
    return m ? read_hook(s, m->value, key, sig, form) : NULL;
}

static void declare_permission(sema *s, sym *y)
{
    static const char *const bases[] = { "BasePermission", NULL };
    int ok = decl_base(s, y->block, bases);
    sema_reject_nested(s, y->block, "a permission");
    if (ok < 0)
        return;
    model_permission *p = rf_calloc(s->a, sizeof *p);
    p->name = y->name;
    p->loc = sema_loc(s, sym_span(y));
    y->entity = p;
    VPUSH(s, s->m->permissions, s->m->npermissions, p);
    members ms;
    members_init(s, &ms, y->block);
    bool explicit_form;
    model_hook_form form = read_decl_form(s, &ms, MODEL_HOOK_SYNC, &explicit_form);
    p->has_permission = take_hook(s, &ms, "has_permission", MODEL_SIG_CTX, form);
    p->has_object_permission = take_hook(s, &ms, "has_object_permission",
                                         MODEL_SIG_OBJ, form);
    const ast_member *msg = members_take(&ms, "message");
    if (msg)
        read_string(s, msg, &p->message);
    static const char *const keys[] = {
        "has_permission", "has_object_permission", "message", "async", "blocking", NULL
    };
    members_reject_rest(s, &ms, sema_printf(s, "permission '%s'", y->name), keys);
    if (!block_member(y->block, "has_permission")
        && !block_member(y->block, "has_object_permission"))
        diag_warning(s->d, y->block->name->span, "permission '%s' has neither "
                     "has_permission nor has_object_permission: it allows everything",
                     y->name);
}

static void declare_authentication(sema *s, sym *y)
{
    static const char *const bases[] = { "BaseAuthentication", NULL };
    int ok = decl_base(s, y->block, bases);
    sema_reject_nested(s, y->block, "an authentication");
    if (ok < 0)
        return;
    model_authentication *a = rf_calloc(s->a, sizeof *a);
    a->name = y->name;
    a->loc = sema_loc(s, sym_span(y));
    y->entity = a;
    VPUSH(s, s->m->authentications, s->m->nauthentications, a);
    members ms;
    members_init(s, &ms, y->block);
    bool explicit_form;
    model_hook_form form = read_decl_form(s, &ms, MODEL_HOOK_SYNC, &explicit_form);
    a->authenticate = take_hook(s, &ms, "authenticate", MODEL_SIG_CTX, form);
    if (!block_member(y->block, "authenticate"))
        diag_error(s->d, y->block->name->span, "authentication '%s' needs an "
                   "'authenticate' hook", y->name);
    const ast_member *h = members_take(&ms, "authenticate_header");
    if (h)
        read_string(s, h, &a->www_authenticate);
    static const char *const keys[] = {
        "authenticate", "authenticate_header", "async", "blocking", NULL
    };
    members_reject_rest(s, &ms, sema_printf(s, "authentication '%s'", y->name), keys);
}

/* ---------------------------------------------------------------------
 * Built-in classes, made into entities on first use.
 */
static void *builtin_policy(sema *s, sym *y, span at)
{
    model_loc loc = sema_builtin_loc(s);
    switch (y->kind) {
    case SYM_PAGINATION:
        return pagination_new(s, y->name, (model_pager_kind)y->code, loc);
    case SYM_THROTTLE: {
        model_throttle *t = throttle_new(s, y->name, (model_throttle_kind)y->code, loc);
        throttle_rate(s, t, at);
        return t;
    }
    case SYM_PERMISSION: {
        model_permission *p = rf_calloc(s->a, sizeof *p);
        p->name = y->name;
        p->builtin = (model_builtin_permission)y->code;
        p->loc = loc;
        VPUSH(s, s->m->permissions, s->m->npermissions, p);
        return p;
    }
    case SYM_AUTHENTICATION: {
        model_authentication *a = rf_calloc(s->a, sizeof *a);
        a->name = y->name;
        a->builtin = (model_builtin_auth)y->code;
        a->www_authenticate = a->builtin == MODEL_AUTH_TOKEN ? "Token"
                            : a->builtin == MODEL_AUTH_BASIC ? "Basic realm=\"api\"" : NULL;
        a->loc = loc;
        VPUSH(s, s->m->authentications, s->m->nauthentications, a);
        return a;
    }
    default:
        return NULL;
    }
}

void *sema_builtin_entity(sema *s, sym *y, span at)
{
    if (!y->entity && y->builtin)
        y->entity = builtin_policy(s, y, at);
    return y->entity;
}

void sema_policies(sema *s)
{
    for (uint32_t i = 0; i < s->nsyms; i++) {
        sym *y = s->syms[i];
        if (y->builtin)
            continue;
        switch (y->kind) {
        case SYM_PAGINATION: declare_pagination(s, y); break;
        case SYM_THROTTLE: declare_throttle(s, y); break;
        case SYM_PERMISSION: declare_permission(s, y); break;
        case SYM_AUTHENTICATION: declare_authentication(s, y); break;
        default: break;
        }
    }
}

/* ---------------------------------------------------------------------
 * References: the lists views and settings name.
 */
static void *ref_entity(sema *s, const ast_expr *e, sym_kind kind)
{
    const ast_ident *id = expr_ident(e);
    if (!id) {
        if (e->kind == AST_CALL && !e->u.call.target)
            diag_error(s->d, e->u.call.args_span, "name the class without "
                       "parentheses: %s, not %s()", e->u.call.callee->text,
                       e->u.call.callee->text);
        else
            diag_error(s->d, e->span, "expected the name of %s %s, not %s",
                       sema_article(sym_kind_noun(kind)), sym_kind_noun(kind), expr_desc(e));
        return NULL;
    }
    sym *y = resolve_sym(s, id, kind);
    return y ? sema_builtin_entity(s, y, id->span) : NULL;
}

/* Lists of names that must not repeat. */
static bool repeated(sema *s, const ast_expr_array *list, uint32_t i)
{
    const ast_ident *id = expr_ident(list->items[i]);
    for (uint32_t j = 0; id && j < i; j++) {
        const ast_ident *o = expr_ident(list->items[j]);
        if (o && strcmp(o->text, id->text) == 0) {
            diag_error(s->d, id->span, "'%s' is listed twice", id->text);
            return true;
        }
    }
    return false;
}

bool sema_throttle_list(sema *s, const ast_member *m, model_throttle ***out, uint32_t *n)
{
    const ast_expr_array *list = read_list(s, m);
    *out = NULL;
    *n = 0;
    for (uint32_t i = 0; list && i < list->count; i++) {
        model_throttle *t = repeated(s, list, i) ? NULL
                          : ref_entity(s, list->items[i], SYM_THROTTLE);
        if (t)
            VPUSH(s, *out, *n, t);
    }
    return list != NULL;
}

bool sema_auth_list(sema *s, const ast_member *m, model_authentication ***out, uint32_t *n)
{
    const ast_expr_array *list = read_list(s, m);
    *out = NULL;
    *n = 0;
    for (uint32_t i = 0; list && i < list->count; i++) {
        model_authentication *a = repeated(s, list, i) ? NULL
                                : ref_entity(s, list->items[i], SYM_AUTHENTICATION);
        if (a)
            VPUSH(s, *out, *n, a);
    }
    return list != NULL;
}

/* Filter backends, parsers, renderers: built-in names to enum codes. */
static bool code_list(sema *s, const ast_member *m, sym_kind kind, int **out, uint32_t *n)
{
    const ast_expr_array *list = read_list(s, m);
    *out = NULL;
    *n = 0;
    for (uint32_t i = 0; list && i < list->count; i++) {
        const ast_expr *e = list->items[i];
        const ast_ident *id = expr_ident(e);
        if (!id) {
            diag_error(s->d, e->span, "expected the name of a %s, not %s",
                       sym_kind_noun(kind), expr_desc(e));
            continue;
        }
        sym *y = repeated(s, list, i) ? NULL : resolve_sym(s, id, kind);
        if (y)
            VPUSH(s, *out, *n, y->code);
    }
    return list != NULL;
}

#define CODE_LIST(fn, T, kind)                                              \
    bool fn(sema *s, const ast_member *m, T **out, uint32_t *n)             \
    {                                                                       \
        int *codes;                                                         \
        bool ok = code_list(s, m, kind, &codes, n);                         \
        *out = rf_alloc(s->a, (*n + 1) * sizeof **out);                     \
        for (uint32_t i = 0; i < *n; i++)                                   \
            (*out)[i] = (T)codes[i];                                        \
        return ok;                                                          \
    }
CODE_LIST(sema_filter_list, model_filter_backend, SYM_FILTER_BACKEND)
CODE_LIST(sema_parser_list, model_parser, SYM_PARSER)
CODE_LIST(sema_renderer_list, model_renderer, SYM_RENDERER)
#undef CODE_LIST

bool sema_pagination_ref(sema *s, const ast_member *m, model_pagination **out)
{
    *out = NULL;
    if (m->value->kind == AST_NULL)
        return true;
    *out = ref_entity(s, m->value, SYM_PAGINATION);
    return *out != NULL;
}

/* Permission expressions: names, `&`, `|`, `~`, parentheses.  DRF's
 * operators are binary and left-associative: a & b & c is (a & b) & c. */
model_perm_expr *sema_perm_expr(sema *s, const ast_expr *e)
{
    model_perm_expr *p = rf_calloc(s->a, sizeof *p);
    p->loc = sema_loc(s, e->span);
    switch (e->kind) {
    case AST_NOT:
        p->op = MODEL_P_NOT;
        p->a = sema_perm_expr(s, e->u.operand);
        return p->a ? p : NULL;
    case AST_AND:
    case AST_OR: {
        model_perm_expr *acc = sema_perm_expr(s, e->u.operands.items[0]);
        for (uint32_t i = 1; i < e->u.operands.count; i++) {
            model_perm_expr *rhs = sema_perm_expr(s, e->u.operands.items[i]);
            if (!acc || !rhs) {
                acc = NULL;
                continue;
            }
            model_perm_expr *node = rf_calloc(s->a, sizeof *node);
            node->op = e->kind == AST_AND ? MODEL_P_AND : MODEL_P_OR;
            node->a = acc;
            node->b = rhs;
            node->loc = p->loc;
            acc = node;
        }
        return acc;
    }
    default:
        p->op = MODEL_P_LEAF;
        p->leaf = ref_entity(s, e, SYM_PERMISSION);
        return p->leaf ? p : NULL;
    }
}

bool sema_perm_list(sema *s, const ast_member *m, model_perm_expr ***out, uint32_t *n)
{
    const ast_expr_array *list = read_list(s, m);
    *out = NULL;
    *n = 0;
    for (uint32_t i = 0; list && i < list->count; i++) {
        model_perm_expr *p = sema_perm_expr(s, list->items[i]);
        if (p)
            VPUSH(s, *out, *n, p);
    }
    return list != NULL;
}
