from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import Notes, PinnedNotes

notes = SimpleRouter()
notes.register("notes", Notes)

urlpatterns = [
    path("", include(notes.urls)),
    path("pinned/", PinnedNotes.as_view()),
]
