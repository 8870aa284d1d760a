"""Pieces shared by the feedback and delay filing APIs: the customer as the caller may see
it (phone masked without the personal-data permission)."""

from __future__ import annotations

from rest_framework import serializers

from servicedesk.presenters import phone_for


class CustomerFieldsMixin(serializers.Serializer):
    """Read-only customer code, name and phone (masked unless the caller may see it)."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_phone = serializers.SerializerMethodField()

    def get_customer_phone(self, filing) -> str:
        request = self.context.get("request")
        return phone_for(request.user if request is not None else None, filing.customer.phone)
