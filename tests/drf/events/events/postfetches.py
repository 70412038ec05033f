from rflow_twin.postfetch import PostFetch

from .models import Event

NextEvents = PostFetch(
    queryset=Event.objects.filter(sold_out__isnull=True, price__lte=100)
                          .exclude(kind__in=[3]).order_by("starts_at"),
    to_attr="next_events",
    values=["title", "starts_at"],
    order_by=["starts_at"],
    limit=5,
    venue="id",
)
