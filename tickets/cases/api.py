"""Cases API (`/api/v1/cases/`): list, retrieve (with the timeline), open, edit and move a
case along its lifecycle. Access goes through `cases_visible_to` / `get_case_for_user`;
every write goes through one service (`case_open`, `case_update`, `case_transition`).

Edits and transitions carry the `version` the client read: if the case moved on since, the
answer is 409 with the current version, and nothing is written."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from servicedesk.api.events import EventSerializer
from servicedesk.api.fields import AwareDateTimeField, DateTimeField, ModelSerializer
from servicedesk.api.filtering import FilterSet, IdFilter, InstantFilter
from servicedesk.api.idempotency import IdempotentCreateMixin
from servicedesk.api.pagination import CursorPagination
from servicedesk.models import Department, Team
from tickets.cases.models import Case, CaseCategory, SlaState
from tickets.cases.selectors import (
    case_timeline,
    cases_matching,
    cases_visible_to,
    get_case_for_user,
)
from tickets.cases.services import (
    CASE_EDITABLE_FIELDS,
    case_feedback_record,
    case_open,
    case_transition,
    case_update,
)
from tickets.customers.filters import PhoneFilter
from tickets.customers.selectors import customers_visible_to
from tickets.exports.api import ExportActionMixin
from tickets.exports.datasets import CASES
from tickets.sla.services import case_sla_view

# The case timeline's rows keep the fields they had before the event tables shared one
# shape: the old and new value of a change, now kept in `data`.
CASE_EVENT_ALIASES = {"from_value": "data.from", "to_value": "data.to"}


class CaseSerializer(ModelSerializer):
    """A case as the list shows it. On write: `version` is the version the client read
    (needed to edit), `reason` explains the change. The grade is read-only: a complaint is
    graded through the complaints API."""

    category = serializers.PrimaryKeyRelatedField(queryset=CaseCategory.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    customer = serializers.PrimaryKeyRelatedField(queryset=customers_visible_to(user=None))
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), allow_null=True,
        required=False,
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False
    )
    promised_callback_at = AwareDateTimeField(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, required=False)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Case
        fields = [
            "id", "number", "kind", "category", "category_name", "customer", "customer_code",
            "subject", "description", "status", "grade", "assignee", "team", "department",
            "first_contact_owner", "promised_callback_at", "opened_at", "resolved_at",
            "closed_at", "sla_state", "sla_due_at", "version", "reason",
        ]
        read_only_fields = [
            "id", "number", "status", "grade", "first_contact_owner", "opened_at",
            "resolved_at", "closed_at", "sla_state", "sla_due_at",
        ]
        extra_kwargs = {
            "description": {"required": False},
        }

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = request.user if request is not None else None
        if "customer" in fields:
            fields["customer"].queryset = customers_visible_to(user=user)
        return fields

    def validate(self, attrs):
        # read-only fields are otherwise dropped without a word: a client that still sends
        # a grade learns where grading went
        if isinstance(self.initial_data, dict) and "grade" in self.initial_data:
            raise ValidationError({"grade": [
                _("A case is not graded here: complaints are graded through the complaint "
                  "(/api/v1/complaints/).")]})
        return attrs

    def create(self, validated_data):
        validated_data.pop("version", None)
        validated_data.pop("reason", None)
        return case_open(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        if "version" not in validated_data:
            raise ValidationError({"version": [_("Send the version of the case you read.")]})
        expected_version = validated_data.pop("version")
        reason = validated_data.pop("reason", "")
        fixed = sorted(set(validated_data) - CASE_EDITABLE_FIELDS)
        if fixed:
            raise ValidationError(
                {field: [_("This field cannot be changed here.")] for field in fixed}
            )
        return case_update(
            case=instance, by=self.context["request"].user,
            expected_version=expected_version, reason=reason, **validated_data,
        )


class CaseUpdateSerializer(CaseSerializer):
    """A change to a case: only the fields `case_update` changes (any other is refused as
    not changeable here), the `version` read (the schema marks it required) and the
    `reason` of the change. The request schema of PATCH; the answer is the case."""

    class Meta(CaseSerializer.Meta):
        fields = sorted(CASE_EDITABLE_FIELDS | {"version", "reason"})
        read_only_fields: list[str] = []


class CaseTimerSerializer(serializers.Serializer):
    """One SLA clock: its due instant on the business calendar, business time used and
    allowed, whether it was late and by how many (started) days."""

    kind = serializers.CharField(source="timer.kind")
    state = serializers.CharField(source="timer.state")
    calendar = serializers.CharField(source="timer.calendar.name")
    started_at = DateTimeField(source="timer.started_at")
    due_at = DateTimeField(source="timer.due_at", allow_null=True)
    warn_at = DateTimeField(source="timer.warn_at", allow_null=True)
    stopped_at = DateTimeField(source="timer.stopped_at", allow_null=True)
    warned_at = DateTimeField(source="timer.warned_at", allow_null=True)
    breached_at = DateTimeField(source="timer.breached_at", allow_null=True)
    target_seconds = serializers.SerializerMethodField()
    elapsed_seconds = serializers.SerializerMethodField()
    late = serializers.BooleanField()
    days_late = serializers.IntegerField()

    def get_target_seconds(self, row) -> int:
        return int(row["timer"].target.total_seconds())

    def get_elapsed_seconds(self, row) -> int:
        return int(row["elapsed"].total_seconds())


class CaseDetailSerializer(CaseSerializer):
    """A single case, with its SLA timers and its timeline (oldest event first)."""

    timers = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "timers", "timeline"]

    @extend_schema_field(CaseTimerSerializer(many=True))
    def get_timers(self, case) -> list[dict]:
        # with many=True .data is a ReturnList (the stubs say ReturnDict)
        return CaseTimerSerializer(case_sla_view(case), many=True).data  # type: ignore[return-value]

    def get_timeline(self, case) -> list[dict]:
        # with many=True .data is a ReturnList (the stubs say ReturnDict)
        return EventSerializer(  # type: ignore[return-value]
            case_timeline(case=case), many=True, aliases=CASE_EVENT_ALIASES
        ).data


class CaseFeedbackSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(min_value=1)


class CaseTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Case.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(min_value=1)


class CaseFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Case.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Case.Kind.choices)
    category = IdFilter(field_name="category_id")
    assignee = IdFilter(field_name="assignee_id")
    team = IdFilter(field_name="team_id")
    department = IdFilter(field_name="department_id")
    customer = IdFilter(field_name="customer_id")
    opened_after = InstantFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = InstantFilter(field_name="opened_at", lookup_expr="lt")
    customer_phone = PhoneFilter("customer__phone")
    q = django_filters.CharFilter(
        method="search", max_length=50,
        help_text="Case number or customer code (from the start), customer name (any part) "
                  "or customer phone.",
    )
    grade = django_filters.ChoiceFilter(choices=Case.Grade.choices)
    sla_state = django_filters.MultipleChoiceFilter(choices=SlaState.choices[1:])
    due_before = InstantFilter(field_name="sla_due_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields: list[str] = []

    def search(self, queryset, name, value):
        return cases_matching(queryset, value)


class CasePagination(CursorPagination):
    """Newest first, by opening time. A cursor instead of page numbers: no COUNT(*) over a
    department's (or, for management, every) case on each page, and pages stay stable while
    new cases arrive."""

    ordering = ("-opened_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@extend_schema_view(
    partial_update=extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer),
)
class CaseViewSet(
    ExportActionMixin,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    pagination_class = CasePagination
    export_dataset = CASES
    # Opening a case needs add_case; editing or moving one change_case (as on the pages).
    # Which case a user may change is decided by `get_case_for_user` alone.
    write_permissions = {"create": "tickets.add_case", "*": "tickets.change_case"}
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"
    # The exception handler's names for the services' fields (service field → API field).
    service_error_fields = {"transition": {"status": "to_status"}}

    def get_queryset(self):
        return (
            cases_visible_to(user=self.request.user)
            .select_related("customer", "category", "assignee", "team", "department")
            .order_by("-opened_at", "-id")
        )

    def get_object(self):
        case = get_case_for_user(
            user=self.request.user,
            case_id=int(self.kwargs[self.lookup_field]),
            write=self.request.method not in permissions.SAFE_METHODS,
        )
        self.check_object_permissions(self.request, case)
        return case

    def get_serializer_class(self):
        if self.action == "transition":
            return CaseTransitionSerializer
        if self.action == "feedback":
            return CaseFeedbackSerializer
        if self.action in ("retrieve", "create", "partial_update"):
            return CaseDetailSerializer
        return CaseSerializer

    @extend_schema(request=CaseTransitionSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the case to `to_status` (`reason` is needed to reopen a closed case);
        `version` is the version of the case the client read."""
        case = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_transition(
            case=case,
            to_status=serializer.validated_data["to_status"],
            reason=serializer.validated_data["reason"],
            by=request.user,
            expected_version=serializer.validated_data["version"],
        )
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(request=CaseFeedbackSerializer, responses=CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        """Record what the customer was told (the complaint's feedback step); meets the
        feedback clock. `version` is the version of the case the client read."""
        case = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_feedback_record(
            case=case,
            note=serializer.validated_data["note"],
            by=request.user,
            expected_version=serializer.validated_data["version"],
        )
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)
