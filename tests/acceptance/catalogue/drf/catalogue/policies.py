"""catalogue.rflow's paginations and PostFetch."""
from rest_framework.pagination import CursorPagination

from rflow_twin.postfetch import PostFetch

from .models import Review


class Shelf(CursorPagination):
    ordering = ["-created", "-id"]


class ByTitle(CursorPagination):
    page_size = 2
    ordering = "title"
    page_size_query_param = "n"
    max_page_size = 3


RecentReviews = PostFetch(
    queryset=Review.objects.all(),
    to_attr="recent_reviews",
    values=["stars", "text"],
    order_by=["-stars", "-id"],
    limit=2,
    book_id="id",
)
