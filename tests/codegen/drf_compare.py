#!/usr/bin/python3
"""A generated server against the same API written by hand in Django REST
Framework 3.14, both on the same fixture rows: every request must get the
same status and the same body byte for byte (the twin's MASK, such as
creation timestamps, aside).

    tests/codegen/drf_compare.py [SPEC] [--backend sqlite|postgres]
        prints each difference, then "N passed, N failed"

SPEC is a spec of tests/codegen/ with its twin: `library` (the default; its
twin is this file, below) or `keys` (tests/codegen/keys_twin.py).  A twin
module holds SPEC, LABEL (the Django app label: the tables' prefix),
FIXTURE (SQL that both SQLite and PostgreSQL take), REQUESTS, MASK (a regex
of bytes left out of the comparison, or None), REST_FRAMEWORK, MODELS and
twin_urls().  A request is (method, path, body), or with a fourth element
"sqlite" when only SQLite's answer is DRF's (NULLs sort first there).

It builds the server with rflowc (RFLOWC, default build/rflowc) against
this tree (RF_LIB, SAN as for the example servers), and runs DRF in
process through its test client (Debian's python3-djangorestframework and
python3-django-filters), on SQLite.  With --backend postgres the generated
server runs on a throwaway PostgreSQL cluster (tests/pg/cluster.sh, or the
E2E_PG_URL of a running one), migrated twice (migrate is safe to repeat),
and the twin takes PostgreSQL's integer column ranges (ranges_as_on_postgresql).
"""
import argparse
import importlib
import json
import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import types
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "codegen" / "library.rflow"
LABEL = "library"
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 2,
}

FIXTURE = """
INSERT INTO library_country (code, name) VALUES ('FR', 'France');
INSERT INTO library_author (name, country_id, meta) VALUES
    ('Ann', 1, '{"x": [1, 2.5]}'), ('Bob', NULL, '{}'), ('hidden', NULL, '{}');
INSERT INTO library_book (author_id, title, ratio, price, kind, isbn, out, added) VALUES
    (1, 'B1', 0.25, '3.5', 'p', '0123456789abcdef0123456789abcdef', '2020-02-03',
     '2024-01-01 10:00:00'),
    (2, 'B2', 1e20, '0', 'e', NULL, NULL, '2024-01-02 10:00:00'),
    (1, 'B0', 1.5, '10', 'e', NULL, NULL, '2024-01-03 10:00:00');
"""

# (method, path, body): run in order on both servers.  The paths NEXT and
# PREVIOUS follow that link of DRF's previous answer.
REQUESTS = [
    ("GET", "/api/authors/1/books/", None),
    ("GET", "NEXT", None),
    ("GET", "PREVIOUS", None),
    ("GET", "/api/authors/2/books/", None),
    ("GET", "/api/authors/9/books/", None),
    ("GET", "/api/", None),
    ("GET", "/api/books/", None),
    ("GET", "/api/books/1/", None),
    ("GET", "/api/books/2/", None),
    ("GET", "/api/authors/", None),
    ("GET", "/api/books/?kind=e", None),
    ("GET", "/api/books/?kind=x", None),
    ("GET", "/api/books/?author=9", None),
    ("GET", "/api/books/?ordering=-price&limit=1", None),
    ("GET", "/api/books/?search=b1", None),
    ("GET", "/api/books/?search=E", None),
    ("POST", "/api/books/", {"title": "New", "author": 2, "kind": "e",
                             "isbn": "{12345678-1234-5678-1234-567812345678}",
                             "out": "2021-01-01"}),
    ("POST", "/api/books/", {"title": "", "author": 99, "kind": "z", "isbn": "nope",
                             "out": "2021-13-01", "price": "1.234", "ratio": "x"}),
    ("POST", "/api/authors/", {"name": "Zed", "meta": {"a": [1, "é"]}}),
    ("POST", "/api/authors/", {"name": "Ann2", "country": 5, "meta": "text"}),
    ("PATCH", "/api/books/1/", {"price": "9.999"}),
    ("PUT", "/api/books/2/", {"title": "B2b", "author": 1}),
    ("GET", "/api/authors/?page=2", None),
    ("DELETE", "/api/books/2/", None),
    ("GET", "/api/books/2/", None),
    ("OPTIONS", "/api/books/", None),
    ("OPTIONS", "/api/authors/1/", None),
    ("GET", "/api/countries/", None),
    ("GET", "/api/countries/FR/", None),
    ("GET", "/api/countries/XX/", None),
    ("POST", "/api/countries/", {"code": "DE"}),
    ("OPTIONS", "/api/countries/FR/", None),
    ("GET", "/api/author/1/", None),
    ("PUT", "/api/author/1/", {"name": "Ann B"}),
    ("PATCH", "/api/author/2/", {"country": 1, "meta": [1, None]}),
    ("PATCH", "/api/author/9/", {"name": "x"}),
    ("DELETE", "/api/author/1/", None),
    ("OPTIONS", "/api/author/2/", None),
]

