"""The vocabulary of scenario files (tests/differential/<spec>/*.py).

A scenario file defines SCENARIOS, a list of scenario(...) values, each a
named sequence of steps that run.py sends to both servers in order:

    from dsl import scenario, GET, POST, SQL

    SCENARIOS = [
        scenario("products.create", "a user creates a product and reads it back",
            POST("/api/products/", user="alice", json={"name": "Pen", "price": "2.50"},
                 expect=201, save={"pid": "id"}, label="create"),
            GET("/api/products/${pid}/", expect=200),
        ),
    ]

Step options (all keyword arguments):
  label    the step's name in its id (`shop/products.create#create`);
           default: its position, 1-based.  Name the steps that
           known_differences refers to, so that inserting a step does not
           shift them.
  user     authenticate as this user of users.json with `Token <key>`.
  basic    Basic authentication: a user name (password from users.json) or
           a (user, password) pair.
  headers  extra request headers; a value of None removes a header the
           harness would send (the scenario's X-Forwarded-For).
  json     a body serialised as compact JSON, Content-Type application/json.
  form     a dict sent as application/x-www-form-urlencoded.
  body     a raw body (str or bytes); give its type with content_type.
  content_type  the Content-Type of body (or to override json's/form's).
  expect   the status the reference server (side A, the DRF twin) must
           answer; a scenario whose expectation fails is itself broken.
  save     {name: where}: remember a value of this side's response for
           later steps as ${name}.  `where` is a dotted path into the JSON
           body (`id`, `results.0.id`, `next`) or `header:Location`.
  skip     aspects not compared for this step, with the reason:
           {"body": "the browsable API's HTML holds a random CSRF token"}.
  random   dotted paths into the JSON body whose values each server makes
           up at random (a uuid4 default): each side's value there reads
           <random> wherever it occurs in its body; the rest is compared.

${name} is replaced in paths, header values and bodies by the value saved on
the same side (ids and URLs differ between the servers).  In a JSON body a
string that is exactly "${name}" takes the saved value with its type.  A
path that is an absolute URL (a saved `next` link) is sent as its path and
query to that side's server.

SQL(statements, db="default") runs SQL on both sides' SQLite database of
that name (fixtures the API cannot create, such as reviews or an inactive
user); run.py needs to know the database files (it started the servers, or
url=BASE,db=FILE).
"""


class Step:
    """One HTTP request, sent to both servers."""

    def __init__(self, method, path, *, label=None, user=None, basic=None,
                 headers=None, json=None, form=None, body=None, content_type=None,
                 expect=None, save=None, skip=None, random=()):
        given = [name for name, value in (("json", json), ("form", form), ("body", body))
                 if value is not None]
        if len(given) > 1:
            raise ValueError("a step takes one of json, form and body, not %s" % given)
        if user is not None and basic is not None:
            raise ValueError("a step authenticates with user or basic, not both")
        self.method = method
        self.path = path
        self.label = label
        self.user = user
        self.basic = basic
        self.headers = dict(headers or {})
        self.json = json
        self.form = form
        self.body = body
        self.content_type = content_type
        self.expect = expect
        self.save = dict(save or {})
        self.skip = dict(skip or {})
        self.random = list(random)

    def describe(self):
        who = ""
        if self.user:
            who = " (as %s)" % self.user
        elif self.basic:
            name = self.basic if isinstance(self.basic, str) else self.basic[0]
            who = " (Basic %s)" % name
        return "%s %s%s" % (self.method, self.path, who)


class SqlStep:
    """Statements run on both sides' database `db`; nothing is compared."""

    def __init__(self, statement, *, label=None, db="default"):
        self.statement = statement
        self.label = label
        self.db = db

    def describe(self):
        where = "" if self.db == "default" else " (%s)" % self.db
        return "SQL%s %s" % (where, " ".join(self.statement.split()))


class Scenario:
    def __init__(self, name, doc, steps):
        self.name = name
        self.doc = doc
        self.steps = steps


def _flatten(items):
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _flatten(item)
        else:
            yield item


def scenario(name, doc, *steps):
    """A named sequence of steps; lists of steps are spliced in place."""
    steps = list(_flatten(steps))
    labels = set()
    for number, step in enumerate(steps, 1):
        if step.label is None:
            step.label = str(number)
        if step.label in labels:
            raise ValueError("scenario %s: two steps labelled %r" % (name, step.label))
        labels.add(step.label)
    return Scenario(name, doc, steps)


def request(method, path, **options):
    return Step(method, path, **options)


def GET(path, **options):
    return Step("GET", path, **options)


def POST(path, **options):
    return Step("POST", path, **options)


def PUT(path, **options):
    return Step("PUT", path, **options)


def PATCH(path, **options):
    return Step("PATCH", path, **options)


def DELETE(path, **options):
    return Step("DELETE", path, **options)


def HEAD(path, **options):
    return Step("HEAD", path, **options)


def OPTIONS(path, **options):
    return Step("OPTIONS", path, **options)


def SQL(statement, **options):
    return SqlStep(statement, **options)


def repeat(count, make_step):
    """count steps made by make_step(i) for i in 1..count."""
    return [make_step(i) for i in range(1, count + 1)]
