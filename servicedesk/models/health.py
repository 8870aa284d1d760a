"""Liveness records written by periodic jobs and read by the health page."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The heartbeat row of the worker's own heartbeat job (servicedesk.tasks.heartbeat_task),
# which /healthz checks.
HEARTBEAT = "worker"


class Heartbeat(models.Model):
    """The last time a named periodic job really ran on a worker."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    last_run_at = models.DateTimeField(_("last run at"))
    runs = models.PositiveBigIntegerField(_("runs"), default=0)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name
