"""catalogue.rflow's resources, as Django declares them (`min_length`,
`min_value` and `max_value` are Django's validators)."""
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator
from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    country = models.CharField(max_length=2, blank=True)


class Author(models.Model):
    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    born = models.DateField(null=True, blank=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.SET_NULL, null=True,
                                  related_name="authors")


class Book(models.Model):
    isbn = models.CharField(max_length=13, unique=True, validators=[MinLengthValidator(10)])
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    published = models.DateField()
    pages = models.IntegerField(validators=[MinValueValidator(1)])
    language = models.CharField(max_length=2, default="en", choices=[
        ("en", "English"), ("fr", "French"), ("de", "German")])
    summary = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    stars = models.IntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)


class Loan(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="loans")
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="loans")
    due = models.DateField()
    returned = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
