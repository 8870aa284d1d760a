"""Feedback filings API (`/api/v1/feedback-filings/`): list, retrieve (with the timeline),
file (opens the case; Idempotency-Key honoured), hand over, follow up, close, and the
statistics of a period. Scoped like cases; rules in `tickets.filings.services`."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servicedesk.api.events import EventSerializer
from servicedesk.api.fields import AwareDateTimeField, DateTimeField, ModelSerializer
from servicedesk.api.filtering import FilterSet, IdFilter, InstantFilter
from servicedesk.api.idempotency import IdempotentCreateMixin
from tickets.cases.models import CaseCategory
from tickets.customers.filters import PhoneFilter
from tickets.customers.selectors import customers_visible_to
from tickets.filings.api.common import CustomerFieldsMixin
from tickets.filings.models import FeedbackFiling
from tickets.filings.selectors import (
    feedback_filings_visible_to,
    feedback_statistics,
    feedback_timeline,
    get_feedback_for_user,
)
from tickets.filings.services import (
    feedback_close,
    feedback_file,
    feedback_follow_up,
    feedback_hand_over,
)

# The feedback timeline's rows keep the fields they had before the event tables shared one
# shape: the status moved (now in `data`) and the note (now `reason`).
FEEDBACK_EVENT_ALIASES = {"from_status": "data.from", "to_status": "data.to", "note": "reason"}


class FeedbackFilingSerializer(CustomerFieldsMixin, ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=customers_visible_to(user=None))
    category = serializers.PrimaryKeyRelatedField(queryset=CaseCategory.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = FeedbackFiling
        fields = ["id", "customer", "customer_code", "customer_name", "customer_phone", "kind",
                  "category", "category_name", "description", "status", "handler",
                  "department", "filed_by", "filed_at", "closed_at", "case", "case_number",
                  "version"]
        read_only_fields = ["id", "status", "handler", "department", "filed_by", "filed_at",
                            "closed_at", "case", "version"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        fields["customer"].queryset = customers_visible_to(
            user=request.user if request is not None else None)
        return fields

    def create(self, validated_data):
        return feedback_file(by=self.context["request"].user, **validated_data)


class FeedbackFilingDetailSerializer(FeedbackFilingSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(FeedbackFilingSerializer.Meta):
        fields = [*FeedbackFilingSerializer.Meta.fields, "timeline"]

    def get_timeline(self, filing) -> list[dict]:
        # with many=True .data is a ReturnList (the stubs say ReturnDict)
        return EventSerializer(feedback_timeline(filing=filing), many=True,
                               aliases=FEEDBACK_EVENT_ALIASES).data  # type: ignore[return-value]


class HandOverSerializer(serializers.Serializer):
    handler = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True, staff_profile__isnull=False)
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class CategoryCountSerializer(serializers.Serializer):
    category = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class FeedbackStatisticsSerializer(serializers.Serializer):
    start = DateTimeField()
    end = DateTimeField()
    total = serializers.IntegerField()
    by_kind = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_category = CategoryCountSerializer(many=True)


class StatisticsQuerySerializer(serializers.Serializer):
    start = AwareDateTimeField(required=False)
    end = AwareDateTimeField(required=False)

    def validate(self, attrs):
        end = attrs.get("end") or timezone.now()
        start = attrs.get("start") or end - dt.timedelta(days=30)
        if start >= end:
            raise serializers.ValidationError({"end": [_("The end must come after the start.")]})
        return {"start": start, "end": end}


class FeedbackFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=FeedbackFiling.Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=FeedbackFiling.Kind.choices)
    category = IdFilter(field_name="category_id")
    department = IdFilter(field_name="department_id")
    handler = IdFilter(field_name="handler_id")
    customer = IdFilter(field_name="customer_id")
    filed_after = InstantFilter(field_name="filed_at", lookup_expr="gte")
    filed_before = InstantFilter(field_name="filed_at", lookup_expr="lt")
    customer_phone = PhoneFilter("customer__phone")

    class Meta:
        model = FeedbackFiling
        fields: list[str] = []


class FeedbackFilingViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = FeedbackFilter
    write_permissions = {"create": "tickets.add_feedbackfiling",
                         "*": "tickets.change_feedbackfiling"}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return feedback_filings_visible_to(user=self.request.user).order_by("-filed_at", "-id")

    def get_object(self):
        filing = get_feedback_for_user(
            user=self.request.user, filing_id=int(self.kwargs[self.lookup_field]),
            write=self.request.method not in permissions.SAFE_METHODS,
        )
        self.check_object_permissions(self.request, filing)
        return filing

    def get_serializer_class(self):
        if self.action in ("retrieve", "create"):
            return FeedbackFilingDetailSerializer
        return FeedbackFilingSerializer

    def _step(self, request, service, input_serializer):
        filing = self.get_object()
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        filing = service(filing=filing, by=request.user, **data.validated_data)
        filing = get_feedback_for_user(user=request.user, filing_id=filing.pk)
        return Response(FeedbackFilingDetailSerializer(
            filing, context=self.get_serializer_context()).data)

    @extend_schema(request=HandOverSerializer, responses=FeedbackFilingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        """Hand the filing to a handler (until it is closed)."""
        return self._step(request, feedback_hand_over, HandOverSerializer)

    @extend_schema(request=NoteSerializer, responses=FeedbackFilingDetailSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """Record a follow-up (`note` required) of a handed-over filing."""
        return self._step(request, feedback_follow_up, NoteSerializer)

    @extend_schema(request=NoteSerializer, responses=FeedbackFilingDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a followed-up filing with its outcome (`note` required)."""
        return self._step(request, feedback_close, NoteSerializer)

    @extend_schema(
        parameters=[OpenApiParameter("start", dt.datetime), OpenApiParameter("end", dt.datetime)],
        responses=FeedbackStatisticsSerializer,
    )
    @action(detail=False, methods=["get"])
    def statistics(self, request):
        """Counts per kind, category and status of the filings filed in [start, end)
        (default: the last 30 days), within the caller's scope and the list filters."""
        period = StatisticsQuerySerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        queryset = self.filter_queryset(self.get_queryset())
        stats = feedback_statistics(queryset=queryset, **period.validated_data)
        return Response(FeedbackStatisticsSerializer(stats).data)
