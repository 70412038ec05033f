#!/usr/bin/python3
"""`make install` and `rflowc vendor`, each in a temporary directory outside
the tree, with the shop example (specs/shop.rflow and its hooks).

    test_install.py

1. make install PREFIX=<tmp>: the files, restflow.pc (with an rpath for a
   prefix outside /usr), and the shop server built three ways against it:
   by the generated Makefile (which finds it through pkg-config), by a
   plain `cc ... $(pkg-config --cflags --libs restflow)`, and with the
   installed rflowc generating the sources.  The servers run and answer.
2. make install DESTDIR=<tmp> PREFIX=/usr: a staged install, no rpath.
3. rflowc vendor (the installed one and the tree's): a project builds its
   server with no restflow installed, the vendored librestflow inside it.
4. make uninstall leaves no file behind.

Standard library only; the tree must be built (`make`).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from eco import ROOT, Failure, Server, expect, run_checks

SPEC = os.path.join(ROOT, "specs", "shop.rflow")
HOOKS = os.path.join(ROOT, "specs", "shop_hooks.c")


def run(cmd, env=None, cwd=None):
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        raise Failure("%s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stdout[-3000:]))
    return r.stdout


def clean_env(**extra):
    """No make jobserver from the caller, no restflow from the environment,
    pkg-config only where the test says."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "RESTFLOW", "PKG_CONFIG_PATH")}
    env.update(extra)
    return env


# Under `make sanitize` the installed library is instrumented (make exports
# its SAN to the environment): what links it needs the sanitizer runtime.
SAN = os.environ.get("SAN", "").split()


def generate(rflowc, where):
    run([rflowc, "build", SPEC, "-o", where])
    shutil.copy(HOOKS, where)


def serves_the_api(binary, tmp):
    """The server starts, and GET /api/ answers the router's root."""
    server = Server(binary, tmp)
    try:
        status, headers, body = server.get("/api/")
        expect(status, 200, "GET /api/")
        root = json.loads(body)
        expect(sorted(root), ["products", "reviews"], "the API root's keys")
    finally:
        server.stop()


def linked_library(binary):
    out = run(["ldd", binary])
    return [line.split()[2] for line in out.splitlines() if "librestflow" in line]


class Install:
    def __init__(self, tmp):
        self.tmp = tmp
        self.prefix = os.path.join(tmp, "prefix")
        self.pkgconfig = os.path.join(self.prefix, "lib", "pkgconfig")

    def install(self):
        run(["make", "-s", "-C", ROOT, "install", "PREFIX=" + self.prefix], env=clean_env())
        for f in ["bin/rflowc", "lib/librestflow.a", "lib/librestflow.so.1",
                  "lib/librestflow.so", "lib/pkgconfig/restflow.pc", "include/restflow.h",
                  "include/restflow/http.h", "share/restflow/runtime/dispatch.c",
                  "share/restflow/runtime/include/restflow/base.h",
                  "share/man/man1/rflowc.1", "share/man/man1/restflow-server.1",
                  "share/restflow/editors/vim/syntax/rflow.vim",
                  "share/restflow/editors/vscode/syntaxes/rflow.tmLanguage.json"]:
            if not os.path.exists(os.path.join(self.prefix, f)):
                raise Failure("not installed: " + f)
        libs = run(["pkg-config", "--libs", "restflow"], env=clean_env(PKG_CONFIG_PATH=self.pkgconfig))
        expect(libs.split()[:3], ["-L%s/lib" % self.prefix, "-lrestflow",
                                  "-Wl,-rpath,%s/lib" % self.prefix], "pkg-config --libs")

    def generated_makefile(self):
        app = os.path.join(self.tmp, "app", "shop")
        generate(os.path.join(self.prefix, "bin", "rflowc"), app)
        san_link = ["LDFLAGS=" + " ".join(SAN)] if SAN else []
        run(["make", "-s", "-C", app, "CFLAGS=" + " ".join(["-O0"] + SAN)] + san_link,
            env=clean_env(PKG_CONFIG_PATH=self.pkgconfig))
        binary = os.path.join(app, "shop-server")
        expect(linked_library(binary), [os.path.join(self.prefix, "lib", "librestflow.so.1")],
               "the library the server loads")
        serves_the_api(binary, app)

    def plain_cc(self):
        app = os.path.join(self.tmp, "cc", "shop")
        generate(os.path.join(ROOT, "build", "rflowc"), app)
        env = clean_env(PKG_CONFIG_PATH=self.pkgconfig)
        flags = run(["pkg-config", "--cflags", "--libs", "restflow"], env=env).split()
        sources = sorted(os.path.join(app, f) for f in os.listdir(app) if f.endswith(".c"))
        binary = os.path.join(app, "shop-server")
        run(["cc", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror", "-O0",
             "-I" + app, "-o", binary] + SAN + sources + flags, env=env)
        serves_the_api(binary, app)

    def staged(self):
        stage = os.path.join(self.tmp, "stage")
        run(["make", "-s", "-C", ROOT, "install", "DESTDIR=" + stage, "PREFIX=/usr"],
            env=clean_env())
        with open(os.path.join(stage, "usr/lib/pkgconfig/restflow.pc")) as f:
            pc = f.read()
        expect([l for l in pc.splitlines() if l.startswith(("prefix=", "Libs:"))],
               ["prefix=/usr", "Libs: -L${libdir} -lrestflow"], "a /usr restflow.pc")

    def uninstall(self):
        run(["make", "-s", "-C", ROOT, "uninstall", "PREFIX=" + self.prefix], env=clean_env())
        left = [os.path.join(d, f) for d, _, files in os.walk(self.prefix) for f in files]
        expect(left, [], "files left after uninstall")


