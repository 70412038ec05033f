"""helpdesk.rflow's resources."""
from django.conf import settings
from django.db import models


class Queue(models.Model):
    name = models.CharField(max_length=40)
    slug = models.SlugField(unique=True)
    public = models.BooleanField(default=True)


class Ticket(models.Model):
    title = models.CharField(max_length=80)
    body = models.TextField()
    status = models.CharField(max_length=8, default="open", choices=[
        ("open", "Open"), ("pending", "Pending"), ("closed", "Closed")])
    priority = models.IntegerField(default=3, choices=[
        (1, "Urgent"), (2, "High"), (3, "Normal"), (4, "Low")])
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="tickets")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="reported")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="assigned")
    escalated = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)


class Comment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.TextField(max_length=500)
    internal = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
