"""Complaints API (`/api/v1/complaints/`): file a complaint (graded from the facts;
Idempotency-Key honoured), preview the grade of four criteria, list (filters: grade, state,
handling department, type, source, overdue, repeat) and read complaints, and take each
step of the handling flow (`dispatch/`, `verdict/`, `propose/`, `escalate/`, `interim/`,
`resolve/`, `follow-up/`, `close/`, `regrade/`).

Access: the list and a complaint go through `complaints_visible_to` (404 for a complaint
not visible); who may take a step is decided by `complaints.handling.selectors` (403);
every write goes through one service of `complaints.handling.services`. A step may carry
the `version` of the complaint the client read: if it moved on, 409 with the current
version and nothing written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from complaints.handling.advice import TEMPERAMENT_ADVICE
from complaints.handling.grading import Criteria, criteria_errors, grade_suggest
from complaints.handling.models import (
    SUGGESTIBLE_GRADES,
    Complaint,
    ComplaintType,
    Emotion,
    Grade,
    Impact,
    Procedure,
    ProposalResponse,
    Satisfaction,
    Source,
    State,
    Temperament,
    Verdict,
)
from complaints.handling.selectors import (
    CLOSE,
    DISPATCH,
    ESCALATE,
    FOLLOW_UP,
    INTERIM,
    PROPOSE,
    REGRADE,
    RESOLVE,
    VERDICT,
    complaint_clocks,
    complaint_detail_queryset,
    complaint_first_contact,
    complaint_interim_due,
    complaint_is_visible_to,
    complaint_repeats,
    complaint_steps_for,
    complaints_visible_to,
    follow_up_due_on,
    get_complaint_for_user,
    step_permitted,
    with_interim_due,
    with_overdue,
)
from complaints.handling.services import (
    complaint_close,
    complaint_dispatch,
    complaint_escalate,
    complaint_file,
    complaint_follow_up,
    complaint_interim,
    complaint_propose,
    complaint_regrade,
    complaint_resolve,
    complaint_verdict,
)
from servicedesk.api.events import EventSerializer
from servicedesk.api.fields import AwareDateTimeField, DateTimeField, StrictBooleanField
from servicedesk.api.filtering import BooleanFilter, FilterSet, IdFilter, MonthFilter
from servicedesk.api.idempotency import IdempotentCreateMixin
from servicedesk.api.pagination import CursorPagination
from servicedesk.models import Department
from servicedesk.months import month_bounds
from servicedesk.presenters import person_name, phone_for
from tickets.cases.api import CASE_EVENT_ALIASES, CaseTimerSerializer
from tickets.cases.selectors import case_timeline
from tickets.contacts.models import Contact
from tickets.customers.selectors import customers_visible_to
from tickets.sla.services import case_sla_view

# The grades the criteria can suggest (D never: it comes from the "invalid" verdict).
SUGGESTED_GRADE_CHOICES = [(g.value, g.label) for g in SUGGESTIBLE_GRADES]

# --- fields ----------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$",
                      "example": "2999.99"})
class YuanField(serializers.Field):
    """Yuan as a decimal string ("2999.99"): a JSON number is refused, as money never
    travels as one (a float is inexact). Whether the amount is acceptable (not negative,
    two decimals at most) is the grading rule's word."""

    default_error_messages = {
        "invalid": _("Enter the amount in yuan as text, e.g. \"2999.99\"."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            value = Decimal(data.strip())
        except InvalidOperation:
            self.fail("invalid")
        if not value.is_finite():
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return str(value)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return person_name(user)


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()


class TypeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class FirstContactSerializer(serializers.Serializer):
    """What the first-contact owner tells the customer: the handling department, its
    contact person and its phone."""

    department = DepartmentRefSerializer(allow_null=True)
    contact_person = serializers.CharField()
    phone = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    """A live clock of the complaint's case (running or paused)."""

    kind = serializers.CharField()
    due_at = DateTimeField(allow_null=True)
    state = serializers.CharField()


class CriteriaSerializer(serializers.Serializer):
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    emotion = serializers.ChoiceField(choices=Emotion.choices)
    loss_yuan = YuanField()
    impact = serializers.ChoiceField(choices=Impact.choices)


# --- answers ---------------------------------------------------------------------------------


class ComplaintFiledSerializer(serializers.Serializer):
    """The answer to filing: what the agent tells the customer on the call."""

    id = serializers.IntegerField(source="pk")
    case = CaseRefSerializer()
    suggested_grade = serializers.ChoiceField(choices=SUGGESTED_GRADE_CHOICES)
    grade = serializers.ChoiceField(choices=Grade.choices)
    department = serializers.SerializerMethodField()
    first_contact = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    state = serializers.ChoiceField(choices=State.choices)
    desk = serializers.CharField()
    repeat_of = serializers.IntegerField(source="repeat_of_id", allow_null=True)

    def _first_contact(self, complaint) -> dict:
        # read once for both fields that show it
        if not hasattr(complaint, "_first_contact"):
            complaint._first_contact = complaint_first_contact(complaint)
        return complaint._first_contact

    @extend_schema_field(DepartmentRefSerializer(allow_null=True))
    def get_department(self, complaint):
        department = self._first_contact(complaint)["department"]
        return DepartmentRefSerializer(department).data if department is not None else None

    @extend_schema_field(FirstContactSerializer)
    def get_first_contact(self, complaint):
        return FirstContactSerializer(self._first_contact(complaint)).data

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, complaint):
        return ClockSerializer(complaint_clocks(complaint), many=True).data


class CustomerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.SerializerMethodField()

    def get_phone(self, customer) -> str:
        request = self.context.get("request")
        return phone_for(request.user if request is not None else None, customer.phone)


class ComplaintSerializer(serializers.Serializer):
    """A complaint as the list shows it (the customer's phone masked unless the caller may
    see personal data)."""

    id = serializers.IntegerField(source="pk")
    case = CaseRefSerializer()
    customer = CustomerRefSerializer()
    type = TypeRefSerializer()
    # DRF's metaclass moves declared fields off the class: no clash with Field.source
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    desk = serializers.CharField()
    suggested_grade = serializers.ChoiceField(choices=SUGGESTED_GRADE_CHOICES)
    grade = serializers.ChoiceField(choices=Grade.choices)
    state = serializers.ChoiceField(choices=State.choices)
    handling_department = DepartmentRefSerializer(allow_null=True)
    responsible = PersonSerializer(allow_null=True)
    repeat_of = serializers.IntegerField(source="repeat_of_id", allow_null=True)
    overdue = serializers.BooleanField()
    sla_state = serializers.CharField(source="case.sla_state")
    sla_due_at = DateTimeField(source="case.sla_due_at", allow_null=True)
    filed_at = DateTimeField()
    version = serializers.IntegerField()


class GradeRecordSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = DateTimeField()
    by = PersonSerializer()
    criteria = serializers.JSONField()
    suggested_grade = serializers.CharField()
    previous_grade = serializers.CharField()
    grade = serializers.CharField()
    reason = serializers.CharField()


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    at = DateTimeField()
    by = PersonSerializer()
    text = serializers.CharField()
    fix_by = DateTimeField(allow_null=True)
    final = serializers.BooleanField()
    response = serializers.ChoiceField(choices=ProposalResponse.choices)
    response_note = serializers.CharField()


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    at = DateTimeField()
    by = PersonSerializer()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField()
    department_told_at = DateTimeField(allow_null=True)


class ComplaintDetailSerializer(ComplaintFiledSerializer, ComplaintSerializer):
    """One complaint: its criteria and every grading decision, the handling so far
    (verdict, proposals, escalation, results, follow-ups), its clocks and the case's
    timeline, and the steps the caller may take now."""

    subject = serializers.CharField(source="case.subject")
    description = serializers.CharField(source="case.description")
    temperament = serializers.CharField()
    temperament_advice = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    grade_reason = serializers.CharField()
    grade_records = serializers.SerializerMethodField()
    dispatched_at = DateTimeField(allow_null=True)
    follow_up_due_on = serializers.SerializerMethodField()
    verdict = serializers.CharField()
    fix = serializers.CharField()
    verdict_at = DateTimeField(allow_null=True)
    repeat_by_neglect = serializers.BooleanField()
    proposals = serializers.SerializerMethodField()
    escalated_at = DateTimeField(allow_null=True)
    interim_result = serializers.CharField()
    interim_at = DateTimeField(allow_null=True)
    interim_due = serializers.SerializerMethodField()
    final_result = serializers.CharField()
    handed_in_at = DateTimeField(allow_null=True)
    satisfaction = serializers.CharField()
    followed_up_at = DateTimeField(allow_null=True)
    follow_ups = serializers.SerializerMethodField()
    closed_at = DateTimeField(allow_null=True)
    repeats = serializers.SerializerMethodField()
    filed_by = PersonSerializer()
    timers = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    def get_temperament_advice(self, complaint) -> str:
        advice = TEMPERAMENT_ADVICE.get(complaint.temperament)
        return str(advice) if advice is not None else ""

    @extend_schema_field(CriteriaSerializer)
    def get_criteria(self, complaint):
        return {"procedure": complaint.procedure, "emotion": complaint.emotion,
                "loss_yuan": str(complaint.loss_yuan), "impact": complaint.impact}

    @extend_schema_field(GradeRecordSerializer(many=True))
    def get_grade_records(self, complaint):
        return GradeRecordSerializer(
            complaint.grade_records.select_related("by").order_by("at", "id"), many=True).data

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_follow_up_due_on(self, complaint):
        due = follow_up_due_on(complaint)
        return due.isoformat() if due is not None else None

    @extend_schema_field(ProposalSerializer(many=True))
    def get_proposals(self, complaint):
        return ProposalSerializer(
            complaint.proposals.select_related("by").order_by("at", "id"), many=True).data

    def get_interim_due(self, complaint) -> bool:
        return complaint_interim_due(complaint=complaint)

    @extend_schema_field(FollowUpSerializer(many=True))
    def get_follow_ups(self, complaint):
        return FollowUpSerializer(
            complaint.follow_ups.select_related("by").order_by("at", "id"), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_repeats(self, complaint):
        return list(complaint_repeats(complaint).values_list("pk", flat=True))

    @extend_schema_field(CaseTimerSerializer(many=True))
    def get_timers(self, complaint):
        return CaseTimerSerializer(case_sla_view(complaint.case), many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, complaint):
        return EventSerializer(case_timeline(case=complaint.case), many=True,
                               aliases=CASE_EVENT_ALIASES).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(
        choices=[(s, s) for s in (DISPATCH, VERDICT, PROPOSE, ESCALATE, INTERIM, RESOLVE,
                                  FOLLOW_UP, CLOSE, REGRADE)])))
    def get_steps(self, complaint):
        request = self.context.get("request")
        if request is None:
            return []
        return sorted(complaint_steps_for(user=request.user, complaint=complaint))


