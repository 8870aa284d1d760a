"""A list's FilterSet applied to a query string, shared by pages and API exports."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.exceptions import ValidationError as DRFValidationError


def filterset_apply(filterset_class, request: HttpRequest, queryset):
    """The queryset filtered by the query string, or None when a filter is invalid."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        return None, filterset
    try:
        return filterset.qs, filterset
    except DRFValidationError:  # a phone filter that is no phone number
        return None, filterset
