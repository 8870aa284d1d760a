"""The monthly person check (seed 002 处罚标准 8): a person with three or more complaints in
a month is flagged for suspension and rectification (停职整改) and files a rectification
report (停职整改报告), which is tracked until a manager accepts it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event


class CheckState(models.TextChoices):
    FLAGGED = "flagged", _("Flagged, waiting for the rectification report")
    REPORT_FILED = "report_filed", _("Report filed, waiting for acceptance")
    RETURNED = "returned", _("Report returned for rework")
    ACCEPTED = "accepted", _("Report accepted")


class PersonMonthCheck(models.Model):
    """One flagged person in one month, with their rectification report."""

    State = CheckState

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="month_checks",
        verbose_name=_("person"),
    )
    department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("department"),
    )
    complaints = models.PositiveIntegerField(_("complaints in the month"))
    threshold = models.PositiveSmallIntegerField(_("threshold applied"))
    flagged_at = models.DateTimeField(_("flagged at"))
    state = models.CharField(_("state"), max_length=15, choices=CheckState.choices,
                             default=CheckState.FLAGGED)
    analysis = models.TextField(_("analysis of the causes"), blank=True)
    measures = models.TextField(_("rectification measures and training"), blank=True)
    filed_at = models.DateTimeField(_("report filed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("monthly person check")
        verbose_name_plural = _("monthly person checks")
        ordering = ["-month", "-complaints", "person"]
        constraints = [
            models.UniqueConstraint(fields=["month", "person"],
                                    name="personmonthcheck_once_per_month"),
            models.CheckConstraint(condition=Q(state__in=CheckState.values),
                                   name="personmonthcheck_state_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.person_id} {self.complaints}"


class CheckEventKind(models.TextChoices):
    FLAGGED = "flagged", _("Flagged")
    REPORT_FILED = "report_filed", _("Report filed")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class PersonMonthCheckEvent(Event):
    Kind = CheckEventKind

    check_row = models.ForeignKey(
        PersonMonthCheck, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("person check"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CheckEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("person check event")
        verbose_name_plural = _("person check events")

    def __str__(self) -> str:
        return f"{self.check_row_id} {self.kind}"
