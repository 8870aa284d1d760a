"""Penalty rules (seed 002 处罚标准) as versioned data, the penalty ledger and the SLA
excuses.

A rule set is one version of every amount; it is never edited once saved (the admin adds
a new version), so a ledger entry that names the version it used can always be explained.
Ledger entries are written by services only, idempotently: `key` is unique, e.g.
`complaint:42:grade_fine`, so a retried or concurrent run finds the row already there.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event


def _money(verbose_name: str | object) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2,  # type: ignore[arg-type]
                               validators=[MinValueValidator(Decimal("0"))])


GRADE_CHOICES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]
# A set of grades written as letters, each at most once, in order: "", "A", "AB", "ABCD".
_grade_letters = RegexValidator(r"^A?B?C?D?$", _("Letters A to D, each at most once, in "
                                                 "order (e.g. AB)."))


class PenaltyRuleSet(models.Model):
    """One version of the penalty amounts (seed 002 defaults in the data migration)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    effective_from = models.DateTimeField(
        _("effective from"),
        help_text=_("Complaints filed from this instant on are charged under this version: "
                    "a complaint is always charged under the highest version in force when "
                    "it was filed, however late its charges are computed."),
    )
    fine_d = _money(_("fine for a D complaint"))
    fine_c = _money(_("fine for a C complaint"))
    fine_b = _money(_("fine for a B complaint"))
    fine_a = _money(_("fine for an A complaint"))
    loss_grades = models.CharField(
        _("grades that also bear the economic loss"), max_length=4, default="AB",
        validators=[_grade_letters], help_text=_("Letters, e.g. AB."),
    )
    sanction_grades = models.CharField(
        _("grades with an administrative sanction"), max_length=4, default="A",
        validators=[_grade_letters], help_text=_("Letters, e.g. A."),
    )
    late_completion_grade = models.CharField(
        _("late completion is charged as grade"), max_length=1, default="D",
        choices=GRADE_CHOICES,
        help_text=_("A complaint finished late without a special reason charges its "
                    "responsible person the fine of this grade as well."),
    )
    repeat_multiplier = models.PositiveSmallIntegerField(
        _("grade fine multiplier when neglect caused a repeat complaint"), default=2,
    )
    late_acceptance_per_day = _money(_("late acceptance, per started day"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("penalty rule set")
        verbose_name_plural = _("penalty rule sets")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(late_completion_grade__in=["A", "B", "C", "D"]),
                name="penaltyruleset_late_grade_valid",
            ),
            models.CheckConstraint(condition=Q(repeat_multiplier__gte=1),
                                   name="penaltyruleset_multiplier_gte_1"),
            models.CheckConstraint(
                condition=Q(fine_a__gte=0, fine_b__gte=0, fine_c__gte=0, fine_d__gte=0,
                            late_acceptance_per_day__gte=0),
                name="penaltyruleset_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def fine_for(self, grade: str) -> Decimal:
        return {"A": self.fine_a, "B": self.fine_b, "C": self.fine_c,
                "D": self.fine_d}[grade]


class PenaltyRule(models.TextChoices):
    """What a ledger entry charges for (seed 002 处罚标准 1–7)."""

    GRADE_FINE = "grade_fine", _("Fine for the complaint's grade")
    ECONOMIC_LOSS = "economic_loss", _("Economic loss borne")
    LATE_COMPLETION = "late_completion", _("Completed late without a special reason")
    LATE_ACCEPTANCE = "late_acceptance", _("Accepted late")
    DEPARTMENT_RATE = "department_rate", _("Department complaint rate")


class EntryState(models.TextChoices):
    CHARGED = "charged", _("Charged")
    ADJUSTED = "adjusted", _("Adjusted")
    WAIVED = "waived", _("Waived")
    EXCUSED = "excused", _("Excused (special reason)")


class PenaltyEntry(models.Model):
    """One charge to one person. `quoted_amount` is what the rule gives; `amount` what is
    charged (differs after a manager's adjustment; 0 when waived or excused)."""

    Rule = PenaltyRule
    State = EntryState

    key = models.CharField(_("key"), max_length=100, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="penalties",
        verbose_name=_("person"),
    )
    department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("department"),
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True,
        related_name="penalties", verbose_name=_("complaint"),
    )
    rule = models.CharField(_("rule"), max_length=20, choices=PenaltyRule.choices)
    rule_set = models.ForeignKey(
        PenaltyRuleSet, on_delete=models.PROTECT, related_name="entries",
        verbose_name=_("rule version"),
    )
    quoted_amount = models.DecimalField(_("amount by the rule"), max_digits=12,
                                        decimal_places=2)
    amount = models.DecimalField(_("amount charged"), max_digits=12, decimal_places=2)
    administrative_sanction = models.BooleanField(_("administrative sanction"),
                                                  default=False)
    state = models.CharField(_("state"), max_length=10, choices=EntryState.choices,
                             default=EntryState.CHARGED)
    month = models.DateField(_("month"), help_text=_("First day of the month charged."))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("penalty ledger entry")
        verbose_name_plural = _("penalty ledger")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("waive_penaltyentry", _("Can waive or adjust penalty ledger entries")),
            ("export_penaltyentry", _("Can export the penalty ledger")),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="penalty_created_idx"),
            models.Index(fields=["person", "month"], name="penalty_person_month_idx"),
            models.Index(fields=["department", "month"], name="penalty_dept_month_idx"),
            models.Index(fields=["complaint"], name="penalty_complaint_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rule__in=PenaltyRule.values),
                                   name="penaltyentry_rule_valid"),
            models.CheckConstraint(condition=Q(state__in=EntryState.values),
                                   name="penaltyentry_state_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(quoted_amount__gte=0),
                                   name="penaltyentry_amounts_not_negative"),
            models.CheckConstraint(
                condition=~Q(state__in=[EntryState.WAIVED, EntryState.EXCUSED])
                | Q(amount=0),
                name="penaltyentry_waived_is_zero",
            ),
            models.CheckConstraint(condition=Q(version__gte=1),
                                   name="penaltyentry_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.amount}"


class PenaltyEventKind(models.TextChoices):
    CHARGED = "charged", _("Charged")
    REQUOTED = "requoted", _("Amount recomputed from the facts")
    ADJUSTED = "adjusted", _("Adjusted")
    WAIVED = "waived", _("Waived")
    EXCUSED = "excused", _("Excused")


class PenaltyEvent(Event):
    """The history of a ledger entry: who charged, adjusted or waived it, and why."""

    Kind = PenaltyEventKind

    entry = models.ForeignKey(
        PenaltyEntry, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("ledger entry"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PenaltyEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("penalty ledger event")
        verbose_name_plural = _("penalty ledger events")
        indexes = [models.Index(fields=["entry", "at"], name="penaltyevent_entry_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PenaltyEventKind.values),
                                   name="penaltyevent_kind_valid"),
            # An entry is charged (written) once and excused at most once: a retried or
            # concurrent ledger run inserts these with ignore_conflicts and so never
            # writes them twice (bulk_create cannot tell which rows were new).
            models.UniqueConstraint(
                fields=["entry", "kind"],
                condition=Q(kind__in=[PenaltyEventKind.CHARGED, PenaltyEventKind.EXCUSED]),
                name="penaltyevent_once_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind}"


class ExcuseReason(models.TextChoices):
    CUSTOMER_UNREACHABLE = "customer_unreachable", _("Customer unreachable")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    OTHER = "other", _("Other special reason")


class ExcuseState(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a manager's approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SlaExcuse(models.Model):
    """A breach with a special reason (seed 002 特殊原因): asked by a supervisor, approved
    or rejected by a manager. An approved excuse charges nothing for its clock and shows as
    excused in the on-time figures."""

    Reason = ExcuseReason
    State = ExcuseState

    timer = models.ForeignKey(
        "tickets.CaseTimer", on_delete=models.PROTECT, related_name="excuses",
        verbose_name=_("SLA clock"),
    )
    case = models.ForeignKey(
        "tickets.Case", on_delete=models.PROTECT, related_name="sla_excuses",
        verbose_name=_("case"),
    )
    reason_kind = models.CharField(_("special reason"), max_length=30,
                                   choices=ExcuseReason.choices)
    note = models.TextField(_("explanation"))
    state = models.CharField(_("state"), max_length=10, choices=ExcuseState.choices,
                             default=ExcuseState.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("SLA excuse")
        verbose_name_plural = _("SLA excuses")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One live excuse per clock: a rejected one may be asked again.
            models.UniqueConstraint(
                fields=["timer"], condition=~Q(state=ExcuseState.REJECTED),
                name="slaexcuse_one_live_per_timer",
            ),
            models.CheckConstraint(condition=Q(state__in=ExcuseState.values),
                                   name="slaexcuse_state_valid"),
            models.CheckConstraint(condition=Q(reason_kind__in=ExcuseReason.values),
                                   name="slaexcuse_reason_valid"),
            # Decided means decided by someone at some time; waiting means neither.
            models.CheckConstraint(
                condition=Q(state=ExcuseState.REQUESTED, decided_at__isnull=True,
                            decided_by__isnull=True)
                | Q(state__in=[ExcuseState.APPROVED, ExcuseState.REJECTED],
                    decided_at__isnull=False, decided_by__isnull=False),
                name="slaexcuse_decision_complete",
            ),
            # A manager's approval: never the requester's own.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="slaexcuse_not_decided_by_requester",
            ),
        ]
        indexes = [models.Index(fields=["state", "-requested_at"], name="slaexcuse_state_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.timer_id} {self.state}"
