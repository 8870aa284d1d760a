"""Serializer fields shared by the API."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


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