MASK = re.compile(rb'"added":"[^"]*"')


# ---------------------------------------------------------------------------
# The DRF twin, written from the spec by hand.

def drf_client(db_path, twin):
    import django
    from django.conf import settings
    label = twin.LABEL
    settings.configure(
        DEBUG=False, SECRET_KEY="twin", ALLOWED_HOSTS=["*"], USE_TZ=True, TIME_ZONE="UTC",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework",
                        "django_filters", f"{label}.apps.Config"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db_path)}},
        ROOT_URLCONF=f"{label}_urls",
        REST_FRAMEWORK=twin.REST_FRAMEWORK,
    )
    from django.apps import AppConfig

    class Config(AppConfig):
        name = label
        path = str(twin.SPEC.parent)

    Config.label = label
    package = types.ModuleType(label)
    package.default_app_config = f"{label}.apps.Config"
    apps_module = types.ModuleType(f"{label}.apps")
    apps_module.Config = Config
    sys.modules.update({label: package, f"{label}.apps": apps_module})
    django.setup()
    urls = types.ModuleType(f"{label}_urls")
    urls.urlpatterns = twin.twin_urls()
    sys.modules[f"{label}_urls"] = urls
    from django.db import connection
    with connection.schema_editor() as editor:
        for model in twin.MODELS:
            editor.create_model(model)
    from rest_framework.test import APIClient
    return APIClient()


MODELS = []


