/*
 * sema.h: semantic analysis, from the AST of one spec to its resolved
 * model (model.h).
 *
 * sema_check resolves every name, applies DRF's defaults and the spec's
 * REST_FRAMEWORK settings, and checks everything docs/language.md lists
 * under "Diagnostics".  It reports every error it finds (up to the
 * diagnostics' cap) and never stops at the first.
 */
#ifndef RFLOWC_SEMA_H
#define RFLOWC_SEMA_H

#include "ast.h"
#include "diag.h"
#include "model.h"

/* The model of `file`, built in arena `a`, or NULL when sema reported any
 * error to `d` (warnings do not count).  `d`'s source must be file->src. */
model *sema_check(rf_arena *a, const ast_file *file, diag *d);

#endif
