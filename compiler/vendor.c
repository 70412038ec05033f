/*
 * vendor.c: `rflowc vendor DIR` copies the runtime's sources into DIR, so
 * that a project builds its generated server with no restflow installed:
 *
 *   DIR/runtime/...     the runtime's .c and .h files, as in the tree
 *   DIR/Makefile        `make -C DIR` builds DIR/build/librestflow.a
 *   DIR/VERSION         which restflow this is (and the marker that DIR
 *                       is a vendored copy, so running vendor again
 *                       replaces it)
 * DIR is created (with its parents) by the caller.
 *
 * A generated Makefile finds a vendored copy named `restflow` next to the
 * generated directory or inside it (docs/install.md); anywhere else, pass
 * RESTFLOW=DIR to make.
 *
 * The sources are the ones this rflowc was built or installed with: next
 * to the executable, <bin>/../share/restflow/runtime (an installed rflowc,
 * `make install`) or <bin>/../runtime (build/rflowc in a restflow tree).
 * Running vendor again updates the copy in place: the old runtime/ is
 * removed first, so no stale file survives.  A DIR that exists, is not
 * empty and is not a vendored copy is left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vendor.h"

#define MARKER "restflow "

/* PKGS: the runtime's packages, as the top Makefile's PKGS and the
 * generated Makefile's (compiler/emit_make.c) list them. */
static const char makefile_text[] =
    "# librestflow, vendored by `rflowc vendor`.  DO NOT EDIT: run `rflowc vendor`\n"
    "# again to update this copy.\n"
    "#\n"
    "#   make               build/librestflow.a from runtime/*.c\n"
    "#   make clean\n"
    "#\n"
    "# Warnings are shown but not fatal here: your compiler may be newer than the\n"
    "# ones restflow is tested with.\n"
    "\n"
    "CC      ?= cc\n"
    "CFLAGS  ?= -O2 -g\n"
    "PKGS    := libevent libevent_pthreads libevent_openssl jansson sqlite3 libpq openssl hiredis\n"
    "SRC     := $(sort $(wildcard runtime/*.c))\n"
    "OBJ     := $(SRC:%.c=build/%.o)\n"
    "HEADERS := $(wildcard runtime/*.h runtime/include/*.h runtime/include/restflow/*.h)\n"
    "\n"
    ".PHONY: all clean\n"
    "all: build/librestflow.a\n"
    "\n"
    "build/librestflow.a: $(OBJ)\n"
    "\trm -f $@ && ar rcs $@ $^\n"
    "\n"
    "build/runtime/%.o: runtime/%.c $(HEADERS)\n"
    "\t@mkdir -p $(@D)\n"
    "\t$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(CFLAGS) -fPIC -Iruntime/include -Iruntime \\\n"
    "\t    $(shell pkg-config --cflags $(PKGS)) -c $< -o $@\n"
    "\n"
    "clean:\n"
    "\trm -rf build\n";

/* dir + "/" + name into out; false (with a message) when too long. */
static bool join(char out[PATH_MAX], const char *dir, const char *name)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= PATH_MAX) {
        fprintf(stderr, "rflowc: vendor: path too long: %s/%s\n", dir, name);
        return false;
    }
    return true;
}

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "rflowc: vendor: %s '%s': %s\n", what, path, strerror(errno));
    return 2;
}

static bool is_runtime_dir(const char *dir)
{
    char probe[PATH_MAX];
    return join(probe, dir, "include/restflow.h") && access(probe, R_OK) == 0;
}

/* The runtime sources this rflowc belongs to, into out. */
static bool find_sources(char out[PATH_MAX])
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    static const char *const candidates[] = { "../share/restflow/runtime", "../runtime" };
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (join(out, exe, candidates[i]) && is_runtime_dir(out))
            return true;
    fprintf(stderr, "rflowc: vendor: no runtime sources next to %s (looked in "
                    "../share/restflow/runtime and ../runtime)\n", exe);
    return false;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return fail("cannot read", from);
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return fail("cannot write", to);
    }
    char buf[65536];
    size_t n;
    bool ok = true;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = ok && fwrite(buf, 1, n, out) == n;
    ok = !ferror(in) && ok;
    fclose(in);
    if (fclose(out) != 0 || !ok)
        return fail("cannot write", to);
    return 0;
}

/* Copy the .c and .h files of from into to, and its subdirectories
 * (include/, include/restflow/) likewise. */
static int copy_tree(const char *from, const char *to)
{
    if (mkdir(to, 0777) != 0 && errno != EEXIST)
        return fail("cannot create", to);
    DIR *d = opendir(from);
    if (!d)
        return fail("cannot read", from);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char src[PATH_MAX], dst[PATH_MAX];
        struct stat st;
        if (!join(src, from, e->d_name) || !join(dst, to, e->d_name))
            rc = 2;
        else if (stat(src, &st) != 0)
            rc = fail("cannot read", src);
        else if (S_ISDIR(st.st_mode))
            rc = copy_tree(src, dst);
        else if (has_suffix(e->d_name, ".c") || has_suffix(e->d_name, ".h"))
            rc = copy_file(src, dst);
    }
    closedir(d);
    return rc;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f) != 0)
        return fail("cannot write", path);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* DIR (which exists) may be filled when empty, or replaced when it is a
 * vendored copy. */
static int prepare(const char *dir)
{
    char path[PATH_MAX];
    if (!join(path, dir, "VERSION"))
        return 2;
    char head[sizeof MARKER] = "";
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(head, 1, sizeof head - 1, f);
        head[n] = '\0';
        fclose(f);
    }
    if (strcmp(head, MARKER) != 0) {
        DIR *d = opendir(dir);
        int entries = 0;
        for (struct dirent *e; d && (e = readdir(d)) != NULL;)
            entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
        if (d)
            closedir(d);
        if (!d || entries) {
            fprintf(stderr, "rflowc: vendor: '%s' exists and is not a vendored restflow; "
                            "choose a new directory\n", dir);
            return 2;
        }
    }
    if (!join(path, dir, "runtime"))
        return 2;
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return fail("cannot remove the old copy", path);
    return 0;
}

int vendor_runtime(const char *dir, const char *version)
{
    char sources[PATH_MAX], path[PATH_MAX], text[256];
    if (!find_sources(sources))
        return 2;
    int rc = prepare(dir);
    if (rc)
        return rc;
    if (!join(path, dir, "runtime"))
        return 2;
    if ((rc = copy_tree(sources, path)) != 0)
        return rc;
    if (!join(path, dir, "Makefile"))
        return 2;
    if ((rc = write_text(path, makefile_text)) != 0)
        return rc;
    if (!join(path, dir, "VERSION"))
        return 2;
    snprintf(text, sizeof text, MARKER "%s, vendored by `rflowc vendor`\n", version);
    return write_text(path, text);
}
