"""Pieces shared by the feedback and delay filing APIs: the customer as the caller may see
it (phone masked without the personal-data permission), service errors."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from servicedesk.api.errors import drf_validation_error
from servicedesk.presenters import can_see_personal_data, mask_phone


def run_service(service, **kwargs):
    """Call a service; its Django ValidationError becomes a DRF 400 with field keys (a
    Django PermissionDenied becomes DRF's 403 on its own)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise drf_validation_error(exc) from exc


class CustomerFieldsMixin(serializers.Serializer):
    """Read-only customer code, name and phone (masked unless the caller may see it)."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_phone = serializers.SerializerMethodField()

    def get_customer_phone(self, filing) -> str:
        request = self.context.get("request")
        phone = filing.customer.phone
        if request is not None and can_see_personal_data(request.user):
            return phone
        return mask_phone(phone)
