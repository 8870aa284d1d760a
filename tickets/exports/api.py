"""`GET /api/v1/<list>/export/?format=csv|xlsx`: the list's rows as a file, with the list's
filters and scope (tickets.exports.datasets says who may export and what is masked)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer

from servicedesk.models import ExportLog
from tickets.exports.datasets import ExportDataset, can_export, tickets_export

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_format(value: str | None) -> str:
    """The requested format (CSV unless asked otherwise); a 400 for an unknown one."""
    fmt = value or ExportLog.Format.CSV
    if fmt not in ExportLog.Format.values:
        raise ValidationError({"format": [_("Choose csv or xlsx.")]})
    return fmt


def export_filters(query) -> dict:
    """The query's filters as the export log records them (`format` is not a filter)."""
    return {
        key: values[0] if len(values) == 1 else values
        for key, values in query.lists()
        if key != "format"
    }


class ExportActionMixin:
    # Adds the `export` list action to a viewset: its `get_queryset` (the scope) and its
    # `filterset_class` (the filters) decide the rows, exactly as for the list. (A comment:
    # the schema would take a docstring as the description of every operation.)

    export_dataset: ExportDataset

    def perform_content_negotiation(self, request, force=False):
        # `?format=` names the file format here, not a DRF renderer; errors answer in JSON.
        # The route, not the action: a method the route does not take (no action) must
        # answer 405, not DRF's 404 for a `format` no renderer has.
        if "export" in (getattr(self, "action_map", None) or {}).values():
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force=force)

    @extend_schema(
        filters=True,  # the list's filters: the same FilterSet decides the rows
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=ExportLog.Format.values, required=False,
                description="csv (UTF-8 with BOM, the default) or xlsx",
            )
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV file"),
            (200, XLSX_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY,
                                                    description="Excel file"),
            (403, "application/json"): OpenApiResponse(description="may not export"),
        },
    )
    @action(detail=False, methods=["get"], url_path="export", pagination_class=None)
    def export(self, request):
        """Download the filtered list as CSV or Excel. Phone and ID numbers are masked
        unless the caller may see personal data; the export is recorded."""
        if not can_export(user=request.user, dataset=self.export_dataset):
            raise PermissionDenied
        fmt = export_format(request.query_params.get("format"))
        queryset = self.filter_queryset(self.get_queryset())
        return tickets_export(
            dataset=self.export_dataset,
            queryset=queryset,
            user=request.user,
            fmt=fmt,
            channel=ExportLog.Channel.API,
            filters=export_filters(request.query_params),
        )