def vendored(rflowc, tmp):
    """A project with the runtime vendored and nothing installed."""
    project = os.path.join(tmp, "project")
    run([rflowc, "vendor", os.path.join(project, "restflow")])
    app = os.path.join(project, "shop")
    generate(rflowc, app)
    env = clean_env(PKG_CONFIG_PATH=os.path.join(tmp, "nowhere"))
    if subprocess.run(["pkg-config", "--exists", "restflow"], env=env).returncode == 0:
        raise Failure("pkg-config finds a restflow: the test would prove nothing")
    run(["make", "-s", "-j2", "-C", app, "CFLAGS=-O0"], env=env)
    binary = os.path.join(app, "shop-server")
    expect(linked_library(binary), [], "shared restflow libraries the server loads")
    if not os.path.exists(os.path.join(project, "restflow", "build", "librestflow.a")):
        raise Failure("the vendored librestflow.a was not built")
    serves_the_api(binary, app)
    # Again: the copy is replaced in place, a stray file in runtime/ goes.
    stray = os.path.join(project, "restflow", "runtime", "stale.c")
    open(stray, "w").close()
    run([rflowc, "vendor", os.path.join(project, "restflow")])
    if os.path.exists(stray):
        raise Failure("vendor again kept a stale file")


def same_copy_from_the_tree(tree_rflowc, tmp):
    """The tree's rflowc vendors the same files as the installed one."""
    copy = os.path.join(tmp, "from-tree")
    run([tree_rflowc, "vendor", copy])
    installed = os.path.join(tmp, "project", "restflow")
    out = subprocess.run(["diff", "-r", "-x", "build", installed, copy],
                         stdout=subprocess.PIPE, text=True).stdout
    expect(out, "", "diff of the two vendored copies")


def vendor_refuses_foreign_directories(rflowc, tmp):
    mine = os.path.join(tmp, "mine")
    os.makedirs(mine)
    open(os.path.join(mine, "notes.txt"), "w").close()
    r = subprocess.run([rflowc, "vendor", mine], stderr=subprocess.PIPE, text=True)
    expect((r.returncode, sorted(os.listdir(mine))), (2, ["notes.txt"]),
           "vendor into a directory of other files")


def main():
    tmp = tempfile.mkdtemp(prefix="rf-install-")
    try:
        inst = Install(tmp)
        installed_rflowc = os.path.join(inst.prefix, "bin", "rflowc")
        tree_rflowc = os.path.join(ROOT, "build", "rflowc")
        return run_checks([
            ("make install PREFIX", inst.install),
            ("the generated Makefile builds against the install", inst.generated_makefile),
            ("cc with pkg-config --cflags --libs restflow", inst.plain_cc),
            ("make install DESTDIR PREFIX=/usr", inst.staged),
            ("the installed rflowc vendors a buildable runtime",
             lambda: vendored(installed_rflowc, tmp)),
            ("the tree's rflowc vendors the same files",
             lambda: same_copy_from_the_tree(tree_rflowc, tmp)),
            ("vendor leaves a foreign directory alone",
             lambda: vendor_refuses_foreign_directories(tree_rflowc, tmp)),
            ("make uninstall", inst.uninstall),
        ])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
