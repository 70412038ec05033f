"""A PBKDF2 hasher for tests: Django's format, fewer iterations."""
from django.contrib.auth.hashers import PBKDF2PasswordHasher


class TestPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1000
