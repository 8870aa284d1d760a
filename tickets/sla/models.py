"""SLA policies and the timers they start on each case.

A policy says, for a kind of case (and a category, and for complaints a grade), on which
business calendar its clocks run (the acceptance clock may have a calendar of its own) and
how much business time each target allows: acceptance (first response), customer feedback
and resolution. Which policy sets each clock of a case is decided per clock
(`tickets.sla.services.timer_plans`): where a category policy and a grade policy both
apply, the earlier deadline wins, and feedback is never due after resolution. A timer is
one such clock on one case, recording the policy, calendar and target it came from; its
due instant is computed on its calendar when it starts, moved when the case waits for the
customer, and replaced when the grade or category changes.

Elapsed business time of a running timer at t is
    between(started_at, t) - paused_business
on its calendar; `paused_business` is the business time spent waiting for the customer.
Hence due_at = add(started_at, target + paused_business).
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event
from tickets.cases.models import CaseGrade, CaseKind, SlaState

WORKING_TIME_HORIZON = dt.timedelta(days=60)


class TimerKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance")
    FEEDBACK = "feedback", _("Feedback to the customer")
    RESOLUTION = "resolution", _("Resolution")


class TimerState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_TIMER_STATES = (TimerState.RUNNING, TimerState.PAUSED)

__all__ = ["SlaState"]  # re-exported: it lives beside Case


class SlaPolicy(models.Model):
    """Targets for a kind of case, a category or a complaint grade. For each clock of a
    case, the category policy and the grade policy that apply compete (the earlier
    deadline wins); the kind's default policy (no category, no grade) sets a clock only
    when neither has a target for it (see `tickets.sla.services.timer_plans`)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("case kind"), max_length=20, choices=CaseKind.choices)
    category = models.ForeignKey(
        "tickets.CaseCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("category"),
        help_text=_("Empty: every category of this kind without a policy of its own."),
    )
    grade = models.CharField(
        _("complaint grade"),
        max_length=1,
        choices=CaseGrade.choices,
        blank=True,
        help_text=_("Complaints only. Empty: ungraded complaints or any grade."),
    )
    calendar = models.ForeignKey(
        "servicedesk.BusinessCalendar",
        on_delete=models.PROTECT,
        related_name="sla_policies",
        verbose_name=_("business calendar"),
    )
    acceptance_calendar = models.ForeignKey(
        "servicedesk.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acceptance calendar"),
        help_text=_(
            "The acceptance clock runs on this calendar; empty: on the policy's calendar. "
            "The seeded complaint policies use the line hours, on the assumption that the "
            "center accepts complaints while its line is open."
        ),
    )
    acceptance_target = models.DurationField(
        _("acceptance within"), null=True, blank=True,
        help_text=_("Business time on the acceptance calendar."),
    )
    feedback_target = models.DurationField(
        _("feedback within"), null=True, blank=True, help_text=_("Business time.")
    )
    feedback_working_days = models.PositiveSmallIntegerField(
        _("feedback by the end of working day"),
        null=True,
        blank=True,
        help_text=_("0: the same working day; 3: by the end of the third working day after."),
    )
    resolution_target = models.DurationField(
        _("resolution within"), null=True, blank=True, help_text=_("Business time.")
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at percent elapsed"), default=75, help_text=_("Whichever comes first.")
    )
    warn_before = models.DurationField(
        _("warn this long before"),
        default=dt.timedelta(minutes=30),
        help_text=_("Business time; whichever comes first."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["kind", "category__ordering", "grade", "name"]
        constraints = [
            models.UniqueConstraint(
                "kind",
                Coalesce("category", Value(0)),
                "grade",
                condition=Q(active=True),
                name="slapolicy_one_active_per_scope",
                violation_error_message=_(
                    "An active policy for this kind, category and grade already exists."
                ),
            ),
            models.CheckConstraint(
                condition=Q(grade="") | Q(kind=CaseKind.COMPLAINT),
                name="slapolicy_grade_only_on_complaints",
            ),
            models.CheckConstraint(
                condition=Q(warn_percent__gte=1) & Q(warn_percent__lte=100),
                name="slapolicy_warn_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(feedback_target__isnull=True)
                | Q(feedback_working_days__isnull=True),
                name="slapolicy_one_feedback_rule",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.utils import timezone

        from servicedesk.calendars import calendar_engine
        from servicedesk.worktime import NoWorkingTime

        errors: dict[str, list] = {}
        # category_id is set
        if self.category_id is not None and self.category.kind != self.kind:  # type: ignore[union-attr]
            errors.setdefault("category", []).append(
                _("This category belongs to another kind of case.")
            )
        if self.grade and self.kind != CaseKind.COMPLAINT:
            errors.setdefault("grade", []).append(_("Only complaints are graded."))
        for field in ("acceptance_target", "feedback_target", "resolution_target"):
            value = getattr(self, field)
            if value is not None and value <= dt.timedelta(0):
                errors.setdefault(field, []).append(_("A target must be longer than zero."))
        if self.warn_before is not None and self.warn_before < dt.timedelta(0):
            errors.setdefault("warn_before", []).append(_("Enter zero or a positive duration."))
        if self.feedback_target is not None and self.feedback_working_days is not None:
            errors.setdefault("feedback_working_days", []).append(
                _("Give the feedback limit either as business time or in working days.")
            )
        if not any(
            v is not None
            for v in (
                self.acceptance_target,
                self.feedback_target,
                self.feedback_working_days,
                self.resolution_target,
            )
        ):
            errors.setdefault("resolution_target", []).append(_("Give at least one target."))
        if self.acceptance_calendar_id is not None and self.acceptance_target is None:
            errors.setdefault("acceptance_calendar", []).append(
                _("An acceptance calendar needs an acceptance target.")
            )
        now = timezone.now()
        for field in ("calendar", "acceptance_calendar"):
            if getattr(self, f"{field}_id") is None:
                continue
            try:
                engine = calendar_engine(getattr(self, field).name)
                worked = engine.between(now, now + WORKING_TIME_HORIZON)
            except NoWorkingTime:
                worked = dt.timedelta(0)
            if worked <= dt.timedelta(0):
                errors.setdefault(field, []).append(
                    _(
                        "This calendar has no working time in the next %(days)d days: "
                        "no deadline could be computed on it."
                    )
                    % {"days": WORKING_TIME_HORIZON.days}
                )
        if errors:
            raise ValidationError(errors)


class CaseTimer(models.Model):
    """One SLA clock on one case. Times are instants (UTC in the database); durations are
    business time on `calendar`."""

    Kind = TimerKind
    State = TimerState
    # Not a field: why no deadline could be computed, set by the SLA services on an unsaved
    # timer and recorded once it has a primary key (absent otherwise).
    _sla_problem: str

    case = models.ForeignKey(
        "tickets.Case", on_delete=models.CASCADE, related_name="timers", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TimerKind.choices)
    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.PROTECT, related_name="timers", verbose_name=_("policy")
    )
    calendar = models.ForeignKey(
        "servicedesk.BusinessCalendar",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business calendar"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=TimerState.choices, default=TimerState.RUNNING
    )
    target = models.DurationField(_("target"))
    started_at = models.DateTimeField(_("started at"))
    paused_business = models.DurationField(_("business time paused"), default=dt.timedelta(0))
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    elapsed_at_stop = models.DurationField(_("business time used"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA timer")
        verbose_name_plural = _("SLA timers")
        ordering = ["case", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(state__in=LIVE_TIMER_STATES),
                name="casetimer_one_live_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(state__in=TimerState.values), name="casetimer_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TimerKind.values), name="casetimer_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=TimerState.PAUSED) | Q(paused_at__isnull=False),
                name="casetimer_paused_has_pause_time",
            ),
        ]
        indexes = [
            # The sweep: running timers not yet breached, by due instant …
            models.Index(
                fields=["due_at"],
                name="casetimer_breach_sweep_idx",
                condition=Q(state="running", breached_at__isnull=True),
            ),
            # … and not yet warned, by warning instant.
            models.Index(
                fields=["warn_at"],
                name="casetimer_warn_sweep_idx",
                condition=Q(state="running", warned_at__isnull=True),
            ),
            models.Index(
                fields=["case", "kind"],
                name="casetimer_live_idx",
                condition=Q(state__in=["running", "paused"]),
            ),
            # On-time rates: stopped timers by kind and stop time.
            models.Index(fields=["kind", "stopped_at"], name="casetimer_stopped_idx",
                         condition=Q(state="met")),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.get_state_display()}"

    @property
    def late(self) -> bool:
        """Breached, or met after its due instant."""
        if self.breached_at is not None:
            return True
        return bool(self.stopped_at and self.due_at and self.stopped_at > self.due_at)

    @property
    def days_late(self) -> int:
        """Whole days (started days count as whole) by which the timer was or is late, for
        the penalty rules ("100 yuan per day late"); 0 when on time."""
        if self.due_at is None:
            return 0
        end = self.stopped_at if self.state != TimerState.RUNNING else None
        if end is None:
            from django.utils import timezone

            end = self.paused_at or timezone.now()
        late = end - self.due_at
        if late <= dt.timedelta(0):
            return 0
        return math.ceil(late / dt.timedelta(days=1))


class SlaEventKind(models.TextChoices):
    WARNED = "warned", _("Warning")
    BREACHED = "breached", _("Breach")
    NO_DEADLINE = "no_deadline", _("No deadline could be computed")


class SlaEvent(Event):
    """A warning or a breach of one timer, recorded exactly once (unique constraint) at its
    true instant, whenever the sweep got to it. The system's (no actor); a NO_DEADLINE
    event says why in `reason`."""

    Kind = SlaEventKind

    timer = models.ForeignKey(
        CaseTimer, on_delete=models.CASCADE, related_name="events", verbose_name=_("timer")
    )
    case = models.ForeignKey(
        "tickets.Case", on_delete=models.CASCADE, related_name="sla_events",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SlaEventKind.choices)
    at = models.DateTimeField(_("at"), help_text=_("When it really happened."))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta(Event.Meta):
        verbose_name = _("SLA event")
        verbose_name_plural = _("SLA events")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["timer", "kind"], name="slaevent_once_per_timer"),
        ]
        indexes = [models.Index(fields=["kind", "-at"], name="slaevent_kind_at_idx")]

    def __str__(self) -> str:
        return f"{self.timer_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ResolutionTally(models.Model):
    """Resolutions met per Beijing day and per who/what (department, team, assignee, kind,
    grade at the moment of resolution), and how many of them on time: the on-time rates of
    the SLA dashboard and the monthly report read a few hundred of these rows instead of a
    month of timers. Written in the transaction that meets the resolution clock;
    `tickets.sla.tallies.resolution_tallies_rebuild` recomputes them from the timers.

    A tally also keeps the case's handling department and desk, the two other fields the
    access rule of cases reads (`tickets.cases.selectors.cases_scoped`), so the rates are
    scoped by the very rule that scopes the cases behind them."""

    day = models.DateField(_("day"))
    department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("department"),
    )
    handling_department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("handling department"),
    )
    desk = models.CharField(_("restricted to desk"), max_length=30, blank=True, default="")
    team = models.ForeignKey(
        "servicedesk.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    kind = models.CharField(_("case kind"), max_length=20, choices=CaseKind.choices)
    grade = models.CharField(_("complaint grade"), max_length=1, blank=True,
                             choices=CaseGrade.choices)
    met = models.PositiveIntegerField(_("resolved"), default=0)
    on_time = models.PositiveIntegerField(_("resolved on time"), default=0)

    class Meta:
        verbose_name = _("resolution tally")
        verbose_name_plural = _("resolution tallies")
        ordering = ["-day", "department"]
        constraints = [
            models.UniqueConstraint(
                "day", "department", Coalesce("handling_department", Value(0)), "desk",
                Coalesce("team", Value(0)), Coalesce("assignee", Value(0)), "kind", "grade",
                name="resolutiontally_one_row_per_scope_key",
            ),
            models.CheckConstraint(condition=Q(on_time__lte=models.F("met")),
                                   name="resolutiontally_on_time_within_met"),
        ]
        indexes = [
            models.Index(fields=["department", "day"], name="resolutiontally_dept_day_idx"),
            models.Index(fields=["day"], name="resolutiontally_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id} {self.on_time}/{self.met}"
