/*
 * restflow.h: the public API of librestflow.
 *
 * Generated servers and user hooks include only this header.  It is split by
 * concern into restflow/<concern>.h; each part is documented where it is
 * declared.  Everything public is prefixed rf_ (types, functions) or RF_
 * (macros, enum constants).
 *
 *   base.h    return codes, arenas, output buffers, bound values, JSON writers
 *   model.h   resources, fields, records, rows, serializer descriptors
 *   db.h      the async query interface, query descriptions, PostFetch
 *   policy.h  authentication, permissions, throttles, pagination, filters
 *   http.h    the request context, responses, hooks, views, routes, server
 */
#ifndef RESTFLOW_H
#define RESTFLOW_H

#include "restflow/base.h"
#include "restflow/model.h"
#include "restflow/db.h"
#include "restflow/policy.h"
#include "restflow/http.h"

#endif