def twin_urls():
    from django.db import models
    from django.urls import include, path
    from django_filters.rest_framework import DjangoFilterBackend
    from rest_framework import filters, generics, mixins, pagination, routers, serializers, viewsets

    class Country(models.Model):
        code = models.CharField(max_length=2, unique=True)
        name = models.CharField(max_length=50)

        class Meta:
            app_label = "library"

    class Author(models.Model):
        name = models.CharField(max_length=50)
        country = models.ForeignKey(Country, on_delete=models.PROTECT, null=True)
        meta = models.JSONField(default=dict, blank=True)

        class Meta:
            app_label = "library"

    class Book(models.Model):
        author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
        title = models.CharField(max_length=100)
        ratio = models.FloatField(default=0.5)
        price = models.DecimalField(max_digits=6, decimal_places=2, default=0)
        kind = models.CharField(max_length=5, choices=[("p", "Paper"), ("e", "Ebook")],
                                default="p")
        isbn = models.UUIDField(null=True)
        out = models.DateField(null=True)
        added = models.DateTimeField(auto_now_add=True)

        class Meta:
            app_label = "library"

    MODELS.extend([Country, Author, Book])

    class CountryBrief(serializers.ModelSerializer):
        class Meta:
            model = Country
            fields = ["code", "name"]

    class AuthorBrief(serializers.ModelSerializer):
        country = CountryBrief(read_only=True, allow_null=True)

        class Meta:
            model = Author
            fields = ["id", "name", "country"]

    class BookSerializer(serializers.ModelSerializer):
        author_id = serializers.ReadOnlyField()
        author_info = AuthorBrief(source="author", read_only=True)
        country_name = serializers.CharField(source="author.country.name", read_only=True)

        class Meta:
            model = Book
            fields = ["id", "title", "ratio", "price", "kind", "isbn", "out", "added", "author",
                      "author_id", "author_info", "country_name"]

    class CountryFull(serializers.ModelSerializer):
        class Meta:
            model = Country
            fields = "__all__"

    class AuthorSerializer(serializers.ModelSerializer):
        class Meta:
            model = Author
            fields = "__all__"

    class Books(viewsets.ModelViewSet):
        queryset = Book.objects.order_by("id")
        serializer_class = BookSerializer
        filter_backends = [DjangoFilterBackend, filters.OrderingFilter, filters.SearchFilter]
        filterset_fields = ["kind", "author"]
        search_fields = ["title", "=kind"]
        ordering_fields = "__all__"

    class Authors(viewsets.ModelViewSet):
        queryset = Author.objects.exclude(name="hidden").order_by("name")
        serializer_class = AuthorSerializer
        pagination_class = pagination.PageNumberPagination

    class Countries(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
        queryset = Country.objects.order_by("code")
        serializer_class = CountryBrief
        lookup_field = "code"
        pagination_class = None

        def get_serializer_class(self):   # action retrieve { serializer_class = CountryFull; }
            return CountryFull if self.action == "retrieve" else CountryBrief

    class Newest(pagination.CursorPagination):
        ordering = ["-added"]
        page_size = 1

    class AuthorBooks(generics.ListAPIView):
        serializer_class = BookSerializer
        pagination_class = Newest

        def get_queryset(self):
            return (Book.objects.filter(author=self.kwargs["author_id"])
                    .exclude(author__country__isnull=True).order_by("title"))

    class AuthorDetail(generics.RetrieveUpdateAPIView):
        queryset = Author.objects.all()
        serializer_class = AuthorSerializer
        lookup_url_kwarg = "aid"

    router = routers.DefaultRouter()
    router.register("books", Books)
    router.register("authors", Authors)
    router.register("countries", Countries)
    return [path("api/", include(router.urls)),
            path("api/author/<int:aid>/", AuthorDetail.as_view()),
            path("api/authors/<int:author_id>/books/", AuthorBooks.as_view())]


# ---------------------------------------------------------------------------
# The generated server.

def build_server(work, spec):
    env = dict(os.environ)
    rflowc = os.environ.get("RFLOWC", str(ROOT / "build" / "rflowc"))
    out = work / spec.stem
    subprocess.run([rflowc, "build", str(spec), "-o", str(out)], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    make = ["make", "-s", "-C", str(out), f"RESTFLOW={ROOT}", "HOOKS="]
    if os.environ.get("RF_LIB"):
        make.append(f"RF_LIB={os.environ['RF_LIB']}")
    if os.environ.get("SAN"):
        make += [f"CFLAGS=-O2 -g {os.environ['SAN']}", f"LDFLAGS={os.environ['SAN']}"]
    subprocess.run(make, check=True, env=env)
    return out / f"{spec.stem}-server"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SqliteStore:
    """The generated server's database: a SQLite file."""

    def __init__(self, work):
        self.path = work / "restflow.db"
        self.url = f"sqlite:{self.path}"

    def load(self, fixture):
        with sqlite3.connect(self.path) as db:
            db.executescript(fixture)

    def close(self):
        pass


class PostgresStore:
    """A fresh database in a throwaway cluster (or in E2E_PG_URL's)."""

    def __init__(self, work, name):
        self.cluster = None
        base = os.environ.get("E2E_PG_URL")
        if not base:
            self.cluster = work / "pg"
            self.cluster.mkdir(mode=0o711)
            os.chmod(work, 0o711)
            base = subprocess.run([str(ROOT / "tests" / "pg" / "cluster.sh"), "start",
                                   str(self.cluster)], check=True, stdout=subprocess.PIPE,
                                  text=True).stdout.strip()
        db = f"{name}_{os.getpid()}"
        self.psql(base, f'CREATE DATABASE "{db}"')
        self.url = re.sub(r"/postgres(\?|$)", rf"/{db}\1", base, count=1)

    @staticmethod
    def psql(url, command):
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", command], check=True,
                       stdout=subprocess.DEVNULL)

    def load(self, fixture):
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url], input=fixture,
                       text=True, check=True, stdout=subprocess.DEVNULL)

    def close(self):
        if self.cluster:
            subprocess.run([str(ROOT / "tests" / "pg" / "cluster.sh"), "destroy",
                            str(self.cluster)], stdout=subprocess.DEVNULL)


