"""One way to take a step: claim the record in the state the step starts from with one
conditional UPDATE, and write the step's history rows, in one transaction.

Of two concurrent callers exactly one gets a count of 1 (the database serialises the two
UPDATEs on the row); the other writes nothing and gets `StepRefused` carrying the state the
record is in now, with the caller's message under the caller's field (`status` by default),
or the error the caller's `refusal` builds from that state (a stale version, say)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from servicedesk.errors import StepRefused


def step_take(
    *,
    model: type[models.Model],
    pk: Any,
    expect: Mapping[str, Any] | Q,
    values: Mapping[str, Any],
    events: Iterable[models.Model] = (),
    message: Any = None,
    field: str = "status",
    state: str = "status",
    refusal: Callable[[Any], Exception] | None = None,
) -> None:
    """Move row `pk` of `model` to `values` if it still matches `expect` (field lookups,
    e.g. `{"status__in": (...)}`, or a Q), and save `events` (unsaved history rows).

    Refused (nothing written): `refusal(current)` if given, else
    `StepRefused(message, current=current, field=field)`, where `current` is the row's
    `state` field as it is now (None when the row is gone)."""
    condition = expect if isinstance(expect, Q) else Q(**expect)
    manager = model._default_manager
    with transaction.atomic():
        claimed = manager.filter(condition, pk=pk).update(**values)
        if not claimed:
            current = manager.filter(pk=pk).values_list(state, flat=True).first()
            if refusal is not None:
                raise refusal(current)
            raise StepRefused(message, current=current, field=field)
        for event in events:
            event.save(force_insert=True)


def state_locked(*, model: type[models.Model], pk: Any, state: str = "status") -> Any:
    """The row's `state` as it is now, locked until the transaction ends (PostgreSQL; on
    SQLite the write transaction serialises writers anyway): for a step that may start from
    several states and records which one it left."""
    return (
        model._default_manager.select_for_update()
        .filter(pk=pk).values_list(state, flat=True).first()
    )
