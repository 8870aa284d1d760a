"""Cases (工单): their categories, the cases themselves, their timeline and the counter that
hands out case numbers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event
from servicedesk.roles import Role


class CaseKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    URGENT = "urgent", _("Urgent case")
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class CaseGrade(models.TextChoices):
    A = "A", _("A – major complaint")
    B = "B", _("B – serious complaint")
    C = "C", _("C – general complaint")
    D = "D", _("D – warning")


class SlaState(models.TextChoices):
    """A case's SLA picture, kept on the case for queues and dashboards."""

    NONE = "", _("No time limit")
    ON_TRACK = "on_track", _("On track")
    WARNED = "warned", _("Due soon")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    MET_LATE = "met_late", _("Met late")


class CaseCategory(models.Model):
    """A node of the classification tree. The top level has one node per case kind; the
    leaves carry the default owner and time limit (domain.md, "Contacts and cases")."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    owner_role = models.CharField(
        _("owner role"), max_length=30, choices=Role.choices, blank=True
    )
    owner_team = models.ForeignKey(
        "servicedesk.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner team"),
    )
    time_limit = models.DurationField(
        _("time limit"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["kind", "ordering", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CaseKind.values), name="casecategory_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(owner_role="") | Q(owner_role__in=Role.values),
                name="casecategory_owner_role_valid",
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="casecategory_name_not_blank"
            ),
            models.UniqueConstraint(
                fields=["parent", "name"], name="casecategory_name_unique_per_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # parent_id is set
        if self.parent_id is not None and self.parent.kind != self.kind:  # type: ignore[union-attr]
            raise ValidationError(
                {"kind": _("A category has the same kind as the category above it.")}
            )


class Case(models.Model):
    """A customer's request, from opening to closing. `number` is K + yyyymmdd + a daily
    sequence; `version` grows with every write (optimistic concurrency)."""

    Kind = CaseKind
    Status = CaseStatus
    Grade = CaseGrade

    OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_CUSTOMER)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    customer = models.ForeignKey(
        "tickets.Customer",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("customer"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        "servicedesk.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("team"),
    )
    department = models.ForeignKey(
        "servicedesk.Department",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("department"),
    )
    handling_department = models.ForeignKey(
        "servicedesk.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("handling department"),
        help_text=_("The business department the case was passed to (a complaint's "
                    "dispatch): its staff see and work the case beside its own department."),
    )
    desk = models.CharField(
        _("restricted to desk"),
        max_length=30,
        choices=[("", _("Not restricted"))] + [
            (r.value, r.label) for r in (Role.PUBLIC_OPINION, Role.MAJOR_SAFETY)],
        blank=True,
        default="",
        help_text=_("A desk-only case (media, consumer association, skip-level, safety) is "
                    "seen only by that desk, supervisors and above."),
    )
    first_contact_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="first_contact_cases",
        verbose_name=_("first-contact owner"),
        help_text=_("Whoever first received the case (首问责任人)."),
    )
    promised_callback_at = models.DateTimeField(
        _("promised call-back"), null=True, blank=True
    )
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    sla_state = models.CharField(
        _("SLA"), max_length=10, choices=SlaState.choices, blank=True, default="",
        editable=False,
    )
    sla_due_at = models.DateTimeField(
        _("next due"), null=True, blank=True, editable=False,
        help_text=_("The nearest due instant among the case's running SLA timers."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("export_case", _("Can export cases"))]
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["assignee", "status"], name="case_assignee_status_idx"),
            models.Index(fields=["department", "status"], name="case_department_status_idx"),
            # The API list's order (newest first) for a department and for management.
            models.Index(fields=["department", "-opened_at", "-id"],
                         name="case_department_opened_idx"),
            models.Index(fields=["-opened_at", "-id"], name="case_opened_idx"),
            models.Index(fields=["handling_department", "status"],
                         name="case_handling_status_idx",
                         condition=Q(handling_department__isnull=False)),
            # Queues and the SLA dashboard: open cases by their next due instant.
            models.Index(
                fields=["sla_due_at"],
                name="case_open_due_idx",
                condition=Q(status__in=["new", "in_progress", "waiting_customer"]),
            ),
            models.Index(
                fields=["department", "sla_state", "sla_due_at"],
                name="case_open_sla_idx",
                condition=Q(status__in=["new", "in_progress", "waiting_customer"]),
            ),
            # The dashboard's breached list across departments, by how late.
            models.Index(
                fields=["sla_state", "sla_due_at"],
                name="case_open_state_due_idx",
                condition=Q(status__in=["new", "in_progress", "waiting_customer"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="case_kind_valid"),
            models.CheckConstraint(
                condition=Q(grade="")
                | Q(kind=CaseKind.COMPLAINT, grade__in=CaseGrade.values),
                name="case_grade_only_on_complaints",
            ),
            models.CheckConstraint(condition=~Q(subject=""), name="case_subject_not_blank"),
            models.CheckConstraint(
                condition=Q(desk__in=["", Role.PUBLIC_OPINION, Role.MAJOR_SAFETY]),
                name="case_desk_valid",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_gte_1"),
            models.CheckConstraint(
                condition=Q(sla_state__in=SlaState.values), name="case_sla_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS_CHANGED = "status_changed", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    EDITED = "edited", _("Edited")
    GRADED = "graded", _("Graded")
    COMMENTED = "commented", _("Commented")
    REOPENED = "reopened", _("Reopened")
    FEEDBACK = "feedback", _("Customer informed")
    SLA = "sla", _("SLA deadlines changed")
    # A step of a filing linked to the case (a feedback filing's hand-over, follow-up,
    # closing): data {"filing": "tickets.feedbackfiling", "filing_id": …, "step": …}.
    FILING_STEP = "filing_step", _("Filing step")
    # A step of the case's complaint (complaints app): data {"step": "dispatch" | "verdict"
    # | "propose" | …, and the step's particulars}.
    COMPLAINT_STEP = "complaint_step", _("Complaint step")


class CaseEvent(Event):
    """One row of a case's timeline, written by the service that made the change. A change
    of status or grade keeps its old and new value in `data` (`{"from": …, "to": …}`)."""

    Kind = CaseEventKind

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(Event.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CaseEventKind.values), name="caseevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CaseNumberCounter(models.Model):
    """The last sequence number handed out on a day (yyyymmdd)."""

    day = models.CharField(_("day"), max_length=8, primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
