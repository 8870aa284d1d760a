"""The lists' filters: one filter type per kind of value for every FilterSet (the API's
lists, their exports, and the pages and downloads that share those FilterSets), and a
FilterSet applied to a query string outside DRF.

`IdFilter` is the filter on a related record's id (an integer from 1; an id nobody has
matches no rows, as any filter value may), `BooleanFilter` the yes/no filter (`true` or
`false` in the API; django-filter's own reads anything else, `null` say, as "no filter").

`InstantFilter` is the only date-time filter. In the API it reads an RFC 3339 instant with
its offset (`2026-11-23T09:00:00+08:00`; a time without one is refused, as on every API
write); the pages' `datetime-local` inputs send none, so there (`filterset_apply`) a time
without an offset is Beijing time. The query always gets a UTC instant. An offset beyond
what any place on earth uses (−12:00 … +14:00) and a year outside 0002–9998 (where some
offset would move the instant out of the years 1–9999 Python and the databases store) are
a 400 on the parameter, before any query runs: PostgreSQL refuses offsets beyond ±15:59 (a
500, or an export that broke off after its header) and Python cannot move
`0001-01-01T00:00:00+08:00` to UTC at all. The schema states the same rule
(`INSTANT_PATTERN`, see servicedesk.api.schema).
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError as DRFValidationError

from servicedesk.months import month_parse

_YEAR = r"(?:000[2-9]|00[1-9]\d|0[1-9]\d{2}|[1-8]\d{3}|9[0-8]\d{2}|99[0-8]\d)"  # 0002–9998
_OFFSET = r"(?:Z|\+(?:0\d|1[0-3]):[0-5]\d|\+14:00|-(?:0\d|1[01]):[0-5]\d|-12:00)"
# What the API accepts for an instant parameter (besides `format: date-time`).
INSTANT_PATTERN = rf"^{_YEAR}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d{{1,6}})?{_OFFSET}$"
# What a page may send besides: a `datetime-local` value, Beijing time (seconds optional).
_LOCAL_PATTERN = rf"^{_YEAR}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d{{1,6}})?)?$"
_INSTANT = re.compile(INSTANT_PATTERN)
_LOCAL = re.compile(_LOCAL_PATTERN)


class InstantField(IsoDateTimeField):
    """An RFC 3339 instant as an aware UTC datetime (see the module's docstring);
    `local_times` also takes a time without an offset as Beijing time (the pages)."""

    local_times = False
    default_error_messages = {
        "naive": _("Give the time with its offset, e.g. 2026-11-23T09:00:00+08:00."),
        "range": _("Give a time between the years 0002 and 9998, with an offset between "
                   "-12:00 and +14:00."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _INSTANT.match(text):
            if self.local_times and _LOCAL.match(text):
                pass
            elif _LOCAL.match(text):
                raise ValidationError(self.error_messages["naive"], code="naive")
            elif _parses(text):
                raise ValidationError(self.error_messages["range"], code="range")
            else:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            instant = dt.datetime.fromisoformat(text)
        except ValueError:  # 2026-02-30, 25:00
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if timezone.is_naive(instant):
            instant = timezone.make_aware(instant, timezone.get_current_timezone())
        return instant.astimezone(dt.UTC)


def _parses(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        return False
    return True


@extend_schema_field({
    "type": "string", "format": "date-time", "pattern": INSTANT_PATTERN,
    "description": "RFC 3339 with its offset (-12:00 … +14:00), years 0002–9998.",
})
class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


# The largest id a (big) auto field holds; a larger number is no id (and SQLite cannot
# even compare it).
MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YesNoSelect(forms.NullBooleanSelect):
    """The select of a yes/no filter, handing its field the text as sent (Django's reads
    anything it does not know as "unknown")."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class YesNoField(forms.NullBooleanField):
    """`true` or `false` (the API); with `lenient` (the pages' forms) also what Django's
    NullBooleanField reads (1/0, True/False), anything else being no filter."""

    widget = YesNoSelect
    lenient = False
    default_error_messages = {"invalid": _("Give true or false.")}

    def to_python(self, value):
        if self.lenient:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        text = str(value)
        if text not in ("true", "false"):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return text == "true"

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: a model's date-time field filters as an `InstantFilter`,
    a relation by id as an `IdFilter`, a yes/no field as a `BooleanFilter`.
    `local_times=True` (the pages' forms) takes a time without an offset as Beijing time
    and a yes/no as Django's forms write it."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.DateTimeField: {"filter_class": InstantFilter},
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.BooleanField: {"filter_class": BooleanFilter},
    }

    def __init__(self, *args, local_times: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.local_times = local_times

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            if isinstance(field, InstantField):
                field.local_times = self.local_times
            elif isinstance(field, YesNoField):
                field.lenient = self.local_times
        return form


def filterset_apply(filterset_class, request: HttpRequest, queryset):
    """The queryset filtered by the query string (a page's: a time without an offset is
    Beijing time), or None when a filter is invalid."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request,
                                local_times=True)
    if not filterset.is_valid():
        return None, filterset
    try:
        return filterset.qs, filterset
    except DRFValidationError as exc:  # a phone filter that is no phone number
        detail = exc.detail if isinstance(exc.detail, dict) else {None: exc.detail}
        for name, messages in detail.items():
            filterset.form.add_error(name if name in filterset.form.fields else None,
                                     [str(m) for m in messages])
        return None, filterset


# `servicedesk.months.FIRST_YEAR`–`LAST_YEAR` (2000–9998) as a pattern the schema states.
MONTH_PATTERN = (r"^(2[0-9]{3}|[3-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
                 r"-(0[1-9]|1[0-2])$")


class MonthField(forms.RegexField):
    """`YYYY-MM` (years 2000–9998) as the month's first day."""

    default_error_messages = {"invalid": _("Give a month as YYYY-MM, e.g. 2026-11.")}

    def __init__(self, **kwargs):
        super().__init__(MONTH_PATTERN, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        return month_parse(text)


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "minLength": 7,
                      "maxLength": 7, "example": "2026-11",
                      "description": "A Beijing calendar month, YYYY-MM (2000-01 … 9998-12)."})
class MonthFilter(django_filters.Filter):
    field_class = MonthField
