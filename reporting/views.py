"""Pages of the reporting app. Views only translate: check access, parse the filters, call
a selector, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reporting.forms import SlaFigureForm, SlaFilterForm
from reporting.sla_selectors import (
    STATE_COLUMNS,
    sla_dashboard,
    sla_dashboard_refresh_seconds,
    sla_figure_cases,
)
from servicedesk.types import AuthenticatedHttpRequest

CASES_PER_PAGE = 50


@login_required
@permission_required("reporting.view_sla_dashboard", raise_exception=True)
@never_cache
@require_GET
def sla_dashboard_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live SLA dashboard; an htmx request (its own refresh) gets only the figures."""
    form = SlaFilterForm(request.GET, user=request.user)
    context: dict = {"form": form, "board": None, "cases_url": reverse("reporting:sla-cases"),
                     "state_columns": STATE_COLUMNS}
    if form.is_valid():
        filters = form.filters()
        context["board"] = sla_dashboard(user=request.user, now=timezone.now(),
                                         filters=filters)
        query = urlencode(filters.params())
        context["figures_url"] = reverse("reporting:sla") + (f"?{query}" if query else "")
        context["refresh_seconds"] = sla_dashboard_refresh_seconds()
    status = 200 if form.is_valid() else 400
    if request.htmx and context["board"] is not None:
        return render(request, "reporting/_sla_figures.html", context, status=status)
    return render(request, "reporting/sla_dashboard.html", context, status=status)


@login_required
@permission_required("reporting.view_sla_dashboard", raise_exception=True)
@never_cache
@require_GET
def sla_cases_page(request: HttpRequest) -> HttpResponse:
    """The cases behind one number of the dashboard, soonest due first, paginated."""
    form = SlaFigureForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "reporting/sla_cases.html", {"form": form, "page": None},
                      status=400)
    cases = sla_figure_cases(user=request.user, now=timezone.now(), filters=form.filters(),
                             figure=form.figure())
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({**form.filters().params(), **form.figure().params()})
    return render(request, "reporting/sla_cases.html", {
        "form": form, "page": page, "query": query,
        "dashboard_url": reverse("reporting:sla") + f"?{urlencode(form.filters().params())}",
    })
