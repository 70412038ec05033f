"""inventory.rflow's C hooks in Python (inventory_hooks.c's header says
what each does)."""
from rest_framework import serializers


def inventory_validate_sku(value):
    if any(c.islower() and c.isascii() for c in value):
        raise serializers.ValidationError("SKU must be upper case.")
    return value


def inventory_check_move(attrs):
    if attrs["delta"] == 0:
        raise serializers.ValidationError("A move must change the quantity.")
    if attrs["reason"] == "shipment" and attrs["delta"] > 0:
        raise serializers.ValidationError("A shipment takes stock out.")


def inventory_record_move(view, serializer):
    serializer.save(moved_by=view.request.user)
