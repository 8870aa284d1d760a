"""The audit trail of bulk exports: who downloaded which rows, when, filtered how."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportChannel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")


class ExportLog(models.Model):
    """One export. Written before the first row goes out; `row_count` and `finished_at`
    are set when the last row has been written (both stay empty for an export that broke
    off, e.g. a download the browser cancelled)."""

    Format = ExportFormat
    Channel = ExportChannel

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    dataset = models.CharField(_("dataset"), max_length=50)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    personal_data_unmasked = models.BooleanField(
        _("personal data unmasked"),
        default=False,
        help_text=_("Phone and ID numbers were exported in full."),
    )
    row_count = models.PositiveIntegerField(_("row count"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "-started_at"], name="exportlog_user_started_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ExportFormat.values), name="exportlog_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ExportChannel.values), name="exportlog_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(finished_at=None, row_count=None)
                | (Q(finished_at__isnull=False, row_count__isnull=False)),
                name="exportlog_finished_with_row_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.format} {self.user_id} {self.started_at:%Y-%m-%d %H:%M}"
