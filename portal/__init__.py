"""Trade Dialogues Portal: project package and the site app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
