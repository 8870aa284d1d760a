"""Penalties API: the quote (`POST /api/v1/penalties/quote/`, the same rule code and version
as the ledger), the penalty ledger (`/api/v1/penalties/`: list, detail with history, and a
manager's `waive/` and `adjust/`) and the SLA excuses (`/api/v1/sla-excuses/`: list,
request, `approve/`, `reject/`). Scoped by `penalties_visible_to` and
`excuses_visible_to`; every write goes through one service (400 with field errors, 403,
409 with the current version)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from complaints.penalties.models import (
    EntryState,
    ExcuseReason,
    ExcuseState,
    PenaltyEntry,
    PenaltyEvent,
    PenaltyRule,
    SlaExcuse,
)
from complaints.penalties.selectors import (
    NoRuleSet,
    entry_actions_for,
    entry_history,
    excuse_rows,
    excuses_visible_to,
    get_entry_for_user,
    get_excuse_for_user,
    ledger_rows,
    penalties_visible_to,
    penalty_quote_at,
)
from complaints.penalties.services import (
    entry_adjust,
    entry_waive,
    excuse_decide,
    excuse_request,
)
from servicedesk.api.events import EventSerializer
from servicedesk.api.fields import (
    AwareDateTimeField,
    DateTimeField,
    ModelSerializer,
    StrictBooleanField,
)
from servicedesk.api.filtering import MONTH_PATTERN, FilterSet, IdFilter, MonthFilter
from servicedesk.api.pagination import CursorPagination
from servicedesk.presenters import person_name
from tickets.cases.models import CaseGrade
from tickets.cases.selectors import cases_scoped
from tickets.sla.models import CaseTimer

ENTRY_ACTIONS = [("waive", _("Waive")), ("adjust", _("Adjust"))]
EXCUSE_ACTIONS = [("approve", _("Approve")), ("reject", _("Reject"))]


class YuanField(serializers.RegexField):
    """Yuan ≥ 0 with at most two decimals, written as text ("5000.00"): a JSON number (a
    float) is refused, as money never travels as one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Yuan as text, e.g. 5000.00.")
        super().__init__(r"^\d{1,10}(?:\.\d{1,2})?$", max_length=13, trim_whitespace=False,
                         **kwargs)
        self.error_messages["invalid"] = _(
            "Enter yuan as text with at most two decimals, e.g. 5000.00.")

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# --- the quote -------------------------------------------------------------------------------


class QuoteRequestSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=CaseGrade.choices)
    loss_yuan = YuanField(required=False, default="0")
    late_acceptance_days = serializers.IntegerField(min_value=0, max_value=36500,
                                                    required=False, default=0)
    completed_late_without_reason = StrictBooleanField(required=False, default=False)
    repeat_by_neglect = StrictBooleanField(required=False, default=False)
    at = AwareDateTimeField(required=False, help_text="The rules in force at this instant "
                                                      "(default: now).")


class ChargeSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=PenaltyRule.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class QuoteSerializer(serializers.Serializer):
    charges = ChargeSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    rule_version = serializers.IntegerField(source="rule_set.version")
    administrative_sanction = serializers.BooleanField()


# --- the ledger ------------------------------------------------------------------------------


class PenaltyEntrySerializer(ModelSerializer):
    person_name = serializers.SerializerMethodField()
    department_name = serializers.SerializerMethodField()
    case = serializers.SerializerMethodField()
    case_number = serializers.SerializerMethodField()
    rule_version = serializers.IntegerField(source="rule_set.version", read_only=True)
    month = serializers.SerializerMethodField()

    class Meta:
        model = PenaltyEntry
        fields = ["id", "key", "person", "person_name", "department", "department_name",
                  "complaint", "case", "case_number", "rule", "rule_version",
                  "quoted_amount", "amount", "administrative_sanction", "state", "month",
                  "evidence", "created_at", "updated_at", "version"]
        read_only_fields = fields

    def get_person_name(self, entry) -> str:
        return person_name(entry.person)

    def get_department_name(self, entry) -> str | None:
        return entry.department.name if entry.department is not None else None

    def get_case(self, entry) -> int | None:
        return entry.complaint.case_id if entry.complaint is not None else None

    def get_case_number(self, entry) -> str | None:
        return entry.complaint.case.number if entry.complaint is not None else None

    @extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"})
    def get_month(self, entry) -> str:
        return entry.month.strftime("%Y-%m")


