"""gunicorn's entry point for the DRF peer (bench/harness/systems.py sets
DJANGO_SETTINGS_MODULE=bench_settings and the Python path)."""
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
