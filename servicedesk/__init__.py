"""servicedesk: the project package and shared kernel (settings, urls, the Celery app,
org structure, roles and business calendars)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
