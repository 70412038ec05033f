#!/usr/bin/python3
"""Tests of the twins' PostFetch (tests/drf/common/rflow_twin/postfetch.py):
one query per call whatever the page size, the first `limit` rows per key in
`order_by` order, `values` only, and what an object without rows gets.
Runs on the shop twin's models with a throwaway SQLite file."""
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
WORKDIR = tempfile.mkdtemp(prefix="rflow-postfetch-")
sys.path[:0] = [os.path.join(HERE, "shop"), os.path.join(HERE, "common")]
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
os.environ["RFLOW_TWIN_DB"] = os.path.join(WORKDIR, "t.db")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from rflow_twin.postfetch import PostFetch  # noqa: E402
from shop.models import Product, Review  # noqa: E402
from shop.postfetches import LatestReview  # noqa: E402


def reviews(limit):
    return PostFetch(queryset=Review.objects.exclude(comment="hidden"), to_attr="top_ratings",
                     values=["rating", "created_at"], order_by=["-rating"], limit=limit,
                     product_id="id")


class PostFetchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        call_command("migrate", verbosity=0)
        cls.products = [Product.objects.create(name="p%d" % i, price=1) for i in range(30)]
        for product in cls.products[:20]:
            for rating in (3, 5, 1, 4):
                Review.objects.create(product=product, rating=rating, comment="r%d" % rating)
            Review.objects.create(product=product, rating=2, comment="hidden")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(WORKDIR, ignore_errors=True)

    def fetch(self, post_fetch, objects):
        with CaptureQueriesContext(connection) as queries:
            post_fetch.fetch(objects)
        return len(queries)

    def test_one_query_whatever_the_page_size(self):
        for size in (1, 20, 30):
            page = list(Product.objects.order_by("id")[:size])
            self.assertEqual(self.fetch(LatestReview, page), 1, size)

    def test_limit_one_attaches_the_first_row_or_none(self):
        page = list(Product.objects.order_by("id"))
        self.fetch(LatestReview, page)
        newest = Review.objects.filter(product=page[0]).order_by("-created_at").first()
        self.assertEqual(page[0].latest_review,
                         {"id": newest.id, "rating": newest.rating, "comment": newest.comment})
        self.assertIsNone(page[25].latest_review)

    def test_many_rows_in_order_values_only_and_the_queryset_filter(self):
        page = list(Product.objects.order_by("id")[18:22])
        self.fetch(reviews(2), page)
        self.assertEqual([r["rating"] for r in page[0].top_ratings], [5, 4])
        self.assertEqual(set(page[0].top_ratings[0]), {"rating", "created_at"})
        self.assertIsNotNone(page[0].top_ratings[0]["created_at"].tzinfo)
        self.assertEqual(page[3].top_ratings, [])
        self.fetch(reviews(None), page)
        self.assertEqual([r["rating"] for r in page[1].top_ratings], [5, 4, 3, 1])

    def test_nothing_fetched(self):
        product = Product(name="new", price=1)
        LatestReview.attach_nothing(product)
        reviews(None).attach_nothing(product)
        self.assertIsNone(product.latest_review)
        self.assertEqual(product.top_ratings, [])
        self.assertEqual(self.fetch(LatestReview, []), 0)


if __name__ == "__main__":
    unittest.main()
