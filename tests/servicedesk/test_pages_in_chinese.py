"""Every page reads Chinese (issue 10, item 14): each URL pattern a GET can render is opened
in zh-hans, on a demo-like floor (tests/floor.py), by every role that may see it; the text
a person reads (tags, scripts and styles stripped; attributes a person reads kept) holds no
English word and no raw stored value (`contact_logged`), except the allowed tokens below:
codes, names and abbreviations that are the same in Chinese."""

from __future__ import annotations

import html as htmlmod
import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from servicedesk.roles import Role
from tests.floor import floor_for_test

pytestmark = pytest.mark.django_db

# Words a Chinese page may show as they are: abbreviations Chinese staff use (SLA, CSV,
# Excel, API), product and technology names on the health page, units and formats.
ALLOWED = {
    "SLA", "CSV", "Excel", "API", "ID", "OpenAPI", "BOM", "UTF", "XLSX", "PDF",
    "sqlite", "postgresql", "filesystem", "redis", "memory", "amqp",  # database / broker
    "Asia", "Shanghai", "UTC",  # time zones
    "celery", "worker", "beat",  # the worker names on the health page (host@name)
    "mm", "dd", "yyyy",  # date input hints
    "KB", "MB", "GB",
    "Django",  # the framework's name on the password pages
    "calendar_load_official",  # a management command named in the health page's warning
}
# Values that are codes by nature: case, customer and order numbers (K2026…, C2026…,
# SO2026…) and e-mail addresses or worker@host. Names and codes stored in the database
# (user names, calendar codes, the watched jobs' names) are allowed by `_codes()`.
CODE = re.compile(r"\b[A-Z]{1,3}\d{6,}\b|\b[\w.+-]+@[\w.-]+\b")

# Not pages: the API (JSON), the admin (Django's own translation), file downloads, the
# language switch, sign-out and machine endpoints.
SKIP_PREFIXES = ("/api/", "/admin/", "/i18n/", "/static/", "/healthz", "/accounts/logout",
                 "/tickets/exports/cases/", "/accounts/password_reset/done",
                 "/accounts/reset/")


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p


def _urls(floor) -> list[str]:
    """Every route of the site with its parameters filled from the floor."""
    ids = {
        "case_id": floor.urls["case_logged"].split("/")[-2],
        "registration_id": floor.urls["registration"].split("/")[-2],
        "filing_id": None,  # feedback and delay filings: by route below
    }
    urls = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        route = route.lstrip("^").rstrip("$")
        if "(?P" in route or "<path:" in route:
            continue
        url = "/" + route
        if url.startswith(SKIP_PREFIXES):
            continue
        if "<slug:action>" in url or "<slug:dataset>" in url:
            continue  # POST-only steps and file downloads
        if "<int:filing_id>" in url:
            which = "feedback" if url.startswith("/tickets/feedback/") else "delay"
            url = floor.urls[which]
        for name, value in ids.items():
            if value is not None:
                url = url.replace(f"<int:{name}>", value)
        if "<" in url:
            continue
        urls.append(url)
    return sorted(set(urls)) + [floor.urls[k] for k in ("case", "case_late", "case_waiting",
                                                         "case_done")]


def _readable_text(html: str) -> str:
    """What a person reads: text outside tags, scripts, styles and comments, plus the
    attributes shown to them (title, placeholder, aria-label, alt, value of buttons)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    shown = re.findall(r'\s(?:title|placeholder|aria-label|alt)="([^"]*)"', html)
    shown += re.findall(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return htmlmod.unescape(" ".join([text, *shown]))


def _codes() -> set[str]:
    """Names and codes the database holds: user names, calendar codes, watched jobs."""
    from django.contrib.auth import get_user_model

    from servicedesk.models import BusinessCalendar
    from servicedesk.registry import registry

    return {*get_user_model().objects.values_list("username", flat=True),
            *BusinessCalendar.objects.values_list("name", flat=True),
            *registry.watched_jobs()}


def foreign_words(html: str, codes: set[str] = frozenset()) -> list[str]:
    text = CODE.sub(" ", _readable_text(html))
    for code in sorted(codes, key=len, reverse=True):
        text = text.replace(code, " ")
    words = re.findall(r"[A-Za-z][A-Za-z_]*[A-Za-z]", text)
    return sorted({w for w in words if w not in ALLOWED})


def test_the_checker_catches_english_and_raw_values():
    assert foreign_words("<p>次日 next day</p>") == ["day", "next"]
    assert foreign_words("<li>contact_logged</li><p title='x'>工单</p>") == ["contact_logged"]
    assert foreign_words('<input placeholder="Search">') == ["Search"]
    assert foreign_words("<script>var lang = 'zh'</script><p>SLA 看板 K2026120100001</p>") == []


def test_every_page_reads_chinese_for_every_role(client):
    floor = floor_for_test()
    urls = _urls(floor)
    assert len(urls) >= 20, urls
    codes = _codes()
    findings: dict[str, list[str]] = {}
    rendered = 0
    for role in [None, *Role]:
        if role is None:
            client.logout()
        else:
            client.force_login(floor.users[role.value])
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            if response.status_code not in (200, 503) or "html" not in response.get(
                    "Content-Type", ""):
                continue
            rendered += 1
            words = foreign_words(response.content.decode(), codes)
            if words:
                findings[f"{url} ({role or 'anonymous'})"] = words
    assert rendered >= 100
    assert findings == {}


def test_the_three_pages_reported_read_chinese(client):
    """The reported cases: "next day" on /calendars/, `contact_logged` on the case history,
    a raw ISO timestamp and the bilingual 2027 warning on the health page."""
    floor = floor_for_test()
    client.force_login(floor.users[Role.ADMINISTRATOR.value])
    calendars = client.get("/calendars/").content.decode()
    assert "07:00–次日 02:00" in calendars and "next day" not in calendars
    history = client.get(floor.urls["case_logged"]).content.decode()
    assert "已登记接触记录" in history and "contact_logged" not in _readable_text(history)
    health = client.get("/health/").content.decode()
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", _readable_text(health))
    assert re.search(r"检查时间 <time datetime=\S+>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</time>", health)
    assert "(No official" not in health
