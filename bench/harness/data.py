"""The benchmark's data set, identical in every system.

The schema is Django's own (the DRF peer's `migrate` creates it), so every
peer reads the tables a Django project would have: products, shop_review,
auth_user, authtoken_token.  The rows are a pure function of the sizes
below, written once into a template SQLite file that each system then gets a
fresh copy of, so no system sees rows another one wrote.

Values are chosen so that every ordering the scenarios use is total (prices
and timestamps are unique), which makes the bodies of all systems
comparable byte for byte.
"""
import datetime
import hashlib
import base64
import sqlite3

PRODUCTS = 10_000
# One product in TOP_EVERY is a top product: featured products are a small
# share of a shop.  (The list sorts the top products by price, which no
# index serves: with one in four on top, sorting 2,500 rows cost SQLite
# about 0.7 ms a request, more than a fast framework's own work.)
TOP_EVERY = 20
USERS = 100
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password"
# The retrieve scenario's object: a top product with reviews and an owner;
# and a top product without reviews.
RETRIEVE_ID = 5000
NO_REVIEW_ID = 60

EPOCH = datetime.datetime(2026, 1, 1)
PBKDF2_ITERATIONS = 260_000  # Django 3.2's default for pbkdf2_sha256

NAMES = ["Lamp", "Chair", "Café table", "Kettle", "Größe-M shirt", "Desk",
         "Mug", "Tea – green", "Shelf", "Clock", "Rug", "Vase"]


def token_key(username):
    """A fixed 40-hex-digit token key per user, as DRF's keys look."""
    return hashlib.sha1(("restflow-bench:" + username).encode()).hexdigest()


def bench_token():
    return token_key(BENCH_USER)


def django_timestamp(dt):
    """A naive UTC datetime as Django 3.2 stores it in SQLite (str())."""
    return str(dt)


def django_password(password, salt):
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(),
                                 PBKDF2_ITERATIONS)
    return "pbkdf2_sha256$%d$%s$%s" % (PBKDF2_ITERATIONS, salt,
                                       base64.b64encode(digest).decode())


def usernames():
    return [BENCH_USER] + ["user%03d" % i for i in range(2, USERS + 1)]


def user_rows():
    joined = django_timestamp(EPOCH)
    for uid, name in enumerate(usernames(), start=1):
        # Only the bench user can log in; hashing 100 passwords would take
        # seconds for nothing ("!" marks an unusable password in Django).
        password = (django_password(BENCH_PASSWORD, "restflowbench")
                    if name == BENCH_USER else "!" + token_key(name))
        yield (uid, password, None, False, name, "", name + "@example.com",
               False, True, joined, "")


def token_rows():
    created = django_timestamp(EPOCH)
    for uid, name in enumerate(usernames(), start=1):
        yield (token_key(name), created, uid)


def product_created_at(pid):
    # Strictly increasing with the id; one in a hundred has no fraction of a
    # second, which Django and DRF render without ".000000".
    micros = 0 if pid % 100 == 37 else (pid * 7919) % 1_000_000 or 1
    return EPOCH + datetime.timedelta(seconds=pid * 37, microseconds=micros)


def product_price(pid):
    # Unique for every pid below 1,000,003, never zero, two decimal places.
    cents = (pid * 7919) % 1_000_003
    return "%d.%02d" % divmod(cents, 100)


def product_rows():
    for pid in range(1, PRODUCTS + 1):
        created = django_timestamp(product_created_at(pid))
        name = "%s %05d" % (NAMES[pid // 4 % len(NAMES)], pid)
        description = ("Product %d: sturdy, simple, and made to last. " % pid) * (pid // 4 % 4)
        owner = None if pid % 7 == 0 else pid % USERS + 1
        yield (pid, name, description, product_price(pid), pid % TOP_EVERY == 0,
               created, created, owner)


def review_rows():
    """0 to 5 reviews per product, the latest one last."""
    rid = 0
    for pid in range(1, PRODUCTS + 1):
        base = product_created_at(pid)
        for k in range(pid % 6):
            rid += 1
            comment = "" if (pid + k) % 7 == 0 else "Review %d of product %d" % (k + 1, pid)
            created = base + datetime.timedelta(hours=k + 1, microseconds=k * 1001 + 17)
            yield (rid, (pid + k) % 5 + 1, comment, django_timestamp(created), pid)


INSERTS = {
    "auth_user": ("id, password, last_login, is_superuser, username, last_name, "
                  "email, is_staff, is_active, date_joined, first_name", user_rows),
    "authtoken_token": ("key, created, user_id", token_rows),
    "products": ("id, name, description, price, is_top, created_at, updated_at, owner_id",
                 product_rows),
    "shop_review": ("id, rating, comment, created_at, product_id", review_rows),
}


def fill(path):
    """Insert the rows into a database whose (empty) tables exist, then put
    it in WAL mode, which is persistent, so every system runs on WAL."""
    con = sqlite3.connect(path)
    with con:
        for table, (columns, rows) in INSERTS.items():
            marks = ", ".join("?" * len(columns.split(",")))
            con.executemany('INSERT INTO "%s" (%s) VALUES (%s)' % (table, columns, marks),
                            rows())
    con.execute("PRAGMA journal_mode = WAL")
    con.close()


def csv_rows(table):
    """The rows of one table, for loading into PostgreSQL with COPY."""
    return INSERTS[table][1]()


def columns(table):
    return INSERTS[table][0]
