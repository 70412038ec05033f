"""The DRF peer: the shop's DRF twin (tests/drf/shop) with the bench's URL
table.  Everything else (apps, middleware, REST_FRAMEWORK, the SQLite file
named by RFLOW_TWIN_DB) is the twin's, so DRF runs as the shop does."""
from project.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench_urls"
