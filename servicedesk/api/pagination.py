"""Pagination shared by the API's lists.

`page_size`, where a list takes it, is a whole number from 1 to the list's
`max_page_size`; anything else is a 400 on the parameter (DRF's own pagination quietly
falls back to its default for `page_size=abc` or `0`, and caps a larger one), and the
schema states the range."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class CursorPagination(pagination.CursorPagination):
    def get_page_size(self, request):
        text = request.query_params.get(self.page_size_query_param or "")
        if text is None:
            return self.page_size
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [
                _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}]})
        return int(text)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1,
                                       "maximum": self.max_page_size}
        return parameters
