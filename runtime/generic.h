/*
 * generic.h (internal, serializers area): the generic view pipelines, and
 * the steps they are made of, which the helpers for hand-written views
 * (helpers.c) reuse.
 *
 * The dispatcher calls rf_generic_action for every action whose kind is not
 * RF_ACT_HANDLER.  It behaves as an RF_ASYNC handler hook: it returns RF_OK
 * (response set), RF_ERROR (error response set) or RF_PENDING, in which
 * case it later calls rf_resume(ctx, rc) exactly once on the loop thread.
 */
#ifndef RF_GENERIC_H
#define RF_GENERIC_H

#include <jansson.h>

#include "restflow.h"

rf_rc rf_generic_action(rf_ctx *ctx);

/* ---------------------------------------------------------------------
 * Steps.  A pipeline is a NULL-terminated list of steps run in order over
 * one state.  A step returns RF_OK (next step), RF_ERROR (stop: the error
 * is on the context) or RF_PENDING (its continuation resumes the list with
 * rf_gen_resume).  When the list finishes after a PENDING, `done` is
 * called with the outcome; when it finishes at once, rf_gen_run returns it.
 */
typedef struct rf_gen rf_gen;
typedef rf_rc (*rf_gen_step)(rf_gen *g);

struct rf_gen {
    rf_ctx *ctx;
    rf_cont done;
    const rf_gen_step *steps;
    int next;
    const rf_gen *outer;             /* the list this one runs inside */
    const rf_view *view;
    const rf_action *action;
    const rf_resource *res;          /* the model written or read */
    const rf_serializer *response;   /* renders */
    const rf_serializer *request;    /* validates */
    rf_query *q;
    rf_page *page;
    rf_rowset *rows;
    const rf_postfetch *const *pfs;  /* attached to what is fetched */
    int npfs;
    bool postfetch_follows;          /* the steps run rf_gen_step_postfetch */
    rf_result *reloaded;             /* the reload that came with the write */
    rf_result *committed;            /* the COMMIT that came with it */
    void *obj;                       /* the instance get_object found */
    void *rec;                       /* the record validated / written */
    json_t *data;                    /* the request body */
    rf_vmode mode;
    bool force_insert;               /* create: INSERT whatever the pk */
    int status;                      /* of the rendered response */
    void **out;                      /* helpers: where the result goes */
};

rf_gen *rf_gen_new(rf_ctx *ctx, rf_cont done);
rf_rc rf_gen_run(rf_gen *g, const rf_gen_step *steps);

/* The steps the helpers use.  get_object: queryset, get_queryset hook,
 * filter backends, lookup (404), get_object hook, fetch, object
 * permissions.  The others act on what earlier steps left in the state. */
rf_rc rf_gen_step_query(rf_gen *g);           /* q from the action's queryset */
rf_rc rf_gen_step_get_queryset(rf_gen *g);
rf_rc rf_gen_step_filter(rf_gen *g);
rf_rc rf_gen_step_lookup(rf_gen *g);
rf_rc rf_gen_step_get_object_hook(rf_gen *g);
rf_rc rf_gen_step_fetch_one(rf_gen *g);
rf_rc rf_gen_step_object_permissions(rf_gen *g);
rf_rc rf_gen_step_paginate(rf_gen *g);
rf_rc rf_gen_step_fetch(rf_gen *g);
rf_rc rf_gen_step_postfetch(rf_gen *g);
rf_rc rf_gen_step_render_list(rf_gen *g);
rf_rc rf_gen_step_body(rf_gen *g);
rf_rc rf_gen_step_validate(rf_gen *g);
rf_rc rf_gen_step_begin(rf_gen *g);           /* a transaction on the model's db */
rf_rc rf_gen_step_write(rf_gen *g);           /* rec: INSERT or UPDATE */
rf_rc rf_gen_step_reload(rf_gen *g);          /* rec read back into obj/rows */
rf_rc rf_gen_step_commit(rf_gen *g);
rf_rc rf_gen_step_render_one(rf_gen *g);
rf_rc rf_gen_step_out(rf_gen *g);             /* *out = obj */

#endif
