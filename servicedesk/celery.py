"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

app = Celery("servicedesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.beat_init.connect
@signals.beat_embedded_init.connect
def heartbeat_at_start(sender, **kwargs) -> None:
    """The scheduler sends the heartbeat once as it starts, then every 30 s: `/healthz`
    turns healthy as soon as a worker has run it, not half a minute later (the first run of
    an interval entry is one interval after start). Same task, same path (scheduler →
    broker → worker → database), so a healthy answer still means all three work."""
    sender.app.send_task("servicedesk.tasks.heartbeat_task", expires=25)
