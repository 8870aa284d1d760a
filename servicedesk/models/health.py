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


class JobFailure(models.Model):
    """One row that a periodic job could not process (`servicedesk.jobs`): recorded once per
    job and row, counted on each later failure, shown on the health page until the row goes
    through (then `resolved_at` is set). The job's other rows are not held up by it."""

    job = models.CharField(_("job"), max_length=100)
    row = models.CharField(
        _("row"), max_length=200,
        help_text=_("Model label and primary key, e.g. tickets.casetimer:42."),
    )
    error = models.TextField(_("last error"))
    first_seen_at = models.DateTimeField(_("first seen at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    count = models.PositiveIntegerField(_("failures"), default=1)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job failure")
        verbose_name_plural = _("job failures")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="jobfailure_once_per_row"),
        ]
        indexes = [
            models.Index(fields=["job"], name="jobfailure_open_idx",
                         condition=models.Q(resolved_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.row}"
