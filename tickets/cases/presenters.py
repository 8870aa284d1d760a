"""How a case's timeline reads on a page: a stored value as its label, and the extra lines
an event carries (an SLA event's moved deadlines, a linked filing's step). One place, used
by the case page (`tickets.cases.views`) and by the pages of other apps that show a case's
timeline (the complaint page), each passing them to `servicedesk.history.history_rows`."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy

from servicedesk.models.events import Event
from tickets.cases.models import Case, CaseEvent
from tickets.sla.models import TimerKind

# Values other than statuses that case events carry in their `to`: the contact log's note
# (tickets.contacts.services.CONTACT_LOGGED) reads as what happened.
_EVENT_VALUES = {"contact_logged": gettext_lazy("contact logged")}


def case_value_label(value: str) -> str:
    """Status codes on the timeline read as their labels (新建 → 处理中), other stored
    values as their label, never raw."""
    if value in Case.Status.values:
        return str(Case.Status(value).label)
    return str(_EVENT_VALUES.get(value, value))


def _when(value: str | None) -> str:
    if not value:
        return "—"
    return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%m-%d %H:%M")


def _deadline_lines(event: Event) -> list[tuple[str, str]]:
    """An SLA event's old → new due instant per clock (受理: 11-23 18:00 → 11-23 17:00)."""
    lines = []
    for change in (event.data or {}).get("deadlines", []):
        kind = change.get("kind", "")
        label = TimerKind(kind).label if kind in TimerKind.values else kind
        lines.append(("deadline-change",
                      f"{label}: {_when(change.get('old_due'))} → {_when(change.get('new_due'))}"))
    return lines


def _filing_step_line(event: Event) -> list[tuple[str, str]]:
    """A linked filing's step (问题与需求报备: 已交办), named by the filing's own model."""
    data = event.data or {}
    try:
        filing_model = apps.get_model(data["filing"])
        steps = filing_model._meta.get_field("events").related_model.Kind
    except (KeyError, LookupError, ValueError, AttributeError):
        return []
    step = data.get("step", "")
    label = steps(step).label if step in steps.values else step
    return [("filing-step", f"{filing_model._meta.verbose_name}: {label}")]


def case_event_details(event: Event) -> list[tuple[str, str]]:
    """The (css class, line) pairs a case event shows under its row: the moved deadlines
    of an SLA event, the step of a linked filing; nothing for other kinds."""
    if event.kind == CaseEvent.Kind.SLA:
        return _deadline_lines(event)
    if event.kind == CaseEvent.Kind.FILING_STEP:
        return _filing_step_line(event)
    return []
