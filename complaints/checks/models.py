"""The monthly person check (seed 002 处罚标准 8): a person with three or more complaints in
a month is flagged for suspension and rectification (停职整改) and files a rectification
report (停职整改报告), which is tracked until a manager accepts it.

The row's life: flagged → report_filed → accepted, or → returned (with a note, on the
event) → report_filed again. The constraints hold what each state implies, so the shell,
the admin and a second worker cannot leave a check half-filed: a filed report has both its
texts and its time, a decided one its decider and time, a flagged one neither; `month` is
the first day of a (Beijing) month; the count is at least the threshold it was flagged at.
A check is flagged once (unique month and person) and its `flagged` event is written once
(unique per check), so a job that runs twice or concurrently announces it once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event


class CheckState(models.TextChoices):
    FLAGGED = "flagged", _("Flagged, waiting for the rectification report")
    REPORT_FILED = "report_filed", _("Report filed, waiting for acceptance")
    RETURNED = "returned", _("Report returned for rework")
    ACCEPTED = "accepted", _("Report accepted")


# The states a manager's decision leads to.
DECIDED_STATES = (CheckState.RETURNED, CheckState.ACCEPTED)


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
    complaints = models.PositiveIntegerField(
        _("complaints in the month"),
        help_text=_("Valid complaints naming the person as the responsible person, filed "
                    "(accepted) in the month, Beijing time. An invalid complaint (D, a "
                    "warning) does not count."),
    )
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
            models.CheckConstraint(condition=Q(month__day=1),
                                   name="personmonthcheck_month_first_day"),
            models.CheckConstraint(condition=Q(threshold__gte=1),
                                   name="personmonthcheck_threshold_gte_1"),
            models.CheckConstraint(condition=Q(complaints__gte=F("threshold")),
                                   name="personmonthcheck_complaints_reach_threshold"),
            models.CheckConstraint(condition=Q(version__gte=1),
                                   name="personmonthcheck_version_gte_1"),
            # Flagged: no report yet. Any later state: the report with both texts and its
            # filing time.
            models.CheckConstraint(
                condition=Q(state=CheckState.FLAGGED, filed_at__isnull=True)
                | (~Q(state=CheckState.FLAGGED) & Q(filed_at__isnull=False)
                   & ~Q(analysis="") & ~Q(measures="")),
                name="personmonthcheck_report_filed_in_full",
            ),
            # Returned or accepted: decided by someone at some time; otherwise undecided.
            models.CheckConstraint(
                condition=Q(state__in=DECIDED_STATES, decided_by__isnull=False,
                            decided_at__isnull=False)
                | (~Q(state__in=DECIDED_STATES) & Q(decided_by__isnull=True,
                                                    decided_at__isnull=True)),
                name="personmonthcheck_decision_in_full",
            ),
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
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CheckEventKind.values),
                                   name="personmonthcheckevent_kind_valid"),
            # A check is announced once, however often the job runs.
            models.UniqueConstraint(fields=["check_row"],
                                    condition=Q(kind=CheckEventKind.FLAGGED),
                                    name="personmonthcheckevent_flagged_once"),
        ]

    def __str__(self) -> str:
        return f"{self.check_row_id} {self.kind}"