class PenaltyEventSerializer(EventSerializer):
    kind = serializers.ChoiceField(  # type: ignore[assignment]
        choices=PenaltyEvent.Kind.choices
    )


class PenaltyEntryDetailSerializer(PenaltyEntrySerializer):
    """One entry with its history (oldest first) and the steps the caller may take now."""

    history = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(PenaltyEntrySerializer.Meta):
        fields = [*PenaltyEntrySerializer.Meta.fields, "actions", "history"]
        read_only_fields = fields

    @extend_schema_field(PenaltyEventSerializer(many=True))
    def get_history(self, entry) -> list[dict]:
        # with many=True .data is a ReturnList (the stubs say ReturnDict)
        return PenaltyEventSerializer(entry_history(entry=entry), many=True).data  # type: ignore[return-value]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(
        choices=ENTRY_ACTIONS)))
    def get_actions(self, entry) -> list[str]:
        request = self.context.get("request")
        return entry_actions_for(entry=entry, user=request.user) if request else []


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)
    version = serializers.IntegerField(min_value=1, required=False,
                                       help_text="The version of the entry the client read.")


class AdjustSerializer(WaiveSerializer):
    amount = YuanField()


class PenaltyFilter(FilterSet):
    person = IdFilter(field_name="person_id")
    department = IdFilter(field_name="department_id")
    complaint = IdFilter(field_name="complaint_id")
    month = MonthFilter(field_name="month")
    rule = django_filters.MultipleChoiceFilter(choices=PenaltyRule.choices)
    state = django_filters.MultipleChoiceFilter(choices=EntryState.choices)

    class Meta:
        model = PenaltyEntry
        fields: list[str] = []


class PenaltyPagination(CursorPagination):
    """Newest first; a cursor, so no COUNT over the whole ledger on each page."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PenaltyEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    filterset_class = PenaltyFilter
    pagination_class = PenaltyPagination
    # The quote writes nothing; waiving and adjusting need the managers' permission (the
    # service checks it again, with the entry's visibility).
    write_permissions = {"quote": None, "waive": "complaints.waive_penaltyentry",
                         "adjust": "complaints.waive_penaltyentry"}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return ledger_rows(penalties_visible_to(user=self.request.user))

    def get_object(self):
        entry = get_entry_for_user(user=self.request.user,
                                   entry_id=int(self.kwargs[self.lookup_field]))
        self.check_object_permissions(self.request, entry)
        return entry

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PenaltyEntryDetailSerializer
        return PenaltyEntrySerializer

    @extend_schema(request=QuoteRequestSerializer, responses=QuoteSerializer)
    @action(detail=False, methods=["post"], pagination_class=None, filterset_class=None)
    def quote(self, request):
        """What a complaint would be charged: the charges by rule and their total, as decimal
        strings, under the rule version in force now (or at `at`) — the code and version the
        ledger uses."""
        data = QuoteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            quote = penalty_quote_at(
                at=values.get("at") or timezone.now(), grade=values["grade"],
                loss_yuan=Decimal(values["loss_yuan"]),
                late_acceptance_days=values["late_acceptance_days"],
                completed_late_without_reason=values["completed_late_without_reason"],
                repeat_by_neglect=values["repeat_by_neglect"],
            )
        except NoRuleSet:
            raise ValidationError({"at": [_("No penalty rules were in force at that time.")]}
                                  ) from None
        return Response(QuoteSerializer(quote).data)

    def _step(self, request, service, serializer_class, **extra):
        entry = self.get_object()  # 404 before the body is looked at
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        service(entry=entry, by=request.user, reason=values["reason"],
                expected_version=values.get("version"),
                **{name: values[name] for name in extra})
        entry = get_entry_for_user(user=request.user, entry_id=entry.pk)
        return Response(PenaltyEntryDetailSerializer(
            entry, context=self.get_serializer_context()).data)

    @extend_schema(request=WaiveSerializer, responses=PenaltyEntryDetailSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        """A manager waives the charge (0 yuan); `reason` is required; `version` the entry's
        version the client read (409 when it moved on)."""
        return self._step(request, entry_waive, WaiveSerializer)

    @extend_schema(request=AdjustSerializer, responses=PenaltyEntryDetailSerializer)
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """A manager sets the amount charged (`amount`, yuan ≥ 0 as text); `reason` is
        required; `version` the entry's version the client read (409 when it moved on)."""
        return self._step(request, entry_adjust, AdjustSerializer, amount=True)


