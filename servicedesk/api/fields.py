"""Serializer fields shared by the API, and the base ModelSerializer that maps the models'
fields to them."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from servicedesk.presenters import personal_data_for


class DateTimeField(serializers.DateTimeField):
    """An instant written as RFC 3339: Beijing time with its offset (`+08:00`), or UTC
    (`Z`) where Beijing's offset then was no whole minute (local mean time, +08:05:43,
    before 1901), which RFC 3339 cannot write."""

    def to_representation(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            offset = self.enforce_timezone(value).utcoffset()
            if offset is not None and offset % dt.timedelta(minutes=1):
                value = value.astimezone(dt.UTC)
                return value.replace(tzinfo=None).isoformat() + "Z"
        return super().to_representation(value)


class AwareDateTimeField(DateTimeField):
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


class RequestPatternCharField(serializers.CharField):
    # A text field whose request schema states the `pattern` of what its service accepts
    # (`request_pattern`), e.g. a phone number; its answers need not match it (a masked
    # phone number does not). The service still decides: the pattern only says it.

    def __init__(self, *, request_pattern: str, **kwargs):
        self.request_pattern = request_pattern
        super().__init__(**kwargs)


class RequestPatternCharFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RequestPatternCharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction,
                                                   bypass_extensions=True)
        if direction == "request":
            schema["pattern"] = self.target.request_pattern
        return schema


class ModelSerializer(serializers.ModelSerializer):
    # The API's ModelSerializer: a model's date-time field is a kernel `DateTimeField`
    # (RFC 3339 out), a read-only choice field whose model field may be blank says so (its
    # schema enum lists `""`, as the answers do), and `Meta.request_patterns` (field name →
    # regular expression) states in the request schema what a text field's service accepts.
    # (A comment, not a docstring: the schema would take it as each serializer's
    # description.)

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        pattern = getattr(self.Meta, "request_patterns", {}).get(field_name)
        if pattern is not None:
            field_class = RequestPatternCharField
            kwargs["request_pattern"] = pattern
        return field_class, kwargs

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        # DRF drops `allow_blank` from a field made read-only by `read_only_fields`
        blank_choice = "choices" in kwargs and kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank_choice and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


class StrictBooleanField(serializers.BooleanField):
    """A JSON `true` or `false` only, as the schema says (DRF's BooleanField also takes 1,
    0, "yes", "on", …, which a client writing to the schema must not rely on)."""

    default_error_messages = {"invalid": _("Give true or false.")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid")