def start_server(server, store, fixture):
    for _ in range(2):   # migrate creates what is missing: twice is harmless
        subprocess.run([str(server), "migrate", "--db", store.url], check=True,
                       stdout=subprocess.DEVNULL)
    store.load(fixture)
    port = free_port()
    proc = subprocess.Popen([str(server), "serve", "--listen", f"127.0.0.1:{port}", "--db",
                             store.url], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the generated server did not start")


def restflow_request(port, method, path, body):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=data,
                                 headers={"Content-Type": "application/json",
                                          "Host": "testserver"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def drf_request(client, method, path, body):
    call = getattr(client, method.lower())
    r = call(path, data=body, format="json") if body is not None else call(path)
    return r.status_code, r.content


def ranges_as_on_postgresql():
    """DRF's answers as where Django's default database is PostgreSQL, for
    what comes from the backend and not from stored rows: the column ranges
    of integer model fields (the DRF twins' switch, reused)."""
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "drf" / "common"))
    from rflow_twin.apps import ranges_as_on_postgresql as switch
    switch()


def masked(twin, body):
    return twin.MASK.sub(b"", body) if twin.MASK else body


def compare(twin, client, port, backend, verbose):
    passed = failed = 0
    previous = b"{}"
    for method, path, body, *only in twin.REQUESTS:
        if path in ("NEXT", "PREVIOUS"):
            link = json.loads(previous)[path.lower()]
            path = link.replace("http://testserver", "")
        want = drf_request(client, method, path, body)
        previous = want[1]
        got = restflow_request(port, method, path, body)
        if verbose:
            print(f"{method} {path}\n  {got[0]} {got[1][:800]!r}")
        if only and backend not in only:
            continue
        if want[0] == got[0] and masked(twin, want[1]) == masked(twin, got[1]):
            passed += 1
            continue
        failed += 1
        print(f"DIFF {method} {path}\n  drf:      {want[0]} {want[1][:800]!r}\n"
              f"  restflow: {got[0]} {got[1][:800]!r}")
    return passed, failed


def load_twin(name):
    if name == "library":
        return sys.modules[__name__]
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    return importlib.import_module(f"{name}_twin")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("spec", nargs="?", default="library")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print every request and the generated server's answer")
    args = parser.parse_args()
    twin = load_twin(args.spec)
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        server = build_server(work, twin.SPEC)
        client = drf_client(work / "drf.db", twin)
        if args.backend == "postgres":
            ranges_as_on_postgresql()
        with sqlite3.connect(work / "drf.db") as db:
            db.executescript(twin.FIXTURE)
        store = SqliteStore(work) if args.backend == "sqlite" else PostgresStore(work, args.spec)
        try:
            proc, port = start_server(server, store, twin.FIXTURE)
            try:
                passed, failed = compare(twin, client, port, args.backend, args.verbose)
            finally:
                proc.terminate()
                proc.wait(timeout=10)
        finally:
            store.close()
    print(f"{args.spec} ({args.backend}): {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
