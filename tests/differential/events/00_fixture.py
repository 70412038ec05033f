"""The events' data, inserted once before every other scenario.

Rows are written in Django's SQLite formats (datetimes as
'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC, UUIDs as 32 hex digits, booleans 0/1),
which restflow reads too.  Users (users.json): 1 admin (staff), 2 kim,
3 lee, 4 mo, 5 buyer (the Buyers throttle's), 6 gone (made inactive).

Venues (UUID keys, fixture.VENUES): Grand Hall and Le Petit in Lyon, Opera
in Paris, Zenith in Nantes.  Events 1-10 are the Grand Hall's: six of them
fit NextEvents (no sold_out, price <= 100, not a concert), so its limit of
five cuts one.  Events 16-49 are the Zenith's 34, one more page than the
Stream cursor's 30.  Tickets 1-5 with fixed codes: kim holds 1, 3, 4; lee
2 and 5."""
import base64
import hashlib
import json
import os
from datetime import datetime, timedelta

from dsl import SQL, scenario

HALL = "a0000000-0000-4000-8000-000000000001"
PETIT = "a0000000-0000-4000-8000-000000000002"
OPERA = "a0000000-0000-4000-8000-000000000003"
ZENITH = "a0000000-0000-4000-8000-000000000004"
TICKETS = ["b0000000-0000-4000-8000-00000000000%d" % n for n in range(1, 6)]


def hexed(key):
    return key.replace("-", "")


VENUES = """
INSERT INTO events_venue (id, name, city, capacity, latitude, longitude, manager_id) VALUES
 ('%s', 'Grand Hall', 'Lyon', 800, 45.76, 4.83, 1),
 ('%s', 'Le Petit', 'Lyon', 120, NULL, NULL, NULL),
 ('%s', 'Opera', 'Paris', 2000, 48.872, 2.3316, 2),
 ('%s', 'Zenith', 'Nantes', 5000, NULL, -1.5, NULL);
""" % tuple(hexed(v) for v in (HALL, PETIT, OPERA, ZENITH))

# (id, venue, title, kind, price, sold_out, starts_at, labels)
EVENTS = [
    (1, HALL, "Bees and hives", 1, "0", None, "2027-03-05 18:00:00", '["outdoor", "free"]'),
    (2, HALL, "Rust workshop", 2, "45.5", None, "2027-03-01 09:00:00", "[]"),
    (3, HALL, "Jazz night", 3, "30", None, "2027-03-02 20:00:00", "[]"),
    (4, HALL, "Gala", 1, "150", None, "2027-03-03 19:30:00", "[]"),
    (5, HALL, "Python talk", 1, "10", 0, "2027-03-04 18:00:00", "[]"),
    (6, HALL, "Compost talk", 1, "5", None, "2027-03-06 18:00:00.250000", "[]"),
    (7, HALL, "Typing workshop", 2, "100", None, "2027-03-07 09:00:00", '{"level": 2}'),
    (8, HALL, "Soil talk", 1, "0", None, "2027-03-08 18:00:00", "[]"),
    (9, HALL, "Late talk", 1, "0", None, "2027-03-09 23:59:59", "[]"),
    (10, HALL, "Sold out concert", 3, "80", 1, "2027-03-10 20:00:00", "[]"),
    (11, PETIT, "Open mic", 1, "0", None, "2027-04-01 20:00:00", "[]"),
    (12, PETIT, "Quartet", 3, "25", 1, "2027-04-02 20:00:00", "[]"),
    (13, PETIT, "\u00dcmlaut evening", 1, "12", 0, "2027-04-03 20:00:00", "[]"),
    (14, OPERA, "Carmen", 3, "90", None, "2027-04-10 19:00:00", "[]"),
    (15, OPERA, "Tosca", 3, "120", None, "2027-04-11 19:00:00", "[]"),
] + [(n, ZENITH, "Zenith show %d" % n, n % 3 + 1, "%d.25" % (n * 3), None,
      str(datetime(2027, 5, 1, n % 24) + timedelta(days=n - 16)), "[]") for n in range(16, 50)]


def _events():
    def row(event):
        eid, venue, title, kind, price, sold_out, starts_at, labels = event
        return "(%d, '%s', '%s', %d, '2027-01-01', '%s', %s, %s, '%s', %d)" % (
            eid, hexed(venue), title, kind, starts_at, price,
            "NULL" if sold_out is None else sold_out, labels, eid * 1000)
    return ("INSERT INTO events_event (id, venue_id, title, kind, season, starts_at, price, "
            "sold_out, labels, attendance) VALUES\n " + ",\n ".join(map(row, EVENTS)) + ";")


TICKET_ROWS = """
INSERT INTO events_ticket (id, event_id, holder_id, code, seat, bought_at) VALUES
 (1, 1, 2, '%s', 'A1', '2026-11-01 10:00:00'),
 (2, 1, 3, '%s', 'B2', '2026-11-01 10:05:00'),
 (3, 2, 2, '%s', NULL, '2026-11-02 10:00:00.5'),
 (4, 14, 2, '%s', 'a7', '2026-11-03 10:00:00'),
 (5, 14, 3, '%s', 'A3', '2026-11-04 10:00:00');
""" % tuple(hexed(t) for t in TICKETS)


def _cheap_passwords():
    """Every request here authenticates with Basic (the spec keeps DRF's
    default authenticators), so each one hashes a password.  createuser
    writes Django's 260,000 iterations, about 65 ms a request on the
    restflow side; both sides get the same users' passwords at 1,000
    iterations, which the twin's hasher uses (rflow_twin/hashers.py) and
    restflow reads from the hash (runtime/password.c)."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "users.json")) as f:
        users = json.load(f)
    statements = []
    for user in users:
        salt = "events" + user["username"]
        digest = hashlib.pbkdf2_hmac("sha256", user["password"].encode(), salt.encode(), 1000)
        encoded = "pbkdf2_sha256$1000$%s$%s" % (salt, base64.b64encode(digest).decode())
        statements.append("UPDATE auth_user SET password = '%s' WHERE username = '%s';"
                          % (encoded, user["username"]))
    return "\n".join(statements)


SCENARIOS = [
    scenario("fixture", "venues, events and tickets; passwords cheaper to check",
        SQL(VENUES + _events() + TICKET_ROWS, label="rows"),
        SQL(_cheap_passwords(), label="passwords"),
    ),
]
