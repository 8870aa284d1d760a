"""Rows of a record's history (`servicedesk.models.events.Event` of any table) as the one
history partial (`templates/partials/history.html`) shows them: plain values, worked out
here rather than in the template."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event
from servicedesk.presenters import person_name

# What a row's `reason` is called on the page; a table whose reason is the step's own note
# (a feedback filing's follow-up) sets `REASON_LABEL = ""` on its model to show it plain.
REASON_LABEL = _("Reason")


def history_rows(
    events: Iterable[Event],
    *,
    value_label: Callable[[Any], Any] | None = None,
    details: Callable[[Event], list[tuple[str, str]]] | None = None,
) -> list[dict[str, Any]]:
    """One dict per event, oldest first as given: `at`, `actor` (a name; empty for the
    system), `kind` (its label), `change` ((from, to) through `value_label`, or None),
    `details` ((css class, line) pairs from `details`), `reason` and `reason_label`."""
    label = value_label or (lambda value: value)
    rows = []
    for event in events:
        change = event.change
        actor = event.actor
        rows.append({
            "at": event.at,
            "actor": person_name(actor),
            # every concrete event table declares its kind's choices
            "kind": event.get_kind_display(),  # type: ignore[attr-defined]
            "change": (label(change[0]), label(change[1])) if change is not None else None,
            "details": details(event) if details is not None else [],
            "reason": event.reason,
            "reason_label": getattr(event, "REASON_LABEL", REASON_LABEL),
        })
    return rows
