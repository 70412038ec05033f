"""notes.rflow's resource, as Django declares it."""
from django.db import models


class Note(models.Model):
    title = models.CharField(max_length=50)
    body = models.TextField(blank=True)
    pinned = models.BooleanField(default=False)
    stars = models.IntegerField(null=True)
    created = models.DateTimeField(auto_now_add=True)
