"""inventory.rflow's resources.  min_value, max_value and min_length are
Django's validators, as docs/language.md spells them."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models


class Warehouse(models.Model):
    code = models.SlugField(max_length=12, unique=True)
    name = models.CharField(max_length=80)
    city = models.CharField(max_length=60, blank=True, default="")
    capacity = models.IntegerField(validators=[MinValueValidator(0), MaxValueValidator(100000)])
    active = models.BooleanField(default=True)
    opened = models.DateField(null=True, blank=True)


class Supplier(models.Model):
    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True)
    website = models.URLField(null=True, blank=True)
    rating = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(5)],
                               default=3.5)


class Item(models.Model):
    sku = models.CharField(max_length=16, unique=True, validators=[MinLengthValidator(4)])
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=10, choices=[
        ("tool", "Tool"), ("part", "Part"), ("consumable", "Consumable")])
    unit_price = models.DecimalField(max_digits=8, decimal_places=2, validators=[
        MinValueValidator(Decimal("0.01")), MaxValueValidator(99999)])
    weight_kg = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    quantity = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    # choices = [1, 2, 3]: each value is its own label, as text
    # (docs/language.md: "in the list form an integer's label is its decimal text").
    priority = models.IntegerField(choices=[(1, "1"), (2, "2"), (3, "3")], default=2)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="items")
    supplier = models.ForeignKey(Supplier, on_delete=models.SET_NULL, null=True, blank=True)
    attributes = models.JSONField(null=True, blank=True)
    discontinued = models.BooleanField(default=False)
    restocked_on = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["warehouse", "category"])]


class StockMove(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="moves")
    delta = models.IntegerField(validators=[MinValueValidator(-1000), MaxValueValidator(1000)])
    reason = models.CharField(max_length=12, choices=[
        ("receipt", "receipt"), ("shipment", "shipment"), ("adjustment", "adjustment")])
    note = models.TextField(blank=True, max_length=200)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="stock_moves")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "stock_moves"
