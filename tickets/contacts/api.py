"""Contacts API (`/api/v1/contacts/`): list, retrieve and log calls and sessions. Scoped by
`contacts_visible_to`; logging goes through `contact_log`; a retried POST with the same
Idempotency-Key logs one contact."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from servicedesk.api.fields import AwareDateTimeField, ModelSerializer
from servicedesk.api.filtering import FilterSet, InstantFilter
from servicedesk.api.idempotency import IdempotentCreateMixin
from tickets.cases.models import Case, CaseCategory
from tickets.cases.selectors import cases_visible_to
from tickets.contacts.models import Contact
from tickets.contacts.selectors import contacts_visible_to
from tickets.contacts.services import contact_log
from tickets.customers.filters import PhoneFilter
from tickets.customers.models import Customer
from tickets.customers.selectors import customers_visible_to
from tickets.exports.api import ExportActionMixin
from tickets.exports.datasets import CONTACTS


class ContactSerializer(ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(),
        required=False, allow_null=True,
    )
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(),
        required=False, allow_null=True,
    )
    category = serializers.PrimaryKeyRelatedField(
        queryset=CaseCategory.objects.filter(active=True), required=False, allow_null=True
    )
    queued_at = AwareDateTimeField()
    answered_at = AwareDateTimeField(required=False, allow_null=True)
    ended_at = AwareDateTimeField(required=False, allow_null=True)

    class Meta:
        model = Contact
        fields = ["id", "channel", "customer", "agent", "department", "case", "category",
                  "queued_at", "answered_at", "ended_at", "answered", "first_response_seconds",
                  "transferred", "summary", "created_at"]
        read_only_fields = ["id", "agent", "department", "answered", "first_response_seconds",
                            "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # only what the caller may see can be referenced
            self.fields["customer"].queryset = customers_visible_to(user=request.user)
            self.fields["case"].queryset = cases_visible_to(user=request.user)

    def create(self, validated_data):
        return contact_log(agent=self.context["request"].user, **validated_data)


class ContactFilter(FilterSet):
    queued_after = InstantFilter(field_name="queued_at", lookup_expr="gte")
    queued_before = InstantFilter(field_name="queued_at", lookup_expr="lt")
    customer_phone = PhoneFilter("customer__phone")

    class Meta:
        model = Contact
        fields = ["channel", "agent", "customer", "case", "category", "answered", "department"]


class ContactViewSet(
    ExportActionMixin,
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    export_dataset = CONTACTS
    # Reading is scoped by the queryset; logging needs the role's add_contact.
    write_permissions = {"create": "tickets.add_contact"}

    def get_queryset(self):
        return contacts_visible_to(user=self.request.user).order_by("-queued_at", "-id")
