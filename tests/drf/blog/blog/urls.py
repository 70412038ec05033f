from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from .views import Authors, Contact, Moderation, PostComments, Posts, Stats, TagDetail, TagList

api = DefaultRouter()
api.register("posts", Posts)
api.register("authors", Authors)

staff = SimpleRouter()
staff.register("comments", Moderation, basename="moderation")

urlpatterns = [
    path("api/", include(api.urls)),
    path("api/staff/", include(staff.urls)),
    path("api/posts/<slug:post_slug>/comments/", PostComments.as_view(), name="post-comments"),
    path("api/tags/", TagList.as_view(), name="tag-list"),
    path("api/tags/<slug:slug>/", TagDetail.as_view(), name="tag-detail"),
    path("api/stats/", Stats.as_view()),
    path("api/contact/", Contact.as_view(), name="contact"),
]
