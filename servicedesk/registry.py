"""What the apps contribute to the kernel, so that the kernel imports no app
(architecture.md): each app fills this registry from its `AppConfig.ready()`, and the
kernel reads it back for

- the API under `/api/v1/` (router registrations and extra url includes),
- the page url includes (`/tickets/`, `/reporting/`),
- the navigation (label, url name, permission, order, menu area),
- the permissions each role's group carries (`servicedesk.roles.role_permissions`),
- the periodic jobs on Celery beat and the jobs the health page watches,
- the schema names of shared choice sets (drf-spectacular's ENUM_NAME_OVERRIDES),
- the flows of other apps that move some cases themselves (a complaint's case moves only
  through its complaint), which the tickets app asks about without naming them.

Registration is idempotent: the same key with an equal value is accepted again, and two
registrations that claim one key with different values are a configuration error.
Only the standard library is imported here: the settings module reads this registry.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class RegistryConflict(Exception):
    """Two registrations claim the same key with different values."""


@dataclass(frozen=True)
class NavEntry:
    label: Any  # a (lazy) translatable string
    url_name: str
    permission: str | None  # None: every signed-in staff member
    order: int
    area: str = ""  # the menu it belongs to (servicedesk.selectors.NAV_AREAS); "": the bar


@dataclass(frozen=True)
class ApiRoute:
    prefix: str
    viewset: type
    basename: str


@dataclass(frozen=True)
class UrlInclude:
    prefix: str
    urlconf: str  # dotted module path, included lazily by the kernel's urls


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # the beat entry's name: django-celery-beat updates its row by this name
    task: str
    schedule: float  # seconds
    expires: float  # seconds: a run that waited longer is dropped, so no backlog piles up

    def beat_entry(self) -> dict:
        return {"task": self.task, "schedule": self.schedule,
                "options": {"expires": self.expires}}


@dataclass(frozen=True)
class CaseFlow:
    """Another app's flow that moves some cases itself (a complaint's case moves only
    through the complaint's steps). `pages(case_ids)` answers, among these cases, those
    the flow owns and the url of the page where each one's steps are taken (a bounded
    number of queries for any number of ids); `link` labels a link to that page; `refusal`
    says why a step taken on the case directly is refused (formatted with `url`)."""

    name: str
    pages: Callable[[list[int]], dict[int, str]]
    link: Any  # a (lazy) translatable string
    refusal: Any  # a (lazy) translatable string with %(url)s


class _LiveMapping(Mapping):
    """A read-only mapping computed on each read, for settings that must see what the apps
    register after the settings module has been imported."""

    def __init__(self, read: Callable[[], dict]) -> None:
        self._read = read

    def __getitem__(self, key):
        return self._read()[key]

    def __iter__(self) -> Iterator:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return repr(self._read())


class Registry:
    def __init__(self) -> None:
        self._api_routes: dict[str, ApiRoute] = {}
        self._api_includes: dict[str, UrlInclude] = {}
        self._page_includes: dict[str, UrlInclude] = {}
        self._navigation: dict[str, NavEntry] = {}
        self._grants: dict[str, dict[str, None]] = {}  # role -> permissions (ordered set)
        self._periodic_jobs: dict[str, PeriodicJob] = {}
        self._watched_jobs: dict[str, int] = {}
        self._enum_names: dict[str, Any] = {}
        self._case_flows: dict[str, CaseFlow] = {}

    # --- registering (from an app's ready()) ---------------------------------------------

    def api_route(self, prefix: str, viewset: type, *, basename: str) -> None:
        """A viewset on the `/api/v1/` router."""
        _put(self._api_routes, prefix, ApiRoute(prefix, viewset, basename), "API route")

    def api_urls(self, prefix: str, urlconf: str) -> None:
        """A url module included under `/api/v1/<prefix>`."""
        _put(self._api_includes, prefix, UrlInclude(prefix, urlconf), "API include")

    def page_urls(self, prefix: str, urlconf: str) -> None:
        """A url module of pages included under `/<prefix>`."""
        _put(self._page_includes, prefix, UrlInclude(prefix, urlconf), "page include")

    def nav_entry(self, label: Any, url_name: str, *, permission: str | None,
                  order: int, area: str = "") -> None:
        """A menu entry, shown to whoever holds `permission`, sorted by `order`, in the
        menu of `area` (one of the kernel's `NAV_AREAS`; "" puts it on the bar itself)."""
        _put(self._navigation, url_name, NavEntry(label, url_name, permission, order, area),
             "navigation entry")

    def grant(self, roles: Iterable[str], permissions: Iterable[str]) -> None:
        """Add `permissions` ("app_label.codename") to the permission group of each role."""
        permissions = list(permissions)
        for role in roles:
            self._grants.setdefault(str(role), {}).update(dict.fromkeys(permissions))

    def periodic_job(self, name: str, *, task: str, schedule: float, expires: float) -> None:
        """A job on Celery beat, run every `schedule` seconds."""
        _put(self._periodic_jobs, name, PeriodicJob(name, task, schedule, expires),
             "periodic job")

    def watched_job(self, heartbeat: str, *, max_age_seconds: int) -> None:
        """The health page warns when the heartbeat row `heartbeat` is older than this."""
        _put(self._watched_jobs, heartbeat, max_age_seconds, "watched job")

    def enum_name(self, name: str, choices: Any) -> None:
        """One schema name for a choice set that several API fields share."""
        _put(self._enum_names, name, choices, "schema enum name")

    def case_flow(self, name: str, *, pages: Callable[[list[int]], dict[int, str]],
                  link: Any, refusal: Any) -> None:
        """A flow that owns some cases (see `CaseFlow`): the tickets app refuses to move
        them outside it and links to the flow's page instead."""
        _put(self._case_flows, name, CaseFlow(name, pages, link, refusal), "case flow")

    # --- reading (by the kernel) -----------------------------------------------------------

    def api_routes(self) -> list[ApiRoute]:
        return list(self._api_routes.values())

    def api_includes(self) -> list[UrlInclude]:
        return list(self._api_includes.values())

    def page_includes(self) -> list[UrlInclude]:
        return list(self._page_includes.values())

    def navigation(self) -> list[NavEntry]:
        return sorted(self._navigation.values(), key=lambda entry: entry.order)

    def grants(self) -> dict[str, list[str]]:
        return {role: list(perms) for role, perms in self._grants.items()}

    def beat_schedule(self) -> dict[str, dict]:
        return {name: job.beat_entry() for name, job in self._periodic_jobs.items()}

    def watched_jobs(self) -> dict[str, int]:
        return dict(self._watched_jobs)

    def enum_names(self) -> dict[str, Any]:
        return dict(self._enum_names)

    def case_flows(self) -> list[CaseFlow]:
        return list(self._case_flows.values())

    # --- for the settings module: mappings that see later registrations -------------------

    def beat_schedule_with(self, own: dict[str, dict]) -> Mapping:
        """The kernel's own beat entries followed by every app's."""
        return _LiveMapping(lambda: {**own, **self.beat_schedule()})

    def enum_names_view(self) -> Mapping:
        return _LiveMapping(self.enum_names)

    # --- for tests -----------------------------------------------------------------------

    def snapshot(self) -> dict:
        return copy.deepcopy(vars(self))

    def restore(self, snapshot: dict) -> None:
        vars(self).update(copy.deepcopy(snapshot))


def _put(table: dict, key: str, value: Any, what: str) -> None:
    if key in table and table[key] != value:
        raise RegistryConflict(f"Two different {what}s claim {key!r}: {table[key]!r}, {value!r}")
    table[key] = value


registry = Registry()
