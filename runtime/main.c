/*
 * main.c: rf_main, the generated server's entry point.
 */
#include <stdio.h>

#include "internal.h"

/* TEMPORARY (not implemented yet): argument parsing, serve and the
 * management commands land next. */
int rf_main(const rf_app *app, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s: rf_main is not implemented yet\n", app->name);
    return 2;
}
