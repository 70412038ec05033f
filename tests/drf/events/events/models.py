"""specs/events.rflow's resources."""
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# `choices = [1, 2, 3]`: a list's integer labels are their text
# (docs/language.md), as in the inventory acceptance twin.
KINDS = [(1, "1"), (2, "2"), (3, "3")]


class Venue(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=120, unique=True, verbose_name="venue name")
    city = models.CharField(max_length=80, db_index=True)
    capacity = models.IntegerField(validators=[MinValueValidator(1), MaxValueValidator(100000)])
    latitude = models.FloatField(null=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90.0)])
    longitude = models.FloatField(null=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180.0)])
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                related_name="venues")

    class Meta:
        verbose_name = "event venue"


class Event(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=150)
    kind = models.IntegerField(choices=KINDS, default=1,
                               help_text="1: talk, 2: workshop, 3: concert")
    season = models.DateField(default="2027-01-01")
    starts_at = models.DateTimeField(default=timezone.now)
    price = models.DecimalField(max_digits=8, decimal_places=2, default=0,
                                validators=[MinValueValidator(0)])
    sold_out = models.BooleanField(null=True)
    labels = models.JSONField(default=list, blank=True)
    attendance = models.BigIntegerField(default=0, editable=False)


class Ticket(models.Model):
    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tickets")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="tickets")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    seat = models.CharField(max_length=8, null=True, blank=True)
    bought_at = models.DateTimeField(auto_now_add=True)
