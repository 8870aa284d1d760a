"""Lists as files in the browser. Who may
export and what is masked: tickets.exports.datasets; the filters are the API's FilterSets, so a page
link and an API call with the same parameters give the same rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from servicedesk.api.filtering import filterset_apply
from servicedesk.models import ExportLog
from servicedesk.types import AuthenticatedHttpRequest
from tickets.cases.api import CaseFilter
from tickets.contacts.api import ContactFilter
from tickets.customers.api import CustomerFilter
from tickets.exports.api import export_filters
from tickets.exports.datasets import (
    CASES,
    CONTACTS,
    CUSTOMERS,
    DATASETS,
    can_export,
    tickets_export,
)

_FILTERS = {CUSTOMERS.name: CustomerFilter, CASES.name: CaseFilter, CONTACTS.name: ContactFilter}


@login_required
@require_GET
def export_download(request: AuthenticatedHttpRequest, dataset: str) -> HttpResponseBase:
    chosen = DATASETS.get(dataset)
    if chosen is None:
        raise Http404
    if not can_export(user=request.user, dataset=chosen):
        raise PermissionDenied
    fmt = request.GET.get("format") or ExportLog.Format.CSV
    if fmt not in ExportLog.Format.values:
        return HttpResponseBadRequest("format: csv or xlsx")
    queryset, filterset = filterset_apply(
        _FILTERS[chosen.name], request, chosen.visible_to(user=request.user)
    )
    if queryset is None:  # before the file starts: a 400 naming each refused parameter
        return HttpResponseBadRequest(
            "\n".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            or "invalid filter",
            content_type="text/plain; charset=utf-8",
        )
    return tickets_export(
        dataset=chosen, queryset=queryset, user=request.user, fmt=fmt,
        channel=ExportLog.Channel.PAGE, filters=export_filters(request.GET),
    )


@login_required
@require_GET
def exports_page(request: HttpRequest) -> HttpResponse:
    """One form per list the user may export: a time range, then CSV or Excel."""
    forms = [
        {"dataset": d, "from_param": f"{prefix}_after", "from_label": from_label,
         "before_param": f"{prefix}_before", "before_label": before_label}
        for d in DATASETS.values() if can_export(user=request.user, dataset=d)
        for prefix, from_label, before_label in [_EXPORT_RANGES[d.name]]
    ]
    if not forms:
        raise PermissionDenied
    return render(request, "tickets/exports.html", {"forms": forms})


# The time range each export page form offers (the list filters' names and labels).
_EXPORT_RANGES = {
    "customers": ("created", _("Created from"), _("Created before")),
    "cases": ("opened", _("Opened from"), _("Opened before")),
    "contacts": ("queued", _("Queued from"), _("Queued before")),
}
