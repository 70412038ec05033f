/*
 * routes.h: the URL table of a spec, as `rflowc routes` prints it.
 *
 * The table itself is built by sema (model.routes, in the order requests
 * are matched, exactly as Django resolves the urls block and DRF's routers
 * build their patterns); this prints it for people.
 */
#ifndef RFLOWC_ROUTES_H
#define RFLOWC_ROUTES_H

#include <stdio.h>

#include "model.h"

/* One line per method of every route: the pattern as Django lists it, the
 * HTTP method, the view and action it reaches, and the URL name. */
void routes_print(const model *m, FILE *out);

#endif
