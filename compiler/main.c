/*
 * main.c: the rflowc command line.
 *
 *   rflowc check SPEC...    diagnostics only; silent when every spec is valid
 *   rflowc routes SPEC      the URL table, as DRF's routers build it
 *   rflowc openapi SPEC [--database sqlite|postgresql]
 *                           the OpenAPI 3.1 document (emit_openapi.c)
 *   rflowc build SPEC -o DIR [--no-main] [--stubs]
 *                           write the server's sources into DIR (emit.h)
 *   rflowc dump-ast SPEC    the syntax tree, for compiler developers
 *   rflowc vendor DIR       a copy of the runtime's sources (vendor.c)
 *
 * Diagnostics go to standard error, results to standard output.
 * Exit status: 0 ok, 1 errors in a spec, 2 usage or internal errors
 * (including a spec that cannot be read).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ast.h"
#include "diag.h"
#include "emit.h"
#include "openapi.h"
#include "routes.h"
#include "sema.h"
#include "source.h"
#include "vendor.h"

#define RFLOWC_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_SPEC_ERRORS = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: rflowc COMMAND [OPTIONS] SPEC...\n"
    "\n"
    "commands:\n"
    "  check SPEC...      check specs and report every error found\n"
    "  routes SPEC        print the URL table, in DRF's route order\n"
    "  openapi SPEC       print the API's OpenAPI 3.1 document (JSON)\n"
    "  build SPEC -o DIR  write the server's C sources, schemas and Makefile into DIR\n"
    "  dump-ast SPEC      print the syntax tree (for compiler developers)\n"
    "  vendor DIR         copy the runtime's sources into DIR, so that a generated\n"
    "                     server builds with no restflow installed\n"
    "\n"
    "options:\n"
    "  --max-errors=N     stop after N errors (default 20; 0: no limit)\n"
    "  -o DIR             build: the output directory (created when missing)\n"
    "  --no-main          build: no <spec>_main.c (you write main())\n"
    "  --stubs            build: also a starter <spec>_hooks.c, unless it exists\n"
    "  --database DB      openapi: the document a server on DB serves: sqlite\n"
    "                     (default) or postgresql, where integer fields show\n"
    "                     their column's range\n"
    "  -h, --help         show this help\n"
    "  --version          show the version\n"
    "\n"
    "A SPEC of '-' reads standard input.\n"
    "exit status: 0 ok, 1 errors in a spec, 2 usage or internal error\n"
    "manual: rflowc(1); documentation: docs/index.md in the restflow sources\n";

typedef struct options {
    unsigned max_errors;
    const char **specs;
    int nspecs;
    const char *out_dir;     /* build -o */
    bool no_main, stubs;     /* build --no-main, --stubs */
    bool postgres;           /* openapi --database=postgresql */
} options;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("rflowc: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'rflowc --help'.\n", stderr);
    return EXIT_USAGE;
}

static bool parse_count(const char *text, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > UINT_MAX)
        return false;
    *out = (unsigned)v;
    return true;
}

/* The database a server's document is for: the names Django's ENGINE
 * ends with. */
static bool parse_database(const char *text, bool *postgres)
{
    *postgres = !strcmp(text, "postgresql");
    return *postgres || !strcmp(text, "sqlite");
}

/* Options may come anywhere after the command; "--" ends them. */
static int parse_options(int argc, char **argv, options *o)
{
    o->max_errors = DIAG_DEFAULT_MAX_ERRORS;
    o->specs = calloc((size_t)argc, sizeof *o->specs);
    o->nspecs = 0;
    o->out_dir = NULL;
    o->no_main = o->stubs = o->postgres = false;
    bool only_specs = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_specs || a[0] != '-' || !strcmp(a, "-")) {
            o->specs[o->nspecs++] = a;
        } else if (!strcmp(a, "-o")) {
            if (i + 1 >= argc)
                return usage_error("%s", "-o needs a directory");
            o->out_dir = argv[++i];
        } else if (!strcmp(a, "--no-main")) {
            o->no_main = true;
        } else if (!strcmp(a, "--stubs")) {
            o->stubs = true;
        } else if (!strcmp(a, "--")) {
            only_specs = true;
        } else if (!strcmp(a, "--database") || !strncmp(a, "--database=", 11)) {
            const char *db = a[10] == '=' ? a + 11 : i + 1 < argc ? argv[++i] : NULL;
            if (!db)
                return usage_error("%s", "--database needs sqlite or postgresql");
            if (!parse_database(db, &o->postgres))
                return usage_error("invalid --database value '%s' (sqlite or postgresql)", db);
        } else if (!strncmp(a, "--max-errors=", 13)) {
            if (!parse_count(a + 13, &o->max_errors))
                return usage_error("invalid --max-errors value '%s'", a + 13);
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    return EXIT_OK;
}

/* ---- loading and checking one spec -------------------------------------- */

typedef struct compilation {
    rf_arena *arena;
    source src;
    ast_file *ast;
    model *model;
} compilation;

/* Load and parse; false with diagnostics printed (or a read error) when the
 * spec is not a syntactically valid file.  *read_failed tells the two apart. */
static bool load_and_parse(compilation *c, const char *path, diag *d, bool *read_failed)
{
    *read_failed = false;
    int err = source_load(&c->src, c->arena, path);
    diag_set_source(d, &c->src);
    if (err == EFBIG) {
        diag_error_file(d, "the spec is too large (the limit is %u MiB)", SOURCE_MAX_BYTES >> 20);
        return false;
    }
    if (err) {
        fprintf(stderr, "rflowc: cannot read '%s': %s\n", path, strerror(err));
        *read_failed = true;
        return false;
    }
    c->ast = ast_parse(c->arena, &c->src, d);
    return c->ast != NULL;
}

