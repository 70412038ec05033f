/*
 * serializer.c: validation errors, per-field validation with DRF 3.14's
 * messages and order, the async validation pipeline, OPTIONS metadata.
 */
#include <string.h>

#include "serializer.h"

/* ---------------------------------------------------------------------
 * Validation errors: a dict in field order, each field a list of messages.
 */
typedef struct verr_msg {
    const char *text;
    struct verr_msg *next;
} verr_msg;

typedef struct verr_field {
    const char *name;            /* NULL: non_field_errors */
    verr_msg *first, *last;
    struct verr_field *next;
} verr_field;

struct rf_verrs {
    rf_arena *arena;
    verr_field *first, *last;
};

rf_verrs *rf_verrs_new(rf_arena *a)
{
    rf_verrs *e = rf_calloc(a, sizeof *e);
    e->arena = a;
    return e;
}

static bool same_field(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static verr_field *find_field(const rf_verrs *e, const char *name)
{
    for (verr_field *f = e->first; f; f = f->next)
        if (same_field(f->name, name))
            return f;
    return NULL;
}

void rf_verrs_add(rf_verrs *e, const char *field, const char *msg)
{
    verr_field *f = find_field(e, field);
    if (!f) {
        f = rf_calloc(e->arena, sizeof *f);
        f->name = field ? rf_strdup(e->arena, field) : NULL;
        if (e->last)
            e->last->next = f;
        else
            e->first = f;
        e->last = f;
    }
    verr_msg *m = rf_calloc(e->arena, sizeof *m);
    m->text = rf_strdup(e->arena, msg);
    if (f->last)
        f->last->next = m;
    else
        f->first = m;
    f->last = m;
}

bool rf_verrs_field_failed(const rf_verrs *e, const char *field)
{
    return find_field(e, field) != NULL;
}

bool rf_verrs_empty(const rf_verrs *e)
{
    return e->first == NULL;
}

void rf_verrs_render(rf_buf *b, const rf_verrs *e)
{
    rf_buf_putc(b, '{');
    for (verr_field *f = e->first; f; f = f->next) {
        if (f != e->first)
            rf_buf_putc(b, ',');
        rf_json_str(b, f->name ? f->name : "non_field_errors");
        rf_buf_lit(b, ":[");
        for (verr_msg *m = f->first; m; m = m->next) {
            if (m != f->first)
                rf_buf_putc(b, ',');
            rf_json_str(b, m->text);
        }
        rf_buf_putc(b, ']');
    }
    rf_buf_putc(b, '}');
}

/* TEMPORARY (not implemented yet): per-field validation lands next. */
void rf_validate_field(rf_vstate *vs, const rf_sfield *f, void *rec)
{
    (void)vs, (void)f, (void)rec;
}

/* TEMPORARY (not implemented yet): writes an empty field map. */
void rf_serializer_info(rf_buf *b, const rf_serializer *s)
{
    (void)s;
    rf_buf_lit(b, "{}");
}
