"""Delay filings API (`/api/v1/delay-filings/`): list (filters: status, reason, dates,
overdue), retrieve (timeline and notice attempts), file (Idempotency-Key honoured), and the
steps review, approve, notify, deliver, compensate. Scoped like cases; review and approval
are decided by role in the service (403 for the wrong role); rules in
`tickets.filings.services`."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servicedesk.api.events import EventSerializer
from servicedesk.api.fields import DateTimeField, ModelSerializer
from servicedesk.api.filtering import BooleanFilter, FilterSet, IdFilter, InstantFilter
from servicedesk.api.idempotency import IdempotentCreateMixin
from tickets.customers.filters import PhoneFilter
from tickets.customers.selectors import customers_visible_to
from tickets.filings.api.common import CustomerFieldsMixin
from tickets.filings.models import DelayFiling, DelayNotice
from tickets.filings.selectors import (
    delay_filings_visible_to,
    delay_is_overdue,
    delay_timeline,
    get_delay_for_user,
    with_overdue,
)
from tickets.filings.services import (
    delay_approve,
    delay_compensate,
    delay_deliver,
    delay_file,
    delay_notify,
    delay_review,
)


class NoticeAttemptSerializer(serializers.Serializer):
    at = DateTimeField()
    channel = serializers.CharField()
    reference = serializers.CharField()
    sent = serializers.BooleanField()
    error = serializers.CharField()


class DelayNoticeSerializer(ModelSerializer):
    attempts = NoticeAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = DelayNotice
        fields = ["status", "created_at", "sent_at", "attempts"]


def _notice(filing) -> DelayNotice | None:
    try:
        return filing.notice
    except ObjectDoesNotExist:
        return None


class DelayFilingSerializer(CustomerFieldsMixin, ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=customers_visible_to(user=None))
    is_overdue = serializers.SerializerMethodField()
    notice_status = serializers.SerializerMethodField()

    class Meta:
        model = DelayFiling
        fields = ["id", "customer", "customer_code", "customer_name", "customer_phone",
                  "order_reference", "original_ship_date", "new_promised_date", "reason",
                  "reason_detail", "status", "is_overdue", "notice_status", "filed_by",
                  "department", "filed_at", "reviewed_by", "reviewed_at", "approved_by",
                  "approved_at", "rejection_reason", "delivered_on", "compensation_kind",
                  "compensation_amount", "compensation_note", "version"]
        read_only_fields = ["id", "status", "filed_by", "department", "filed_at",
                            "reviewed_by", "reviewed_at", "approved_by", "approved_at",
                            "rejection_reason", "delivered_on", "compensation_kind",
                            "compensation_amount", "compensation_note", "version"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["customer"].queryset = customers_visible_to(
            user=request.user if request is not None else None)
        return fields

    def get_is_overdue(self, filing) -> bool:
        """Approved but not delivered, and the new promised date has passed."""
        return delay_is_overdue(filing, today=timezone.localdate())

    def get_notice_status(self, filing) -> str | None:
        notice = _notice(filing)
        return notice.status if notice is not None else None

    def create(self, validated_data):
        return delay_file(by=self.context["request"].user, **validated_data)


class DelayFilingDetailSerializer(DelayFilingSerializer):
    timeline = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()

    class Meta(DelayFilingSerializer.Meta):
        fields = [*DelayFilingSerializer.Meta.fields, "notice", "timeline"]

    def get_timeline(self, filing) -> list[dict]:
        # with many=True .data is a ReturnList (the stubs say ReturnDict)
        return EventSerializer(delay_timeline(filing=filing), many=True).data  # type: ignore[return-value]

    @extend_schema_field(DelayNoticeSerializer(allow_null=True))
    def get_notice(self, filing):
        notice = DelayNotice.objects.filter(filing=filing).prefetch_related("attempts").first()
        return DelayNoticeSerializer(notice).data if notice is not None else None


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DeliverSerializer(serializers.Serializer):
    delivered_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AmountField(serializers.RegexField):
    """Yuan with at most two decimals, written as text ("20.00"): a JSON number (a float)
    is refused, as money never travels as one; that it is above zero is the service's
    rule."""

    def __init__(self, **kwargs):
        super().__init__(r"^\d{1,8}(?:\.\d{1,2})?$", max_length=11, trim_whitespace=False,
                         **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CompensateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DelayFiling.CompensationKind.choices)
    amount = AmountField(help_text="Yuan, e.g. 20.00.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DelayFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=DelayFiling.Status.choices)
    reason = django_filters.MultipleChoiceFilter(choices=DelayFiling.Reason.choices)
    department = IdFilter(field_name="department_id")
    customer = IdFilter(field_name="customer_id")
    filed_after = InstantFilter(field_name="filed_at", lookup_expr="gte")
    filed_before = InstantFilter(field_name="filed_at", lookup_expr="lt")
    new_date_from = django_filters.DateFilter(field_name="new_promised_date",
                                              lookup_expr="gte")
    new_date_to = django_filters.DateFilter(field_name="new_promised_date", lookup_expr="lte")
    overdue = BooleanFilter(field_name="is_overdue")
    customer_phone = PhoneFilter("customer__phone")

    class Meta:
        model = DelayFiling
        fields: list[str] = []


def _decide(service):
    def run(*, filing, by, decision, reason):
        return service(filing=filing, by=by, approve=decision == "approve", reason=reason)
    return run


class DelayFilingViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = DelayFilter
    # Filing needs add_delayfiling; notify, deliver and compensate change_delayfiling;
    # review and approval are decided by role in the service.
    write_permissions = {"create": "tickets.add_delayfiling", "review": None,
                         "approve": None, "*": "tickets.change_delayfiling"}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return with_overdue(
            delay_filings_visible_to(user=self.request.user).select_related("notice"),
            today=timezone.localdate(),
        ).order_by("-filed_at", "-id")

    def get_object(self):
        filing = get_delay_for_user(
            user=self.request.user, filing_id=int(self.kwargs[self.lookup_field]),
            write=self.action not in ("retrieve", "review", "approve"),
        )
        self.check_object_permissions(self.request, filing)
        return filing

    def get_serializer_class(self):
        if self.action in ("retrieve", "create"):
            return DelayFilingDetailSerializer
        return DelayFilingSerializer

    def _step(self, request, service, input_serializer=None):
        filing = self.get_object()
        values = {}
        if input_serializer is not None:
            data = input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
        service(filing=filing, by=request.user, **values)
        filing = get_delay_for_user(user=request.user, filing_id=filing.pk)
        return Response(DelayFilingDetailSerializer(
            filing, context=self.get_serializer_context()).data)

    @extend_schema(request=DecisionSerializer, responses=DelayFilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The department's review (a supervisor or manager of its department): `decision`
        approve or reject (`reason` needed to reject)."""
        return self._step(request, _decide(delay_review), DecisionSerializer)

    @extend_schema(request=DecisionSerializer, responses=DelayFilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Leadership's decision (the general manager) on a reviewed delay."""
        return self._step(request, _decide(delay_approve), DecisionSerializer)

    @extend_schema(request=None, responses=DelayFilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """Send the customer notice (reason and new date), or retry a failed one. A failed
        send is recorded and answered 200 with `notice.status` "failed"; a notice already
        sent or being sent is a 400 on `notice`."""
        return self._step(request, delay_notify)

    @extend_schema(request=DeliverSerializer, responses=DelayFilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        """Mark an approved delay delivered on `delivered_on`."""
        return self._step(request, delay_deliver, DeliverSerializer)

    @extend_schema(request=CompensateSerializer, responses=DelayFilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def compensate(self, request, pk=None):
        """Record the compensation (coupon or discount, `amount` in yuan), once."""
        return self._step(request, delay_compensate, CompensateSerializer)
