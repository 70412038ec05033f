"""manage.py prepare_db [USERS.json]: migrate every database, then
seed_auth USERS.json.

One process instead of two: Django's start-up is a good part of a twin's
start-up time (tests/drf/run.sh uses this).
"""
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate every database, then create the users of a JSON file (seed_auth)."

    def add_arguments(self, parser):
        parser.add_argument("users", nargs="?")

    def handle(self, *args, **options):
        for alias in settings.DATABASES:
            call_command("migrate", database=alias, interactive=False, verbosity=0)
        if options["users"]:
            call_command("seed_auth", options["users"], stdout=self.stdout)
