from rflow_twin.postfetch import PostFetch

from .models import PageView, Tagging

PostTags = PostFetch(
    queryset=Tagging.objects.all(),
    to_attr="tags",
    values=["tag_slug"],
    order_by=["tag_slug"],
    post="id",
)

RecentViews = PostFetch(
    queryset=PageView.objects.exclude(referrer__isnull=True),
    to_attr="recent_views",
    values=["visitor", "viewed_at"],
    order_by=["-viewed_at"],
    limit=3,
    using="analytics",
    post_id="id",
)
