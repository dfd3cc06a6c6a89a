"""The WSGI entry point used by gunicorn and `flask --app wsgi`."""

from forum import create_app

app = create_app()