# --- requests ----------------------------------------------------------------------------------


class ComplaintFileSerializer(serializers.Serializer):
    """Filing a complaint: the four criteria give the suggested grade; another `grade`
    (A–C) needs `grade_reason`. `contact`: the logged call it came in on, if any."""

    customer = serializers.PrimaryKeyRelatedField(queryset=customers_visible_to(user=None))
    type = serializers.PrimaryKeyRelatedField(queryset=ComplaintType.objects.all())
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    procedure = serializers.ChoiceField(choices=Procedure.choices)
    emotion = serializers.ChoiceField(choices=Emotion.choices)
    loss_yuan = YuanField()
    impact = serializers.ChoiceField(choices=Impact.choices)
    grade = serializers.ChoiceField(choices=Grade.choices, required=False, allow_blank=True,
                                    default="")
    grade_reason = serializers.CharField(required=False, allow_blank=True, default="",
                                         trim_whitespace=False)
    temperament = serializers.ChoiceField(choices=Temperament.choices, required=False,
                                          allow_blank=True, default="")
    subject = serializers.CharField(required=False, allow_blank=True, default="",
                                    trim_whitespace=False)
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(),
                                                 required=False, allow_null=True,
                                                 default=None)

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["customer"].queryset = customers_visible_to(
            user=request.user if request is not None else None)
        return fields


