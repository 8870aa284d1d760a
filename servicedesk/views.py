"""Pages of the shared kernel. Views only translate: check access, call a selector or a
service, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from servicedesk.forms import DeadlineForm
from servicedesk.notification_selectors import LIST_LIMIT, notifications_of, unread_count
from servicedesk.notification_services import notifications_mark_read
from servicedesk.selectors import (
    business_calendars_with_periods,
    org_overview,
    staff_profile_of,
    system_health,
)
from servicedesk.types import AuthenticatedHttpRequest


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "servicedesk/home.html", {"profile": staff_profile_of(request.user)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make run`: no login needed, and to anybody but staff who
    may see the system's health only `{"status": "ok"}` or `{"status": "degraded"}` (503);
    the checks, versions and errors behind it are for that staff."""
    health = system_health(now=timezone.now())
    state = {"status": "ok" if health["ok"] else "degraded"}
    body = ({**state, **health} if request.user.has_perm("servicedesk.view_system_health")
            else state)
    return JsonResponse(
        body, status=200 if health["ok"] else 503, json_dumps_params={"ensure_ascii": False}
    )


@login_required
@permission_required("servicedesk.view_system_health", raise_exception=True)
@never_cache
@require_GET
def health_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    health = system_health(now=now)
    template = "servicedesk/_health_panel.html" if request.htmx else "servicedesk/health.html"
    return render(request, template, {"health": health, "checked_at": now},
                  status=200 if health["ok"] else 503)


@login_required
@permission_required("servicedesk.view_department", raise_exception=True)
@require_GET
def org_page(request: HttpRequest) -> HttpResponse:
    return render(request, "servicedesk/org.html", {"departments": org_overview()})


@login_required
@permission_required("servicedesk.view_businesscalendar", raise_exception=True)
@require_http_methods(["GET", "POST"])
def calendars_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    result = None
    if request.method == "POST":
        form = DeadlineForm(request.POST)
        if form.is_valid():
            result = form.compute()
    else:
        form = DeadlineForm()
    context: dict[str, object] = {"form": form, "result": result}
    if request.htmx:
        return render(request, "servicedesk/_deadline_result.html", context)
    context["calendars"] = business_calendars_with_periods()
    return render(request, "servicedesk/calendars.html", context)


@login_required
@require_GET
def notifications_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    items = notifications_of(user=request.user, unread_only=unread_only)[:LIST_LIMIT]
    return render(request, "servicedesk/notifications.html", {
        "items": items, "unread_only": unread_only,
        "unread": unread_count(user=request.user),
    })


@login_required
@never_cache
@require_GET
def notifications_count(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bell's badge (fetched by htmx, so pages themselves pay no query for it)."""
    return render(request, "servicedesk/_notice_count.html",
                  {"unread": unread_count(user=request.user)})


@login_required
@require_POST
def notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()] or None
    notifications_mark_read(user=request.user, ids=ids)
    return redirect("notifications")
