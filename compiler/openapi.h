/*
 * openapi.h: the OpenAPI 3.1 document of a spec (emit_openapi.c), for
 * `rflowc openapi` and for the copy every generated server serves.
 */
#ifndef RFLOWC_OPENAPI_H
#define RFLOWC_OPENAPI_H

#include <limits.h>

#include "emit.h"
#include "model.h"

/* The document as JSON, appended to out: values nested up to
 * pretty_depth levels deep one member per line with two-space indents,
 * deeper ones compact on their line; a final newline.  Deterministic: the
 * same spec gives the same bytes.  postgres: the document of a server
 * whose default database is PostgreSQL, where Django gives integer model
 * fields their column's range (minimum / maximum); otherwise SQLite's. */
#define OPENAPI_PRETTY INT_MAX
void openapi_document(const model *m, rf_buf *out, int pretty_depth, bool postgres);

/* For <spec>.c: `static const char <spec>_openapi[] = "...";`, the
 * document the server answers at its schema path (runtime/schema_view.c),
 * and, when the PostgreSQL document differs, `<spec>_openapi_postgres[]`,
 * the rf_openapi_insert list that makes it.  True when that list was
 * written. */
bool emit_c_openapi(emitter *e, const model *m);

#endif
