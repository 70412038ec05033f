"""PostFetch: attach related rows to a page of objects after pagination.

The semantics of the views module's PostFetch (seed/restflow-views.txt):

    PostFetch(queryset=Review.objects.all(), to_attr="latest_review",
              values=["id", "rating", "comment"], order_by=["-created_at"],
              limit=1, product_id="id")

The one keyword argument left over is the join: the related rows whose
`product_id` equals the base object's `id`.  For every base object the first
`limit` related rows in `order_by` order are attached under `to_attr` as
dicts holding `values`: the dict itself (or None) when limit is 1, a list
otherwise.  Whatever the page size, one query runs per call: a window
(row_number() OVER (PARTITION BY key ORDER BY ...)) over the page's keys,
the query restflow's persistence layer issues too.
"""
from collections import defaultdict

from django.db import connections
from django.db.models import F, Window
from django.db.models.functions import RowNumber

ROW_NUMBER = "_postfetch_rn"


class PostFetch:
    def __init__(self, queryset, to_attr, values, order_by=(), limit=None,
                 using=None, **join):
        if len(join) != 1:
            raise TypeError("PostFetch takes exactly one join keyword, got %r" % join)
        (self.related_key, self.base_attr), = join.items()
        self.queryset = queryset
        self.to_attr = to_attr
        self.values = list(values)
        self.order_by = list(order_by)
        self.limit = limit
        self.using = using or queryset.db

    def fetch(self, objects):
        """Attach to_attr on every object of the list (one query)."""
        keys = {getattr(obj, self.base_attr) for obj in objects} - {None}
        rows_by_key = self._rows_by_key(sorted(keys)) if keys else {}
        for obj in objects:
            rows = rows_by_key.get(getattr(obj, self.base_attr), [])
            setattr(obj, self.to_attr, self._attachment(rows))

    def attach_nothing(self, obj):
        """What a response that fetched nothing renders (docs/example-hooks.md):
        null for limit 1, [] otherwise; an attribute already set is kept."""
        if not hasattr(obj, self.to_attr):
            setattr(obj, self.to_attr, self._attachment([]))

    def _attachment(self, rows):
        if self.limit == 1:
            return rows[0] if rows else None
        return rows

    def _rows_by_key(self, keys):
        compiler = self._window_queryset(keys).query.get_compiler(self.using)
        inner_sql, params = compiler.as_sql()
        sql = 'SELECT * FROM (%s) pf' % inner_sql
        if self.limit is not None:
            sql += ' WHERE pf."%s" <= %%s' % ROW_NUMBER
            params = params + (self.limit,)
        sql += ' ORDER BY pf."%s"' % ROW_NUMBER
        # The inner query's converters turn SQLite's raw values into the
        # model fields' Python values (datetimes, decimals, booleans).
        converters = compiler.get_converters([col for col, _, _ in compiler.select])
        rows_by_key = defaultdict(list)
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, params)
            # Columns in values() order: the key, the values, the row number.
            for key, *values, _ in compiler.apply_converters(cursor.fetchall(), converters):
                rows_by_key[key].append(dict(zip(self.values, values)))
        return rows_by_key

    def _window_queryset(self, keys):
        ordered = Window(RowNumber(), partition_by=[F(self.related_key)],
                         order_by=[_order_expression(name) for name in self.order_by] or None)
        return (self.queryset.using(self.using)
                .filter(**{self.related_key + "__in": keys})
                .annotate(**{ROW_NUMBER: ordered})
                .values(self.related_key, *self.values, ROW_NUMBER))


def _order_expression(name):
    if name.startswith("-"):
        return F(name[1:]).desc()
    return F(name).asc()


def fetch_all(post_fetches, objects):
    """Run each PostFetch once over the list of objects."""
    for post_fetch in post_fetches:
        post_fetch.fetch(objects)
