"""Read-side queries of the shared kernel: navigation and system health."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.calendars import official_coverage_warnings
from servicedesk.celery import app as celery_app
from servicedesk.models import (
    BusinessCalendar,
    Department,
    Heartbeat,
    JobFailure,
    StaffProfile,
    Team,
)
from servicedesk.models.health import HEARTBEAT
from servicedesk.registry import NavEntry, registry
from servicedesk.types import AnyUser


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    area: str = ""


@dataclass(frozen=True)
class NavGroup:
    """One place on the top bar: a single link, or a menu of an area's links."""

    key: str
    label: str
    items: list[NavItem]

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)

    @property
    def is_menu(self) -> bool:
        return bool(self.key) and len(self.items) > 1


# The menus of the top bar, in this order after the bar's own links: the apps file each
# entry under one of them (`registry.nav_entry(..., area=...)`).
NAV_AREAS = {
    "work": _("Case work"),
    "reports": _("Reports"),
    "system": _("System"),
}

# The kernel's own menu entries; every app adds its own through the registry, and the
# menu shows them all by `order` (apps' entries sit between 100 and 899).
_NAVIGATION = [
    NavEntry(_("Workbench"), "home", None, order=0),
    NavEntry(_("Organisation"), "org", "servicedesk.view_department", order=900,
             area="system"),
    NavEntry(_("Business calendars"), "calendars", "servicedesk.view_businesscalendar",
             order=910, area="system"),
    NavEntry(_("System health"), "health", "servicedesk.view_system_health", order=920,
             area="system"),
]


def staff_profile_of(user: AnyUser | None) -> StaffProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        # an AnonymousUser is not authenticated and has returned above
        return user.staff_profile  # type: ignore[union-attr]
    except StaffProfile.DoesNotExist:
        return None


def navigation_for(*, user: AnyUser, path: str = "") -> list[NavItem]:
    """The pages this user's role may open, in menu order. Anonymous users get none."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    for entry in sorted([*_NAVIGATION, *registry.navigation()], key=lambda e: e.order):
        if entry.permission is not None and not user.has_perm(entry.permission):
            continue
        url = reverse(entry.url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label=str(entry.label), url=url, active=active,
                             area=entry.area if entry.area in NAV_AREAS else ""))
    if user.is_staff:
        items.append(NavItem(label=str(_("Administration")), url=reverse("admin:index"),
                             active=path.startswith(reverse("admin:index")), area="system"))
    return items


def navigation_menus(*, user: AnyUser, path: str = "") -> list[NavGroup]:
    """The top bar: the links without an area first (in menu order), then one menu per
    area that holds any link for this user. An area with a single link shows as that link."""
    items = navigation_for(user=user, path=path)
    groups = [NavGroup(key="", label=item.label, items=[item]) for item in items
              if not item.area]
    for key, label in NAV_AREAS.items():
        mine = [item for item in items if item.area == key]
        if mine:
            groups.append(NavGroup(key=key, label=str(label), items=mine))
    return groups


def system_health(*, now: dt.datetime) -> dict:
    """Database, broker and worker heartbeat, each with `ok`; `ok` overall when all are.
    Calendar coverage warnings are reported but do not make the system unhealthy."""
    checks: dict = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        checks["database"] = {"ok": False, "vendor": connection.vendor, "error": str(exc)}

    transport = settings.CELERY_BROKER_URL.split(":", 1)[0]
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2,
                                   timeout=3)
        checks["broker"] = {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001
        checks["broker"] = {"ok": False, "transport": transport, "error": str(exc)}

    max_age = settings.HEARTBEAT_MAX_AGE_SECONDS
    beat = None
    if checks["database"]["ok"]:
        beat = Heartbeat.objects.filter(name=HEARTBEAT).first()
    if beat is None:
        checks["heartbeat"] = {"ok": False, "last_run_at": None, "age_seconds": None,
                               "max_age_seconds": max_age}
    else:
        age = (now - beat.last_run_at).total_seconds()
        checks["heartbeat"] = {
            "ok": 0 <= age <= max_age or -5 < age < 0,
            "last_run_at": timezone.localtime(beat.last_run_at).isoformat(),
            "age_seconds": round(age, 1),
            "max_age_seconds": max_age,
            "runs": beat.runs,
            "worker": beat.worker,
        }

    warnings: list[str] = []
    jobs: list[dict] = []
    failures: list[dict] = []
    if checks["database"]["ok"]:
        warnings = [str(w) for w in official_coverage_warnings(now.date())]
        jobs, stale = _watched_jobs(now)
        warnings += stale
        failures = job_failures()
        warnings += [
            str(_("The job “%(job)s” skips %(row)s: %(error)s")
                % {"job": f["job"], "row": f["row"], "error": f["error"]})
            for f in failures
        ]
    return {
        "ok": all(c["ok"] for c in checks.values()),
        "checked_at": timezone.localtime(now).isoformat(),
        "checks": checks,
        "jobs": jobs,
        "job_failures": failures,
        "warnings": warnings,
    }


JOB_FAILURES_SHOWN = 50


def job_failures(*, limit: int = JOB_FAILURES_SHOWN) -> list[dict]:
    """Rows that periodic jobs could not process and skip until they go through
    (`servicedesk.jobs`), the latest first. Reported, not counted as down: the jobs go on
    for every other row."""
    rows = JobFailure.objects.filter(resolved_at__isnull=True).order_by("-last_seen_at", "-id")
    return [
        {"job": f.job, "row": f.row, "error": f.error, "count": f.count,
         "first_seen_at": timezone.localtime(f.first_seen_at).isoformat(),
         "last_seen_at": timezone.localtime(f.last_seen_at).isoformat()}
        for f in rows[:limit]
    ]


def _watched_jobs(now: dt.datetime) -> tuple[list[dict], list[str]]:
    """The last run of each job the apps asked the health page to watch (their heartbeat
    rows), and a warning for each one that has not run within its limit (reported, not
    counted as down: a job may be new)."""
    limits = registry.watched_jobs()
    beats = {b.name: b for b in Heartbeat.objects.filter(name__in=list(limits))}
    jobs, stale = [], []
    for name, limit in limits.items():
        beat = beats.get(name)
        age = round((now - beat.last_run_at).total_seconds(), 1) if beat else None
        jobs.append({"name": name, "last_run_at": timezone.localtime(beat.last_run_at)
                     .isoformat() if beat else None, "age_seconds": age,
                     "runs": beat.runs if beat else 0, "max_age_seconds": limit})
        if age is None or age > limit:
            stale.append(str(_("The job “%(name)s” has not run for more than %(limit)d s.")
                             % {"name": name, "limit": limit}))
    return jobs, stale


def org_overview() -> QuerySet[Department]:
    """Departments with their teams and head counts, in two queries whatever the size."""
    teams = Team.objects.select_related("lead").annotate(member_count=Count("members"))
    return (
        Department.objects.select_related("company", "head")
        .annotate(staff_count=Count("staff", distinct=True))
        .prefetch_related(Prefetch("teams", queryset=teams))
    )


def business_calendars_with_periods() -> QuerySet:
    return BusinessCalendar.objects.prefetch_related("periods").order_by("name")
