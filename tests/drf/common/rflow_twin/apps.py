from django.apps import AppConfig


class RflowTwinConfig(AppConfig):
    name = "rflow_twin"
    label = "rflow_twin"
