from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    label = "blog"
