/*
 * sema_query.c: querysets (Resource.filter(...).exclude(...).order_by(...)),
 * ordering lists, and PostFetch declarations.
 */
#include <stdio.h>

#include "names.h"
#include "sema_internal.h"

static const char *const lookup_names[] = {
    "exact", "iexact", "gt", "gte", "lt", "lte", "in", "isnull", "icontains",
    "istartswith", NULL
};

const char *model_lookup_name(model_lookup l)
{
    return lookup_names[l];
}

static int lookup_from_name(const char *name)
{
    for (int i = 0; lookup_names[i]; i++)
        if (strcmp(lookup_names[i], name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------------
 * Ordering terms: `-created_at`, `name`, or the strings "-created_at".
 */
static model_order *order_term(sema *s, model_resource *r, const ast_expr *e,
                               const char *what)
{
    model_order *o = rf_calloc(s->a, sizeof *o);
    o->loc = sema_loc(s, e->span);
    const ast_ident *id = NULL;
    ast_ident from_string;
    if (e->kind == AST_NEG) {
        id = expr_ident(e->u.operand);
        o->desc = true;
    } else if (e->kind == AST_STRING && e->u.string.len) {
        o->desc = e->u.string.text[0] == '-';
        from_string.text = e->u.string.text + o->desc;
        from_string.span = e->span;
        id = &from_string;
    } else {
        id = expr_ident(e);
    }
    if (!id) {
        diag_error(s->d, e->span, "%s lists field names (-name for descending), not %s",
                   what, expr_desc(e));
        return NULL;
    }
    o->field = sema_resolve_field(s, r, id);
    return o->field ? o : NULL;
}

bool sema_ordering(sema *s, model_resource *r, const ast_member *m,
                   model_order ***out, uint32_t *n)
{
    const ast_expr_array one = { .items = (ast_expr **)&m->value, .count = 1 };
    const ast_expr_array *list = m->value->kind == AST_LIST ? &m->value->u.list : &one;
    *out = NULL;
    *n = 0;
    bool ok = true;
    for (uint32_t i = 0; i < list->count; i++) {
        model_order *o = order_term(s, r, list->items[i],
                                    sema_printf(s, "'%s'", m->key->text));
        if (o)
            VPUSH(s, *out, *n, o);
        ok &= o != NULL;
    }
    return ok;
}

/* ---------------------------------------------------------------------
 * Conditions.
 */
static bool cond_value(sema *s, model_qcond *c, const ast_expr *e, model_ftype t)
{
    if (e->kind == AST_NAME && e->u.name.parts.count == 2
        && strcmp(e->u.name.parts.items[0]->text, "url") == 0) {
        memset(&c->value, 0, sizeof c->value);
        c->value.kind = MODEL_V_URL_KWARG;
        c->value.text = e->u.name.parts.items[1]->text;
        c->value.loc = sema_loc(s, e->span);
        return true;
    }
    if (e->kind == AST_NAME && e->u.name.parts.count == 2
        && strcmp(e->u.name.parts.items[0]->text, "request") == 0
        && strcmp(e->u.name.parts.items[1]->text, "user") == 0) {
        model_field *f = c->path.hops[c->path.nhops - 1];
        if (!(f->type == MODEL_T_FOREIGNKEY && f->fk_target && f->fk_target->builtin
              && strcmp(f->fk_target->name, "User") == 0)) {
            diag_error(s->d, e->span, "request.user compares with a ForeignKey to User, "
                       "and '%s' is not one", c->path.text);
            return false;
        }
        memset(&c->value, 0, sizeof c->value);
        c->value.kind = MODEL_V_REQUEST_USER;
        c->value.loc = sema_loc(s, e->span);
        return true;
    }
    if (e->kind == AST_NULL) {
        diag_error(s->d, e->span, "compare with null through the isnull lookup: "
                   "%s.isnull = true", c->path.text);
        return false;
    }
    return sema_typed_value(s, e, t, &c->value, "a filter value");
}

/* The type a condition's value has: a ForeignKey compares its target's key. */
static model_ftype value_type(const model_path *p)
{
    return model_key_type(p->hops[p->nhops - 1]);
}

static bool lookup_value(sema *s, model_qcond *c, const ast_expr *e)
{
    model_ftype t = value_type(&c->path);
    switch (c->lookup) {
    case MODEL_LOOKUP_ISNULL:
        if (e->kind != AST_BOOL) {
            diag_error(s->d, e->span, "the isnull lookup takes true or false");
            return false;
        }
        c->value.kind = MODEL_V_BOOL;
        c->value.b = e->u.boolean;
        c->value.text = e->u.boolean ? "true" : "false";
        return true;
    case MODEL_LOOKUP_IN:
        if (e->kind != AST_LIST || e->u.list.count == 0) {
            diag_error(s->d, e->span, "the in lookup takes a non-empty list of values");
            return false;
        }
        for (uint32_t i = 0; i < e->u.list.count; i++) {
            model_value *v = rf_calloc(s->a, sizeof *v);
            if (!sema_typed_value(s, e->u.list.items[i], t, v, "a filter value"))
                return false;
            VPUSH(s, c->values, c->nvalues, v);
        }
        return true;
    case MODEL_LOOKUP_IEXACT: case MODEL_LOOKUP_ICONTAINS: case MODEL_LOOKUP_ISTARTSWITH:
        if (!sema_field_is_text(t)) {
            diag_error(s->d, e->span, "the %s lookup applies to text fields, and '%s' "
                       "is a %s", model_lookup_name(c->lookup), c->path.text,
                       model_ftype_name(t));
            return false;
        }
        return cond_value(s, c, e, t);
    default:
        return cond_value(s, c, e, t);
    }
}

/* One keyword argument of filter()/exclude(): a path, maybe a lookup. */
static model_qcond *condition(sema *s, model_resource *r, const ast_kwarg *k, bool negated)
{
    model_qcond *c = rf_calloc(s->a, sizeof *c);
    c->negated = negated;
    c->loc = sema_loc(s, k->span);
    ast_ident_array path = k->key;
    int lk = -1;
    if (path.count > 1) {
        lk = lookup_from_name(path.items[path.count - 1]->text);
        if (lk >= 0)
            path.count--;
    }
    c->lookup = lk >= 0 ? (model_lookup)lk : MODEL_LOOKUP_EXACT;
    if (!sema_resolve_path(s, r, &path, 0, true, &c->path))
        return NULL;
    return lookup_value(s, c, k->value) ? c : NULL;
}

static bool filter_call(sema *s, model_queryset *q, const ast_call *c, bool negated,
                        uint32_t group)
{
    if (c->args.count) {
        diag_error(s->d, c->args.items[0]->span, "%s() takes keyword arguments: "
                   "%s(field = value)", c->callee->text, c->callee->text);
        return false;
    }
    bool ok = true;
    for (uint32_t i = 0; i < c->kwargs.count; i++) {
        model_qcond *cond = condition(s, q->resource, c->kwargs.items[i], negated);
        if (!cond) {
            ok = false;
            continue;
        }
        q->uses_url_kwargs |= cond->value.kind == MODEL_V_URL_KWARG;
        uint32_t n = q->nconds;
        VPUSH(s, q->conds, q->nconds, cond);
        VPUSH(s, q->groups, n, group);
    }
    return ok;
}

static bool order_by_call(sema *s, model_queryset *q, const ast_call *c)
{
    if (c->kwargs.count) {
        diag_error(s->d, c->kwargs.items[0]->span, "order_by() takes field names");
        return false;
    }
    q->order = NULL;
    q->norder = 0;   /* as Django: a later order_by() replaces an earlier one */
    bool ok = true;
    for (uint32_t i = 0; i < c->args.count; i++) {
        model_order *o = order_term(s, q->resource, c->args.items[i], "order_by()");
        if (o)
            VPUSH(s, q->order, q->norder, o);
        ok &= o != NULL;
    }
    return ok;
}

static const char *const queryset_methods[] = {
    "filter", "exclude", "order_by", "all", NULL
};

static bool method_call(sema *s, model_queryset *q, const ast_call *c, uint32_t group)
{
    const char *name = c->callee->text;
    if (!strcmp(name, "filter") || !strcmp(name, "exclude"))
        return filter_call(s, q, c, name[0] == 'e', group);
    if (!strcmp(name, "order_by"))
        return order_by_call(s, q, c);
    if (!strcmp(name, "all")) {
        if (c->args.count || c->kwargs.count)
            diag_error(s->d, c->args_span, "all() takes no arguments");
        return true;
    }
    diag_error(s->d, c->callee->span, "unknown queryset method '%s'", name);
    const char *best = suggest_word(name, queryset_methods);
    if (best)
        diag_hint(s->d, "did you mean '%s'?", best);
    else
        diag_hint(s->d, "a queryset takes filter(), exclude(), order_by() and all()");
    return false;
}

static model_resource *queryset_root(sema *s, const ast_expr *root)
{
    if (root->kind != AST_NAME) {
        diag_error(s->d, root->span, "a queryset starts with a resource name, not %s",
                   expr_desc(root));
        return NULL;
    }
    const ast_ident_array *parts = &root->u.name.parts;
    if (parts->count == 2 && strcmp(parts->items[1]->text, "objects") == 0) {
        diag_error(s->d, parts->items[1]->span, "write %s.filter(...) or %s: a queryset "
                   "has no '.objects'", parts->items[0]->text, parts->items[0]->text);
        return NULL;
    }
    if (parts->count != 1) {
        diag_error(s->d, root->span, "a queryset starts with a resource name, not %s",
                   expr_desc(root));
        return NULL;
    }
    sym *y = resolve_sym(s, parts->items[0], SYM_RESOURCE);
    return y ? y->entity : NULL;
}

model_queryset *sema_queryset(sema *s, const ast_expr *e, const char *what)
{
    /* Unwind the chain: the calls, innermost first. */
    const ast_call *calls[64];
    uint32_t n = 0;
    const ast_expr *root = e;
    while (root->kind == AST_CALL && root->u.call.target && n < 64) {
        calls[n++] = &root->u.call;
        root = root->u.call.target;
    }
    if (root->kind == AST_CALL) {
        diag_error(s->d, root->span, "%s expects a resource or a queryset "
                   "(Resource.filter(...)), not a call", what);
        return NULL;
    }
    model_resource *r = queryset_root(s, root);
    if (!r)
        return NULL;
    model_queryset *q = rf_calloc(s->a, sizeof *q);
    q->resource = r;
    q->loc = sema_loc(s, e->span);
    bool ok = true;
    for (uint32_t i = n; i-- > 0;)
        ok &= method_call(s, q, calls[i], n - 1 - i);
    return ok ? q : NULL;
}

/* ---------------------------------------------------------------------
 * PostFetch.
 */
static const char *const postfetch_keys[] = {
    "queryset", "to_attr", "values", "order_by", "limit", "using", NULL
};

static void postfetch_values(sema *s, model_postfetch *pf, members *ms)
{
    const ast_member *m = members_take(ms, "values");
    if (!m) {   /* every field of the related resource */
        for (uint32_t i = 0; i < pf->resource->nfields; i++)
            VPUSH(s, pf->values, pf->nvalues, pf->resource->fields[i]);
        return;
    }
    const ast_expr_array *list = read_list(s, m);
    for (uint32_t i = 0; list && i < list->count; i++) {
        const ast_expr *e = list->items[i];
        const ast_ident *id = expr_field_name(s, e);
        if (!id) {
            diag_error(s->d, e->span, "'values' lists field names, not %s", expr_desc(e));
            continue;
        }
        model_field *f = sema_resolve_field(s, pf->resource, id);
        if (f)
            VPUSH(s, pf->values, pf->nvalues, f);
    }
    if (list && list->count == 0)
        diag_error(s->d, m->value->span, "'values' cannot be empty");
}

static void postfetch_to_attr(sema *s, model_postfetch *pf, members *ms, const ast_block *b)
{
    const ast_member *m = members_take(ms, "to_attr");
    if (!m) {
        diag_error(s->d, b->name->span, "postfetch '%s' needs 'to_attr', the attribute "
                   "that receives the rows", b->name->text);
        return;
    }
    const ast_ident *id = expr_ident(m->value);
    const char *text = id ? id->text : m->value->kind == AST_STRING
                                       ? m->value->u.string.text : NULL;
    if (!text) {
        diag_error(s->d, m->value->span, "'to_attr' expects a name, not %s",
                   expr_desc(m->value));
        return;
    }
    if (!check_c_identifier(s, text, m->value->span, "to_attr"))
        return;
    pf->to_attr = text;
}

static void postfetch_options(sema *s, model_postfetch *pf, members *ms)
{
    const ast_member *m;
    if ((m = members_take(ms, "order_by")))
        sema_ordering(s, pf->resource, m, &pf->order, &pf->norder);
    if ((m = members_take(ms, "limit"))) {
        int64_t v;
        if (m->value->kind == AST_NULL)
            pf->limit = -1;
        else if (read_int(s, m, 1, INT32_MAX, &v))
            pf->limit = (int32_t)v;
    }
    if ((m = members_take(ms, "using"))) {
        const ast_ident *id = read_ident(s, m);
        model_database *db = id ? sema_find_database(s, id) : NULL;
        if (db)
            pf->database = db;
    }
}

/* The join member: `related_key = "base_key"`, the one member that is not
 * an option.  Its key must be a field of the related resource. */
static const ast_member *postfetch_join(sema *s, model_postfetch *pf, members *ms,
                                        const ast_block *b)
{
    const ast_member *join = NULL;
    for (uint32_t i = 0; i < ms->n; i++) {
        const ast_member *m = ms->items[i];
        if (ms->taken[i] || m->value->kind != AST_STRING)
            continue;
        model_field *f = model_find_field(pf->resource, m->key->text);
        if (!f) {
            for (uint32_t j = 0; j < pf->resource->nfields && !f; j++)
                if (pf->resource->fields[j]->type == MODEL_T_FOREIGNKEY
                    && !strcmp(pf->resource->fields[j]->column, m->key->text))
                    f = pf->resource->fields[j];
        }
        if (!f)
            continue;
        ms->taken[i] = true;
        if (join) {
            diag_error(s->d, m->key->span, "postfetch '%s' has two join keys",
                       b->name->text);
            diag_note(s->d, join->key->span, "first join key here");
            continue;
        }
        join = m;
        pf->related_key = f;
    }
    if (!join) {
        diag_error(s->d, b->name->span, "postfetch '%s' needs a join: "
                   "`<field of %s> = \"<field of the base rows>\";`", b->name->text,
                   pf->resource->name);
    }
    return join;
}

static void declare_postfetch(sema *s, sym *y)
{
    const ast_block *b = y->block;
    sema_reject_nested(s, b, "a postfetch");
    members ms;
    members_init(s, &ms, b);
    const ast_member *qm = members_take(&ms, "queryset");
    if (!qm) {
        diag_error(s->d, b->name->span, "postfetch '%s' needs a 'queryset'", y->name);
        return;
    }
    model_queryset *q = sema_queryset(s, qm->value, "'queryset'");
    if (!q)
        return;
    if (q->uses_url_kwargs) {
        diag_error(s->d, qm->value->span, "a PostFetch queryset cannot use url.NAME: "
                   "it runs once for the whole page");
        return;
    }
    model_postfetch *pf = rf_calloc(s->a, sizeof *pf);
    pf->name = y->name;
    pf->queryset = q;
    pf->resource = q->resource;
    pf->database = q->resource->database;
    pf->limit = -1;
    pf->loc = sema_loc(s, sym_span(y));
    postfetch_to_attr(s, pf, &ms, b);
    postfetch_values(s, pf, &ms);
    postfetch_options(s, pf, &ms);
    const ast_member *join = postfetch_join(s, pf, &ms, b);
    members_reject_rest(s, &ms, sema_printf(s, "postfetch '%s'", y->name), postfetch_keys);
    if (!join || !pf->to_attr)
        return;
    /* A join along a ForeignKey names its base resource. */
    if (pf->related_key->type == MODEL_T_FOREIGNKEY)
        pf->base = pf->related_key->fk_target;
    y->entity = pf;
    y->aux = join;
    VPUSH(s, s->m->postfetches, s->m->npostfetches, pf);
}

void sema_postfetches(sema *s)
{
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_POSTFETCH && !s->syms[i]->builtin)
            declare_postfetch(s, s->syms[i]);
}

/* ---------------------------------------------------------------------
 * After the views: which rows each PostFetch attaches to.
 */
static bool view_uses(const model_view *v, const model_postfetch *pf)
{
    for (uint32_t i = 0; i < v->npost_fetches; i++)
        if (v->post_fetches[i] == pf)
            return true;
    return false;
}

/* The base resource from the views that list the PostFetch; they must
 * agree, and agree with a ForeignKey join's target. */
static void postfetch_base_from_views(sema *s, sym *y, model_postfetch *pf)
{
    const model_view *first = NULL;
    for (uint32_t i = 0; i < s->m->nviews; i++) {
        const model_view *v = s->m->views[i];
        if (!view_uses(v, pf) || !v->model)
            continue;
        if (!pf->base) {
            pf->base = v->model;
            first = v;
        }
        if (v->model == pf->base)
            continue;
        diag_error(s->d, v->loc.span, "view '%s' lists postfetch '%s', which attaches to "
                   "'%s' rows, but the view's rows are '%s'", v->name, pf->name,
                   pf->base->name, v->model->name);
        if (first)
            diag_note(s->d, first->loc.span, "'%s' also lists it", first->name);
        else
            note_declared(s, y);
    }
}

static void postfetch_base(sema *s, sym *y)
{
    model_postfetch *pf = y->entity;
    const ast_member *join = y->aux;
    postfetch_base_from_views(s, y, pf);
    if (!pf->base) {
        diag_error(s->d, y->block->name->span, "cannot tell which rows postfetch '%s' "
                   "attaches to: join on a ForeignKey, or list it in a view's post_fetches",
                   pf->name);
        return;
    }
    ast_ident key = { .text = join->value->u.string.text, .span = join->value->span };
    pf->base_key = sema_resolve_field(s, pf->base, &key);
    if (!pf->base_key)
        return;
    model_field *rk = pf->related_key;
    model_ftype rt = model_key_type(rk);
    model_ftype bt = model_key_type(pf->base_key);
    bool both_int = sema_field_is_integer(rt) && sema_field_is_integer(bt);
    if (rt != bt && !both_int)
        diag_error(s->d, join->span, "postfetch '%s' joins %s.%s (%s) with %s.%s (%s)",
                   pf->name, pf->resource->name, rk->name, model_ftype_name(rt),
                   pf->base->name, pf->base_key->name, model_ftype_name(bt));
    model_field *clash = model_find_field(pf->base, pf->to_attr);
    if (clash)
        diag_error(s->d, sym_span(y), "to_attr '%s' of postfetch '%s' conflicts with the "
                   "field '%s.%s'", pf->to_attr, pf->name, pf->base->name, clash->name);
}

void sema_postfetch_bases(sema *s)
{
    for (uint32_t i = 0; i < s->nsyms; i++)
        if (s->syms[i]->kind == SYM_POSTFETCH && s->syms[i]->entity)
            postfetch_base(s, s->syms[i]);
}
