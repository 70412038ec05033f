/*
 * main.c: the rflowc command line.
 *
 *   rflowc check SPEC...    diagnostics only
 *   rflowc routes SPEC      the URL table, as DRF's routers build it
 *   rflowc build ...        reserved for code generation (not yet)
 *
 * Exit status: 0 ok, 1 errors in a spec, 2 usage or internal errors.
 */
#include <stdio.h>
#include <string.h>

#define RFLOWC_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_SPEC_ERRORS = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: rflowc COMMAND [OPTIONS] SPEC...\n"
    "\n"
    "commands:\n"
    "  check SPEC...     check specs and report every error found\n"
    "  routes SPEC       print the URL table, in DRF's route order\n"
    "  build SPEC        generate C sources (not implemented yet)\n"
    "\n"
    "options:\n"
    "  -h, --help        show this help\n"
    "  --version         show the version\n"
    "\n"
    "exit status: 0 ok, 1 errors in a spec, 2 usage or internal error\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        puts("rflowc " RFLOWC_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "check") || !strcmp(cmd, "routes") || !strcmp(cmd, "build")) {
        fprintf(stderr, "rflowc: '%s' is not implemented yet\n", cmd);
        return EXIT_USAGE;
    }
    fprintf(stderr, "rflowc: unknown command '%s'\n", cmd);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}
