from rest_framework import serializers

from . import hooks
from .models import Comment, Queue, Ticket


class QueueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Queue
        fields = ["slug", "name"]


class TicketSerializer(serializers.ModelSerializer):
    reporter_name = serializers.CharField(source="reporter.username", read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "title", "body", "status", "priority", "queue", "reporter",
                  "reporter_name", "assignee", "escalated", "created"]
        read_only_fields = ["reporter", "escalated"]

    def validate_title(self, value):
        return hooks.helpdesk_validate_title(value)


class TicketCreate(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["title", "body", "queue", "priority"]


class TicketTriage(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["status", "priority", "assignee"]

    def validate(self, attrs):
        return hooks.helpdesk_check_triage(attrs)


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "author", "text", "internal", "created"]
        read_only_fields = ["author"]
