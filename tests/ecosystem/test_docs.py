#!/usr/bin/python3
"""Polish: man pages, help texts, editor grammars, the docs' links.

    test_docs.py --rflowc build/rflowc --server build/shop-server --man build/man

1. The man pages render with no groff warning, and name every command and
   option that `rflowc --help` and the server's --help list (so the two
   cannot drift apart).
2. The TextMate grammar through VS Code's engine (grammar.mjs), and the Vim
   syntax file in Vim (vim_syntax.vim), on the example specs.
3. Every relative link of README.md and docs/*.md leads to a file.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

from eco import HERE, ROOT, Failure, expect, run_checks


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          **kw)


def man_pages_render(man_dir):
    pages = sorted(glob.glob(os.path.join(man_dir, "*.1")))
    expect([os.path.basename(p) for p in pages], ["restflow-server.1", "rflowc.1"],
           "man pages built")
    for page in pages:
        warnings = run(["groff", "-man", "-Tutf8", "-ww", "-z", page]).stdout
        expect(warnings, "", "groff warnings for " + page)


def help_words(text, pattern):
    return sorted(set(re.findall(pattern, text, re.M)))


def manual_covers_help(rflowc, server):
    with open(os.path.join(ROOT, "docs", "man", "rflowc.1.md")) as f:
        rflowc_man = f.read()
    with open(os.path.join(ROOT, "docs", "man", "restflow-server.1.md")) as f:
        server_man = f.read()
    text = run([rflowc, "--help"]).stdout
    commands = help_words(text, r"^  ([a-z][a-z-]*) ")
    options = help_words(text, r"(--[a-z-]+)")
    expect(commands, ["build", "check", "dump-ast", "openapi", "routes", "vendor"],
           "rflowc's commands")
    missing = [w for w in commands + options if "**%s" % w.lstrip("-") not in rflowc_man
               and "**%s" % w not in rflowc_man]
    expect(missing, [], "rflowc --help words missing from rflowc.1.md")
    text = run([server, "--help"]).stdout
    words = help_words(text, r"(--[a-z-]+)") + ["migrate", "createuser", "createtoken", "serve"]
    missing = [w for w in words if "**%s**" % w not in server_man]
    expect(missing, [], "server --help words missing from restflow-server.1.md")


def textmate_grammar():
    r = run(["node", os.path.join(HERE, "grammar.mjs"),
             os.path.join(ROOT, "editors", "vscode", "syntaxes", "rflow.tmLanguage.json")]
            + sorted(glob.glob(os.path.join(ROOT, "specs", "*.rflow"))))
    print(r.stdout.strip().splitlines()[-1])
    if r.returncode:
        raise Failure(r.stdout)


def vim_syntax():
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as out:
        run(["vim", "-Nu", "NONE", "-i", "NONE", "-Es", "-c", "let g:out = '%s'" % out.name,
             "-S", os.path.join(HERE, "vim_syntax.vim")], cwd=ROOT, timeout=60)
        result = out.read().strip()
    print(result.splitlines()[-1] if result else "vim wrote nothing")
    if not result.endswith(" 0 failed"):
        raise Failure(result or "vim wrote nothing")


def links_lead_somewhere():
    broken = []
    for doc in [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md"))):
        with open(doc) as f:
            text = f.read()
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            if not os.path.exists(os.path.join(os.path.dirname(doc), target)):
                broken.append("%s -> %s" % (os.path.relpath(doc, ROOT), target))
    expect(broken, [], "links to missing files")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rflowc", required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--man", required=True, help="the built man pages")
    args = ap.parse_args()
    return run_checks([
        ("man pages render cleanly", lambda: man_pages_render(args.man)),
        ("man pages cover the --help texts", lambda: manual_covers_help(args.rflowc, args.server)),
        ("the TextMate grammar in VS Code's engine", textmate_grammar),
        ("the Vim syntax file in Vim", vim_syntax),
        ("README and docs links lead to files", links_lead_somewhere),
    ])


if __name__ == "__main__":
    sys.exit(main())
