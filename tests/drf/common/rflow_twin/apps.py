import os

from django.apps import AppConfig


class RflowTwinConfig(AppConfig):
    name = "rflow_twin"
    label = "rflow_twin"

    def ready(self):
        # RFLOW_TWIN_INT_RANGES=postgresql (set by the differential harness
        # when the other side runs on PostgreSQL): integer model fields take
        # PostgreSQL's column ranges as validators, as Django gives them
        # there (connection.ops.integer_field_range; SQLite's has none), so
        # the twin on SQLite answers what DRF on PostgreSQL answers for them
        # (OPTIONS min_value / max_value, "Ensure this value is ...").
        if os.environ.get("RFLOW_TWIN_INT_RANGES") == "postgresql":
            ranges_as_on_postgresql()


def ranges_as_on_postgresql():
    from django.apps import apps
    from django.db.backends.base.operations import BaseDatabaseOperations
    from django.db.backends.sqlite3.operations import DatabaseOperations
    DatabaseOperations.integer_field_range = BaseDatabaseOperations.integer_field_range
    for model in apps.get_models():
        for field in model._meta.get_fields():
            field.__dict__.pop("validators", None)   # a cached_property
