"""Complaints (seed 002, 投诉流程管理制度): the complaint record beside its case, how it
was graded, the proposals made to the customer and the follow-up calls.

A complaint stays a case (`tickets.Case`, kind complaint): the queue, the SLA clocks and
the timeline are the case's. The record here holds what seed 002 adds: the grading
criteria and every grading decision, the source and the desk it belongs to, the handling
department's verdict, the responsible person and the fix, the proposals, the escalation to
the general manager, the interim and final results, the follow-up and the repeat link.
Each step also writes a `complaint_step` row on the case's timeline.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servicedesk.roles import Role
from tickets.cases.models import CaseGrade as Grade


class Procedure(models.TextChoices):
    NONE = "none", _("No breach of procedure")
    CARELESS = "careless", _("Breach of procedure or carelessness")
    SERIOUS = "serious", _("Serious breach of procedure")


class Emotion(models.TextChoices):
    CALM = "calm", _("Calm")
    STRONG = "strong", _("Strong")
    EXTREME = "extreme", _("Extremely strong")


class Impact(models.TextChoices):
    NONE = "none", _("No impact on the company's image")
    SOME = "some", _("Some negative impact")
    WIDE = "wide", _("Wide negative impact")



# A grade the criteria can suggest (D comes only from an "invalid" verdict).
SUGGESTIBLE_GRADES = (Grade.A, Grade.B, Grade.C)


class Source(models.TextChoices):
    CALL_LETTER = "call_letter", _("Call or letter")
    OPINION_BOARD = "opinion_board", _("Opinion board")
    DIRECT = "direct", _("Direct complaint")
    HOTLINE = "hotline", _("800 hotline")
    MEDIA = "media", _("Press, media or consumer association")
    SKIP_LEVEL = "skip_level", _("Skip-level complaint")
    SAFETY = "safety", _("Safety incident")


# Sources whose complaints belong to a desk and are seen only by it, supervisors and above.
SOURCE_DESK: dict[str, str] = {
    Source.MEDIA: Role.PUBLIC_OPINION,
    Source.SKIP_LEVEL: Role.PUBLIC_OPINION,
    Source.SAFETY: Role.MAJOR_SAFETY,
}


class Temperament(models.TextChoices):
    PASSIVE = "passive", _("Passive (controls the anger)")
    ANGRY = "angry", _("Angry (vents the anger)")
    TALKATIVE = "talkative", _("Talkative")
    THREATENING = "threatening", _("Threatening")


class State(models.TextChoices):
    RECEIVED = "received", _("Received, waiting for dispatch")
    DISPATCHED = "dispatched", _("With the department, waiting for its verdict")
    ASSESSED = "assessed", _("Verdict given, waiting for a proposal")
    PROPOSED = "proposed", _("Proposal accepted, fix under way")
    ESCALATED = "escalated", _("Escalated to the general manager")
    RESOLVED = "resolved", _("Final result handed in")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


OPEN_STATES = tuple(s for s in State.values if s != State.CLOSED)


class Verdict(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class ComplaintType(models.Model):
    """What the complaint is about (seed 002's 投诉种类; editable). The owner department is
    where a complaint of this type is dispatched by default; the case category gives the
    case its category time limit (seed 004), where one applies."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    owner_department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("owner department"),
        help_text=_("Complaints of this type are dispatched here unless the agent chooses "
                    "another department (with a reason)."),
    )
    category = models.ForeignKey(
        "tickets.CaseCategory", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("case category"),
        limit_choices_to={"kind": "complaint"},
        help_text=_("The category of the complaint's case (its time limit applies where it "
                    "is earlier than the grade's). Empty: the general complaint category."),
    )
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint type")
        verbose_name_plural = _("complaint types")
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    """The complaint record of one complaint case. `grade` is the decision in force (the
    case carries the same grade for its SLA policy); `suggested_grade` what the criteria
    gave at intake; every decision is a `GradeRecord`."""

    State = State
    Grade = Grade

    case = models.OneToOneField(
        "tickets.Case", on_delete=models.PROTECT, related_name="complaint",
        verbose_name=_("case"),
    )
    customer = models.ForeignKey(
        "tickets.Customer", on_delete=models.PROTECT, related_name="complaints",
        verbose_name=_("customer"),
    )
    type = models.ForeignKey(
        ComplaintType, on_delete=models.PROTECT, related_name="complaints",
        verbose_name=_("type"),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    desk = models.CharField(
        _("desk"), max_length=30, blank=True, default="",
        help_text=_("The desk a media, consumer-association, skip-level or safety complaint "
                    "belongs to (its case is restricted to it)."),
    )
    temperament = models.CharField(
        _("complainant's temperament"), max_length=20, choices=Temperament.choices,
        blank=True,
    )
    # The grading criteria (seed 002 投诉的界定).
    procedure = models.CharField(_("procedure"), max_length=10, choices=Procedure.choices)
    emotion = models.CharField(_("customer emotion"), max_length=10, choices=Emotion.choices)
    loss_yuan = models.DecimalField(
        _("economic loss (yuan)"), max_digits=12, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    impact = models.CharField(_("public image impact"), max_length=10, choices=Impact.choices)
    suggested_grade = models.CharField(
        _("suggested grade"), max_length=1, choices=Grade.choices
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    grade_reason = models.TextField(
        _("reason for the grade"), blank=True,
        help_text=_("Required when the grade differs from the suggestion."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    # Dispatch (the center's acceptance, 受理 → 传递).
    handling_department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="handled_complaints", verbose_name=_("handling department"),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    # The department's verdict.
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices,
                               blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="complaints_responsible", verbose_name=_("responsible person"),
    )
    fix = models.TextField(_("improvement measures"), blank=True)
    verdict_at = models.DateTimeField(_("verdict at"), null=True, blank=True)
    # Escalation to the general manager.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Interim and final results.
    interim_result = models.TextField(_("interim result"), blank=True)
    interim_at = models.DateTimeField(_("interim result at"), null=True, blank=True)
    final_result = models.TextField(_("final result"), blank=True)
    handed_in_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    # Follow-up.
    satisfaction = models.CharField(
        _("satisfaction at follow-up"), max_length=12, choices=Satisfaction.choices,
        blank=True,
    )
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Repeats (再度投诉).
    repeat_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="repeats",
        verbose_name=_("repeat of"),
    )
    repeat_by_neglect = models.BooleanField(
        _("caused by neglect"), default=False,
        help_text=_("This repeat complaint was caused by neglect of the first one: the "
                    "grade fine is doubled."),
    )
    filed_at = models.DateTimeField(_("filed at"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("filed by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-id"]
        permissions = [
            ("grade_complaint", _("Can grade complaints differently from the suggestion")),
            ("close_complaint", _("Can close complaints")),
        ]
        indexes = [
            models.Index(fields=["-filed_at", "-id"], name="complaint_filed_idx"),
            # Repeats: the same customer's complaints of a type, newest first.
            models.Index(fields=["customer", "type", "-filed_at"], name="complaint_repeat_idx"),
            models.Index(fields=["handling_department", "state"],
                         name="complaint_dept_state_idx"),
            models.Index(fields=["responsible", "filed_at"], name="complaint_person_idx"),
            models.Index(fields=["grade", "-filed_at"], name="complaint_grade_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values),
                                   name="complaint_state_valid"),
            models.CheckConstraint(condition=Q(grade__in=Grade.values),
                                   name="complaint_grade_valid"),
            models.CheckConstraint(condition=Q(suggested_grade__in=SUGGESTIBLE_GRADES),
                                   name="complaint_suggested_grade_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values),
                                   name="complaint_source_valid"),
            models.CheckConstraint(condition=Q(procedure__in=Procedure.values),
                                   name="complaint_procedure_valid"),
            models.CheckConstraint(condition=Q(emotion__in=Emotion.values),
                                   name="complaint_emotion_valid"),
            models.CheckConstraint(condition=Q(impact__in=Impact.values),
                                   name="complaint_impact_valid"),
            models.CheckConstraint(condition=Q(loss_yuan__gte=0),
                                   name="complaint_loss_not_negative"),
            models.CheckConstraint(condition=Q(verdict="") | Q(verdict__in=Verdict.values),
                                   name="complaint_verdict_valid"),
            # D is the "invalid" verdict's grade, and only its.
            models.CheckConstraint(condition=~Q(grade=Grade.D) | Q(verdict=Verdict.INVALID),
                                   name="complaint_d_only_when_invalid"),
            models.CheckConstraint(condition=Q(version__gte=1),
                                   name="complaint_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.grade}"

    def get_absolute_url(self) -> str:
        return reverse("complaints:complaint", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED


class GradeRecordKind(models.TextChoices):
    INTAKE = "intake", _("Graded at intake")
    REGRADE = "regrade", _("Re-graded")
    VERDICT = "verdict", _("Graded by the verdict")


class GradeRecord(models.Model):
    """One grading decision: the criteria as they stood, what they suggested, what was
    decided, why and by whom (intake, every later re-grade, the verdict's D)."""

    Kind = GradeRecordKind

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="grade_records",
        verbose_name=_("complaint"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=GradeRecordKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("by"),
    )
    criteria = models.JSONField(_("criteria"), default=dict)
    suggested_grade = models.CharField(_("suggested grade"), max_length=1,
                                       choices=Grade.choices)
    previous_grade = models.CharField(_("previous grade"), max_length=1,
                                      choices=Grade.choices, blank=True)
    grade = models.CharField(_("grade decided"), max_length=1, choices=Grade.choices)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("grading decision")
        verbose_name_plural = _("grading decisions")
        ordering = ["complaint", "at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="graderecord_complaint_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=GradeRecordKind.values),
                                   name="graderecord_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.previous_grade}→{self.grade}"


class ProposalResponse(models.TextChoices):
    PENDING = "pending", _("Waiting for the customer")
    ACCEPTED = "accepted", _("Accepted by the customer")
    REJECTED = "rejected", _("Rejected by the customer")


class Proposal(models.Model):
    """A handling proposal told to the customer (处理意见): the department's, or the
    general manager's final one after an escalation."""

    Response = ProposalResponse

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="proposals",
        verbose_name=_("complaint"),
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("by"),
    )
    text = models.TextField(_("proposal"))
    fix_by = models.DateTimeField(_("fix promised by"), null=True, blank=True)
    final = models.BooleanField(
        _("general manager's final proposal"), default=False,
    )
    response = models.CharField(_("customer's response"), max_length=10,
                                choices=ProposalResponse.choices,
                                default=ProposalResponse.PENDING)
    response_note = models.TextField(_("customer's words"), blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["complaint", "at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="proposal_complaint_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(response__in=ProposalResponse.values),
                                   name="proposal_response_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.at:%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    """The follow-up call (回访) the day after acceptance: the customer's satisfaction, told
    to the handling department the same day."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="follow_ups",
        verbose_name=_("complaint"),
    )
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("by"),
    )
    satisfaction = models.CharField(_("satisfaction"), max_length=12,
                                    choices=Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)
    department_told_at = models.DateTimeField(_("department told at"), null=True,
                                              blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["complaint", "at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="followup_complaint_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__in=Satisfaction.values),
                                   name="followup_satisfaction_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.satisfaction}"
