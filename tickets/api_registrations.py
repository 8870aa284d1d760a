"""Customer registrations API (`/api/v1/registrations/`): list, retrieve and file. Scoped
like cases; filing goes through `registration_file` (completeness, no earlier record, first
filing wins, cutoff); phone and ID number are masked without the personal-data permission;
a retried POST with the same Idempotency-Key files once."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import mixins, permissions, serializers, viewsets

from servicedesk.api.errors import drf_validation_error
from servicedesk.api.fields import AwareDateTimeField
from servicedesk.api.idempotency import IdempotentCreateMixin
from servicedesk.api.permissions import WriteNeedsPermission
from tickets.api_filters import phone_filter
from tickets.masking import can_see_personal_data, mask_id_number, mask_phone
from tickets.models import CustomerRegistration
from tickets.registration_selectors import registration_state, registrations_visible_to
from tickets.registration_services import registration_file


class RegistrationSerializer(serializers.ModelSerializer):
    expected_visit_at = AwareDateTimeField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = CustomerRegistration
        fields = ["id", "name", "phone", "id_number", "expected_visit_at", "is_relative",
                  "status", "state", "filed_by", "department", "filed_at", "protected_until",
                  "approved_by", "approved_at", "converted_at"]
        read_only_fields = ["id", "status", "state", "filed_by", "department", "filed_at",
                            "protected_until", "approved_by", "approved_at", "converted_at"]

    def get_state(self, registration) -> str:
        """The status as of now (a lapsed protection shows as expired before the sweep)."""
        return registration_state(registration, timezone.now())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not can_see_personal_data(request.user):
            data["phone"] = mask_phone(instance.phone)
            data["id_number"] = mask_id_number(instance.id_number)
        return data

    def create(self, validated_data):
        try:
            return registration_file(by=self.context["request"].user, **validated_data)
        except DjangoValidationError as exc:
            raise drf_validation_error(exc) from exc


class RegistrationFilter(django_filters.FilterSet):
    phone = django_filters.CharFilter(method=phone_filter("phone"))
    filed_after = django_filters.IsoDateTimeFilter(field_name="filed_at", lookup_expr="gte")
    filed_before = django_filters.IsoDateTimeFilter(field_name="filed_at", lookup_expr="lt")

    class Meta:
        model = CustomerRegistration
        fields = ["status", "is_relative", "filed_by", "department"]


class RegistrationViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    permission_classes = [permissions.IsAuthenticated, WriteNeedsPermission]
    write_permission = "tickets.add_customerregistration"

    def get_queryset(self):
        return registrations_visible_to(user=self.request.user).order_by("-filed_at", "-id")
