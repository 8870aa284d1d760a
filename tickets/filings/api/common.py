"""Pieces shared by the feedback and delay filing APIs: the customer as the caller may see
it (phone masked without the personal-data permission) and event rows."""

from __future__ import annotations

from rest_framework import serializers

from servicedesk.presenters import can_see_personal_data, mask_phone


def actor_label(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "staff_profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return user.get_full_name() or user.get_username()


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


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.IntegerField(source="actor_id")
    actor_name = serializers.SerializerMethodField()
    kind = serializers.CharField()

    def get_actor_name(self, event) -> str:
        return actor_label(event.actor)
