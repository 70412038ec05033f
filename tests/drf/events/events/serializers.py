from django.contrib.auth.models import User
from rest_framework import serializers

from . import hooks
from .models import Event, Ticket, Venue


class UserBrief(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class VenueSerializer(serializers.ModelSerializer):
    manager = UserBrief(read_only=True, allow_null=True)

    class Meta:
        model = Venue
        fields = "__all__"
        extra_kwargs = {"capacity": {"min_value": 10, "help_text": "Seats."}}


class EventBrief(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)


class VenueWithEvents(serializers.ModelSerializer):
    next_events = EventBrief(many=True, read_only=True)

    class Meta:
        model = Venue
        fields = ["id", "name", "city", "next_events"]


class EventSerializer(serializers.ModelSerializer):
    venue = serializers.PrimaryKeyRelatedField(queryset=Venue.objects.all())
    venue_city = serializers.ReadOnlyField(source="venue.city")
    kind = serializers.ChoiceField(choices=[1, 2, 3])

    class Meta:
        model = Event
        exclude = ["attendance"]
        validators = [hooks.events_validate_event]


class TicketSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="holder.username", read_only=True)
    seat = serializers.CharField(max_length=8, required=False, allow_null=True, allow_blank=True,
                                 label="Seat number", help_text="Row letter and number")

    class Meta:
        model = Ticket
        fields = ["id", "event", "code", "seat", "bought_at", "holder_name"]

    def validate_seat(self, value):
        return hooks.events_validate_seat(value)


class Refund(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    notify = serializers.BooleanField(default=True)
    when = serializers.DateTimeField(required=False)
    on_day = serializers.DateField(required=False, allow_null=True)
    ref = serializers.UUIDField(required=False)
    contact = serializers.EmailField(required=False)
    page = serializers.URLField(required=False)
    handle = serializers.SlugField(required=False, min_length=2)
    extra = serializers.JSONField(required=False)
    ratio = serializers.FloatField(required=False, max_value=1)
    count = serializers.IntegerField(default=1, min_value=1)
    secret = serializers.CharField(write_only=True, min_length=8)
