"""Serializer fields shared by the API."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from servicedesk.presenters import personal_data_for


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO-8601 instant that must carry its offset (2026-11-23T09:00:00+08:00): a
    timestamp without one is ambiguous between systems and is refused, not guessed."""

    default_error_messages = {
        "naive": _("Give the time with its offset, e.g. 2026-11-23T09:00:00+08:00."),
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


class PersonalDataMixin:
    # For serializers with a `phone` and/or `id_number` field: shown in full to a caller
    # who may see personal data, masked to anyone else (`servicedesk.presenters`). A
    # comment, not a docstring: the schema would take it as each serializer's description.

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        shown = personal_data_for(request.user if request is not None else None)
        if "phone" in data:
            data["phone"] = shown.phone(data["phone"])
        if "id_number" in data:
            data["id_number"] = shown.id_number(data["id_number"])
        return data