class GradePreviewSerializer(serializers.Serializer):
    suggested_grade = serializers.ChoiceField(choices=SUGGESTED_GRADE_CHOICES)
    reasons = serializers.ListField(child=serializers.DictField())


def _version():
    return serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                    default=None)


def _text(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, default="",
                                 trim_whitespace=False, **kwargs)


class DispatchSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None)
    reason = _text()
    version = _version()


class VerdictSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), allow_null=True)
    fix = _text()
    reason = _text()
    repeat_by_neglect = StrictBooleanField(required=False, default=False)
    version = _version()


class ProposeSerializer(serializers.Serializer):
    text = _text()
    response = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in (ProposalResponse.ACCEPTED,
                                              ProposalResponse.REJECTED)])
    fix_by = AwareDateTimeField(required=False, allow_null=True, default=None)
    response_note = _text()
    version = _version()


class EscalateSerializer(serializers.Serializer):
    reason = _text()
    version = _version()


class InterimSerializer(serializers.Serializer):
    text = _text()
    version = _version()


class ResolveSerializer(serializers.Serializer):
    final_result = _text()
    handed_in_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    version = _version()


class FollowUpRequestSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = _text()
    version = _version()


class CloseSerializer(serializers.Serializer):
    final_result = _text()
    version = _version()


class RegradeSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    reason = _text()
    version = _version()


STEP_SERVICES: dict[str, tuple[Callable[..., Complaint], type[serializers.Serializer]]] = {
    DISPATCH: (complaint_dispatch, DispatchSerializer),
    VERDICT: (complaint_verdict, VerdictSerializer),
    PROPOSE: (complaint_propose, ProposeSerializer),
    ESCALATE: (complaint_escalate, EscalateSerializer),
    INTERIM: (complaint_interim, InterimSerializer),
    RESOLVE: (complaint_resolve, ResolveSerializer),
    FOLLOW_UP: (complaint_follow_up, FollowUpRequestSerializer),
    CLOSE: (complaint_close, CloseSerializer),
    REGRADE: (complaint_regrade, RegradeSerializer),
}


# --- the list's filters and order --------------------------------------------------------------


class ComplaintFilter(FilterSet):
    grade = django_filters.MultipleChoiceFilter(choices=Grade.choices)
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    department = IdFilter(field_name="handling_department_id",
                          help_text="The handling department (after dispatch).")
    type = IdFilter(field_name="type_id")
    source = django_filters.MultipleChoiceFilter(choices=Source.choices)
    overdue = BooleanFilter(field_name="overdue",
                            help_text="A running clock of the complaint is past due.")
    repeat = BooleanFilter(method="filter_repeat",
                           help_text="A repeat complaint (再度投诉) or not.")
    responsible = IdFilter(field_name="responsible_id",
                           help_text="The person the department named responsible.")
    verdict = django_filters.MultipleChoiceFilter(choices=Verdict.choices)
    month = MonthFilter(method="filter_month",
                        help_text="Filed (accepted) in this Beijing calendar month.")

    class Meta:
        model = Complaint
        fields: list[str] = []

    def filter_month(self, queryset, name, value):
        if value is None:
            return queryset
        start, end = month_bounds(value)
        return queryset.filter(filed_at__gte=start, filed_at__lt=end)

    def filter_repeat(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(repeat_of__isnull=not value)


class ComplaintPagination(CursorPagination):
    """Newest first, by filing time; a cursor (no COUNT over every complaint)."""

    ordering = ("-filed_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- the viewset -----------------------------------------------------------------------------


class _FileMixin:
    # The create of the viewset: the filing answer (`ComplaintFiledSerializer`), wrapped by
    # IdempotentCreateMixin. (A comment: the schema would take a docstring as a description.)

    def create(self, request, *args, **kwargs):
        data = ComplaintFileSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        complaint = complaint_file(by=request.user, **data.validated_data)
        return Response(ComplaintFiledSerializer(complaint).data,
                        status=status.HTTP_201_CREATED)


def _step_schema(serializer):
    return extend_schema(request=serializer, responses=ComplaintDetailSerializer)


@extend_schema_view(
    create=extend_schema(request=ComplaintFileSerializer,
                         responses={201: ComplaintFiledSerializer}),
    retrieve=extend_schema(responses=ComplaintDetailSerializer),
)
class ComplaintViewSet(
    IdempotentCreateMixin,
    _FileMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    pagination_class = ComplaintPagination
    # Filing needs add_complaint, closing close_complaint; the other steps are decided by
    # role and department in complaints.handling.selectors (403 from the services); the
    # grade preview is open to every staff member.
    write_permissions = {"create": "complaints.add_complaint", "grade_preview": None,
                         "close": "complaints.close_complaint", "*": None}
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = with_overdue(complaints_visible_to(user=self.request.user),
                                now=timezone.now())
        return queryset.select_related(
            "case", "customer", "type", "handling_department", "responsible",
        ).order_by("-filed_at", "-id")

    def get_object(self):
        complaint = get_complaint_for_user(user=self.request.user,
                                           complaint_id=int(self.kwargs[self.lookup_field]))
        self.check_object_permissions(self.request, complaint)
        return complaint

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ComplaintDetailSerializer
        return ComplaintSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(int(self.kwargs[self.lookup_field])))

    def _detail(self, complaint_id: int) -> dict:
        """The detail as the caller sees it now (404 when it is not visible to them)."""
        now = timezone.now()
        queryset = with_interim_due(with_overdue(complaint_detail_queryset(
            complaints_visible_to(user=self.request.user)), now=now), now=now)
        complaint = get_object_or_404(queryset, pk=complaint_id)
        return ComplaintDetailSerializer(complaint, context=self.get_serializer_context()).data

    def _step(self, request, step: str):
        complaint = self.get_object()
        if not step_permitted(user=request.user, complaint=complaint, step=step) or \
                not complaint_is_visible_to(user=request.user, complaint=complaint):
            raise PermissionDenied  # before reading the body: the wrong person learns nothing
        service, serializer_class = STEP_SERVICES[step]
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected_version = values.pop("version", None)
        service(complaint=complaint, by=request.user, expected_version=expected_version,
                **values)
        return Response(self._detail(complaint.pk))

    @extend_schema(request=CriteriaSerializer, responses=GradePreviewSerializer)
    @action(detail=False, methods=["post"], url_path="grade-preview")
    def grade_preview(self, request):
        """The grade the four criteria suggest (the intake form's live grade) and the
        criteria that reach it."""
        data = CriteriaSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        problems = criteria_errors(**values)
        if problems:
            raise serializers.ValidationError({f: [str(m)] for f, m in problems.items()})
        suggestion = grade_suggest(Criteria(**values))
        return Response({
            "suggested_grade": suggestion.grade,
            "reasons": [{"field": r.field, "grade": r.grade, "text": str(r.text)}
                        for r in suggestion.reasons],
        })

    @_step_schema(DispatchSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_step(self, request, pk=None):  # `dispatch` is the view's own method
        """Accept the complaint and pass it to its handling department (the type's owner
        unless `department` is given with a `reason`)."""
        return self._step(request, DISPATCH)

    @_step_schema(VerdictSerializer)
    @action(detail=True, methods=["post"])
    def verdict(self, request, pk=None):
        """The handling department's verdict (valid / invalid: D), the responsible person
        and the improvement measures."""
        return self._step(request, VERDICT)

    @_step_schema(ProposeSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """The proposal told to the customer and their response (accepted / rejected)."""
        return self._step(request, PROPOSE)

    @_step_schema(EscalateSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Escalate to the general manager (the department's manager or head)."""
        return self._step(request, ESCALATE)

    @_step_schema(InterimSerializer)
    @action(detail=True, methods=["post"])
    def interim(self, request, pk=None):
        """Record the interim result."""
        return self._step(request, INTERIM)

    @_step_schema(ResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Record the final result and its hand-in time."""
        return self._step(request, RESOLVE)

    @_step_schema(FollowUpRequestSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """The follow-up call's satisfaction (told to the department the same day)."""
        return self._step(request, FOLLOW_UP)

    @_step_schema(CloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the complaint (management)."""
        return self._step(request, CLOSE)

    @_step_schema(RegradeSerializer)
    @action(detail=True, methods=["post"])
    def regrade(self, request, pk=None):
        """Another grade (A–C) with a reason."""
        return self._step(request, REGRADE)
