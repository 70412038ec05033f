"""notes.rflow's serializer and views (no docstrings: the spec sets no
description)."""
from rest_framework import serializers

from rflow_twin import views

from .models import Note


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = "__all__"


class Notes(views.ModelViewSet):
    queryset = Note.objects.order_by("id")
    serializer_class = NoteSerializer


class PinnedNotes(views.ListAPIView):
    queryset = Note.objects.filter(pinned=True).order_by("-id")
    serializer_class = NoteSerializer
