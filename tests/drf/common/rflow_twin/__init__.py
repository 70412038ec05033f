"""Shared pieces of restflow's DRF twins (tests/drf/<spec>/).

A twin is a Django 3.2 + DRF 3.14 project equivalent to one example spec.
This package holds what every twin needs and DRF lacks: the views module's
helpers and request/response serializer split (seed/restflow-views.txt),
PostFetch, the settings every twin shares and the `seed_auth` management
command.  See docs/differential.md.
"""
