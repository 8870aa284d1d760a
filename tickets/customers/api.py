"""Customers API (`/api/v1/customers/`). Phone and ID number are masked for callers
without the personal-data permission; creation goes through `customer_create`."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, viewsets

from servicedesk.api.fields import ModelSerializer, PersonalDataMixin
from servicedesk.api.filtering import FilterSet, InstantFilter
from servicedesk.api.idempotency import IdempotentCreateMixin
from tickets.customers.filters import PhoneFilter
from tickets.customers.models import Customer
from tickets.customers.selectors import customers_visible_to
from tickets.customers.services import customer_create, customer_update
from tickets.customers.validators import ID_NUMBER_PATTERN, PHONE_PATTERN
from tickets.exports.api import ExportActionMixin
from tickets.exports.datasets import CUSTOMERS


class CustomerSerializer(PersonalDataMixin, ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "code", "name", "phone", "id_number", "company", "notes",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "code", "created_at", "updated_at"]
        extra_kwargs = {"id_number": {"required": False}, "company": {"required": False},
                        "notes": {"required": False}}
        request_patterns = {"phone": PHONE_PATTERN,
                            "id_number": ID_NUMBER_PATTERN}  # or "" (allow_blank)

    def create(self, validated_data):
        return customer_create(by=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        return customer_update(customer=instance, by=self.context["request"].user,
                               **validated_data)


class CustomerFilter(FilterSet):
    phone = PhoneFilter("phone", label="phone")
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Customer
        fields = ["code", "company"]


class CustomerViewSet(
    ExportActionMixin,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    export_dataset = CUSTOMERS
    # As on the pages: registering a customer needs add_customer, correcting one
    # change_customer (servicedesk.api.permissions.WriteNeedsPermission).
    write_permissions = {"create": "tickets.add_customer", "*": "tickets.change_customer"}

    def get_queryset(self):
        return customers_visible_to(user=self.request.user).order_by("-id")