# --- SLA excuses -----------------------------------------------------------------------------


class SlaExcuseSerializer(ModelSerializer):
    timer = serializers.PrimaryKeyRelatedField(queryset=CaseTimer.objects.none(),
                                               help_text="The late clock to excuse.")
    case_number = serializers.CharField(source="case.number", read_only=True)
    timer_kind = serializers.CharField(source="timer.kind", read_only=True)
    timer_due_at = DateTimeField(source="timer.due_at", read_only=True, allow_null=True)
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()
    reason_kind = serializers.ChoiceField(choices=ExcuseReason.choices)
    note = serializers.CharField(allow_blank=True, max_length=2000)

    class Meta:
        model = SlaExcuse
        fields = ["id", "case", "case_number", "timer", "timer_kind", "timer_due_at",
                  "reason_kind", "note", "state", "requested_by", "requested_by_name",
                  "requested_at", "decided_by", "decided_by_name", "decided_at",
                  "decision_note"]
        read_only_fields = ["id", "case", "state", "requested_by", "requested_at",
                            "decided_by", "decided_at", "decision_note"]
        # One live excuse per clock is the service's check (a field error on `timer`) and
        # the database's constraint, not a serializer's guess at it.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["timer"].queryset = cases_scoped(
            user=request.user if request is not None else None,
            queryset=CaseTimer.objects.all(), prefix="case__")
        return fields

    def get_requested_by_name(self, excuse) -> str:
        return person_name(excuse.requested_by)

    def get_decided_by_name(self, excuse) -> str | None:
        return person_name(excuse.decided_by) if excuse.decided_by_id else None

    def create(self, validated_data):
        return excuse_request(by=self.context["request"].user, **validated_data)


class ExcuseDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=2000)


class SlaExcuseFilter(FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ExcuseState.choices)
    case = IdFilter(field_name="case_id")
    timer = IdFilter(field_name="timer_id")

    class Meta:
        model = SlaExcuse
        fields: list[str] = []


class SlaExcuseViewSet(mixins.CreateModelMixin, mixins.ListModelMixin,
                       mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SlaExcuseSerializer
    filterset_class = SlaExcuseFilter
    # A supervisor asks (add_slaexcuse), management decides (change_slaexcuse); the
    # services check the role, the case's visibility and that nobody decides their own.
    write_permissions = {"create": "complaints.add_slaexcuse",
                         "*": "complaints.change_slaexcuse"}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return excuse_rows(excuses_visible_to(user=self.request.user))

    def get_object(self):
        excuse = get_excuse_for_user(user=self.request.user,
                                     excuse_id=int(self.kwargs[self.lookup_field]))
        self.check_object_permissions(self.request, excuse)
        return excuse

    def _decide(self, request, *, approve: bool):
        excuse = self.get_object()
        data = ExcuseDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        excuse_decide(excuse=excuse, by=request.user, approve=approve,
                      note=data.validated_data["note"])
        excuse = get_excuse_for_user(user=request.user, excuse_id=excuse.pk)
        return Response(SlaExcuseSerializer(excuse, context=self.get_serializer_context()).data)

    @extend_schema(request=ExcuseDecisionSerializer, responses=SlaExcuseSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """A manager approves the excuse: the clock's charges become excused."""
        return self._decide(request, approve=True)

    @extend_schema(request=ExcuseDecisionSerializer, responses=SlaExcuseSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """A manager rejects the excuse; `note` says why (required)."""
        return self._decide(request, approve=False)
