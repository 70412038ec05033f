"""manage.py seed_auth USERS.json: create users and tokens with fixed keys.

USERS.json is a list of objects, created in order (so user ids are 1, 2, ...
on a fresh database, as `<spec>-server createuser` gives them):

    [{"username": "alice", "password": "alice-pw", "staff": false,
      "token": "a0...40 hex chars"}]

"staff" and "token" are optional.  Only what restflow's `createuser NAME
--password P [--staff]` and `createtoken NAME --key KEY` can express is
accepted, so that both servers can be seeded from the same file.
"""
import json

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token

KNOWN_KEYS = {"username", "password", "staff", "token"}


class Command(BaseCommand):
    help = "Create users (and their tokens) from a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        with open(options["file"], encoding="utf-8") as f:
            entries = json.load(f)
        with transaction.atomic():
            for entry in entries:
                self.create(entry)
        self.stdout.write("seeded %d users" % len(entries))

    def create(self, entry):
        unknown = set(entry) - KNOWN_KEYS
        if unknown:
            raise CommandError("unknown keys %s in %r" % (sorted(unknown), entry))
        staff = bool(entry.get("staff", False))
        user = User.objects.create_user(entry["username"], password=entry["password"],
                                        is_staff=staff)
        if entry.get("token"):
            Token.objects.create(user=user, key=entry["token"])
