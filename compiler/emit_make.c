/*
 * emit_make.c: the Makefile of a generated directory, so that
 * `make -C DIR` builds DIR/<spec>-server.
 *
 * Where librestflow comes from, decided at make time (the file holds no
 * absolute path, so it is the same bytes wherever it is generated):
 *   1. RESTFLOW=<restflow tree> given on the command line or environment;
 *   2. else a vendored copy (`rflowc vendor`, compiler/vendor.c) named
 *      restflow, inside DIR or next to it;
 *   3. else the nearest restflow tree above DIR (a directory with
 *      runtime/include/restflow.h), as for generated/<spec> in the tree
 *      rflowc came from;
 *   4. else an installed librestflow through `pkg-config restflow`.
 * A tree's build/librestflow.a is made first when missing.
 */
#include <stdio.h>

#include "emit_internal.h"

bool emit_makefile(const model *m, const char *dir, bool with_main)
{
    emitter e;
    em_begin(&e, m, "#", "Makefile: builds %s-server from the generated sources and your hooks.",
             m->name);
    static const char body[] =
        "#\n"
        "#   make                      build ./$(SERVER)\n"
        "#   make HOOKS='a.c b.c'      hooks from these files (default: every .c file\n"
        "#                             here that rflowc did not generate)\n"
        "#   make RESTFLOW=/path/to/restflow   the restflow tree to build against\n"
        "#                             (default: a vendored copy, ./restflow or\n"
        "#                             ../restflow (rflowc vendor), else the nearest\n"
        "#                             tree above this directory, else an installed\n"
        "#                             librestflow via pkg-config)\n"
        "#   make OUT=dir              where the server goes (default: here)\n"
        "\n"
        "SPEC      := %s\n"
        "SERVER    := $(SPEC)-server\n"
        "GENERATED := $(SPEC).c%s\n"
        "HEADERS   := $(SPEC).h $(SPEC)_hooks.h\n"
        "HOOKS     ?= $(filter-out $(GENERATED),$(sort $(wildcard *.c)))\n"
        "OUT       ?= .\n"
        "CC        ?= cc\n"
        "CFLAGS    ?= -O2 -g\n"
        "WARN      := -Wall -Wextra -Werror\n"
        "PKGS      := libevent libevent_pthreads libevent_openssl jansson sqlite3 libpq openssl hiredis\n"
        "\n"
        "find_tree  = $(firstword $(foreach d,restflow ../restflow .. ../.. ../../.. ../../../..,\\\n"
        "               $(if $(wildcard $(d)/runtime/include/restflow.h),$(abspath $(d)))))\n"
        "RESTFLOW  ?= $(find_tree)\n"
        "\n"
        "ifneq ($(RESTFLOW),)\n"
        "RF_LIB    := $(RESTFLOW)/build/librestflow.a\n"
        "RF_CFLAGS := -I$(RESTFLOW)/runtime/include $(shell pkg-config --cflags $(PKGS))\n"
        "RF_LIBS   := $(RF_LIB) $(shell pkg-config --libs $(PKGS)) -lhttp_parser -lpthread -lm\n"
        "else\n"
        "RF_LIB    :=\n"
        "RF_CFLAGS := $(shell pkg-config --cflags restflow)\n"
        "RF_LIBS   := $(shell pkg-config --libs --static restflow)\n"
        "endif\n"
        "\n"
        ".PHONY: all clean\n"
        "all: $(OUT)/$(SERVER)\n"
        "\n"
        "$(OUT)/$(SERVER): $(GENERATED) $(HEADERS) $(HOOKS) $(RF_LIB)\n"
        "\tmkdir -p $(OUT)\n"
        "\t$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -I. $(RF_CFLAGS) -o $@ \\\n"
        "\t    $(GENERATED) $(HOOKS) $(RF_LIBS) $(LDFLAGS)\n"
        "\n"
        "ifneq ($(RF_LIB),)\n"
        "$(RF_LIB):\n"
        "\t$(MAKE) -C $(RESTFLOW) build/librestflow.a\n"
        "endif\n"
        "\n"
        "clean:\n"
        "\trm -f $(OUT)/$(SERVER)\n";
    em_printf(&e, body, m->name, with_main ? " $(SPEC)_main.c" : "");
    return em_finish(&e, dir, "Makefile");
}