/* Every front-end pass over one spec; true when it is valid.  Sema runs
 * only on a syntactically valid file, so its errors are never echoes of a
 * syntax error. */
static bool check_spec(compilation *c, const char *path, diag *d, bool *read_failed)
{
    if (!load_and_parse(c, path, d, read_failed))
        return false;
    c->model = sema_check(c->arena, c->ast, d);
    return c->model != NULL;
}

static int exit_status(bool read_failed, unsigned errors)
{
    if (read_failed)
        return EXIT_USAGE;
    return errors ? EXIT_SPEC_ERRORS : EXIT_OK;
}

static int cmd_check(const options *o)
{
    if (o->nspecs == 0)
        return usage_error("%s", "check: no spec given");
    diag d;
    diag_init(&d, stderr, o->max_errors);
    bool any_read_failed = false;
    for (int i = 0; i < o->nspecs && !diag_stopped(&d); i++) {
        compilation c = { .arena = rf_arena_new(0) };
        bool read_failed;
        check_spec(&c, o->specs[i], &d, &read_failed);
        any_read_failed |= read_failed;
        diag_set_source(&d, NULL);
        rf_arena_free(c.arena);
    }
    unsigned errors = d.errors;
    diag_free(&d);
    return exit_status(any_read_failed, errors);
}

/* Commands that take exactly one spec and print something about it: the
 * printer and how far the spec must get (parsed, or fully checked). */
typedef struct spec_command {
    void (*print)(const compilation *c, const options *o, FILE *out);
    bool needs_model;
} spec_command;

static void print_ast(const compilation *c, const options *o, FILE *out)
{
    (void)o;
    ast_dump(out, c->ast);
}

static void print_routes(const compilation *c, const options *o, FILE *out)
{
    (void)o;
    routes_print(c->model, out);
}

static void print_openapi(const compilation *c, const options *o, FILE *out)
{
    rf_buf b;
    rf_buf_init(&b, NULL, 65536);
    openapi_document(c->model, &b, OPENAPI_PRETTY, o->postgres);
    fwrite(b.data, 1, b.len, out);
    rf_buf_release(&b);
}

static const spec_command dump_ast_command = { print_ast, false };
static const spec_command openapi_command = { print_openapi, true };
static const spec_command routes_command = { print_routes, true };

static int run_on_one_spec(const options *o, const char *cmd, const spec_command *command)
{
    if (o->nspecs != 1)
        return usage_error("%s: exactly one spec expected", cmd);
    diag d;
    diag_init(&d, stderr, o->max_errors);
    compilation c = { .arena = rf_arena_new(0) };
    bool read_failed;
    bool ok = command->needs_model ? check_spec(&c, o->specs[0], &d, &read_failed)
                                   : load_and_parse(&c, o->specs[0], &d, &read_failed);
    if (ok)
        command->print(&c, o, stdout);
    diag_set_source(&d, NULL);
    unsigned errors = d.errors;
    diag_free(&d);
    rf_arena_free(c.arena);
    return exit_status(read_failed, errors);
}

/* mkdir -p */
static bool make_dirs(const char *path)
{
    char *p = strdup(path);
    bool ok = p != NULL;
    for (char *s = p + 1; ok && *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        ok = mkdir(p, 0777) == 0 || errno == EEXIST;
        *s = '/';
    }
    ok = ok && (mkdir(p, 0777) == 0 || errno == EEXIST);
    if (!ok)
        fprintf(stderr, "rflowc: cannot create '%s': %s\n", path, strerror(errno));
    free(p);
    return ok;
}

static int cmd_build(const options *o)
{
    if (o->nspecs != 1)
        return usage_error("%s", "build: exactly one spec expected");
    if (!o->out_dir)
        return usage_error("%s", "build: -o DIR is required");
    diag d;
    diag_init(&d, stderr, o->max_errors);
    compilation c = { .arena = rf_arena_new(0) };
    bool read_failed;
    int rc = EXIT_OK;
    if (check_spec(&c, o->specs[0], &d, &read_failed)) {
        build_options bo = { .dir = o->out_dir, .no_main = o->no_main, .stubs = o->stubs };
        rc = make_dirs(o->out_dir) ? emit_build(c.model, &bo) : EXIT_USAGE;
    }
    diag_set_source(&d, NULL);
    unsigned errors = d.errors;
    diag_free(&d);
    rf_arena_free(c.arena);
    return rc != EXIT_OK ? rc : exit_status(read_failed, errors);
}

static int cmd_vendor(const options *o)
{
    if (o->nspecs != 1)
        return usage_error("%s", "vendor: exactly one directory expected");
    if (!make_dirs(o->specs[0]))
        return EXIT_USAGE;
    return vendor_runtime(o->specs[0], RFLOWC_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        puts("rflowc " RFLOWC_VERSION);
        return EXIT_OK;
    }
    options o;
    int rc = parse_options(argc - 2, argv + 2, &o);
    if (rc == EXIT_OK) {
        if (!strcmp(cmd, "check"))
            rc = cmd_check(&o);
        else if (!strcmp(cmd, "routes"))
            rc = run_on_one_spec(&o, cmd, &routes_command);
        else if (!strcmp(cmd, "openapi"))
            rc = run_on_one_spec(&o, cmd, &openapi_command);
        else if (!strcmp(cmd, "dump-ast"))
            rc = run_on_one_spec(&o, cmd, &dump_ast_command);
        else if (!strcmp(cmd, "build"))
            rc = cmd_build(&o);
        else if (!strcmp(cmd, "vendor"))
            rc = cmd_vendor(&o);
        else
            rc = usage_error("unknown command '%s'", cmd);
    }
    free(o.specs);
    return rc;
}
