"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`. The scheduler runs in its own process."""

from stockpile import create_app

app = create_app()
