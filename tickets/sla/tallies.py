"""Resolution tallies (see `ResolutionTally`): counted when a resolution clock is met, and
rebuilt from the timers when needed (after bulk loads, or to repair)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tickets.cases.models import Case
from tickets.sla.models import CaseTimer, ResolutionTally, TimerKind, TimerState

REBUILD_CHUNK = 20_000


def _key(case: Case, stopped_at: dt.datetime) -> dict:
    return {
        "day": timezone.localdate(stopped_at), "department_id": case.department_id,
        "handling_department_id": case.handling_department_id, "desk": case.desk,
        "team_id": case.team_id, "assignee_id": case.assignee_id, "kind": case.kind,
        "grade": case.grade,
    }


# The fields of a tally's key besides the day, as read from a timer's case. The scope
# fields came later (tickets 0020): the migration that introduced tallies rebuilds them
# with its historical models, which have none, so they are read only where the tally model
# has them.
_KEY_FIELDS = ("department", "handling_department", "desk", "team", "assignee", "kind",
               "grade")
_SCOPE_FIELDS = frozenset({"handling_department", "desk"})


def tally_resolution(*, case: Case, stopped_at: dt.datetime, on_time: bool) -> None:
    """Count one resolution met at `stopped_at` for the case as it stands now. Safe under
    concurrency: an increment by UPDATE, or the row's first insert, whose unique constraint
    turns a racing second insert into an increment."""
    key = _key(case, stopped_at)
    increments = {"met": F("met") + 1, "on_time": F("on_time") + int(on_time)}
    if ResolutionTally.objects.filter(**key).update(**increments):
        return
    try:
        with transaction.atomic():
            ResolutionTally.objects.create(**key, met=1, on_time=int(on_time))
    except IntegrityError:
        ResolutionTally.objects.filter(**key).update(**increments)


@transaction.atomic
def resolution_tallies_rebuild(
    *, timer_model: type[CaseTimer] = CaseTimer,
    tally_model: type[ResolutionTally] = ResolutionTally,
) -> int:
    """Recount every tally from the met resolution timers and their cases (as they stand
    now). Returns the number of tally rows. (The models are parameters so that the
    migration that introduced tallies can pass its historical ones.)"""
    tally_fields = {field.name for field in tally_model._meta.get_fields()}
    fields = [f for f in _KEY_FIELDS if f not in _SCOPE_FIELDS or f in tally_fields]
    # a foreign key is read and written by its id
    attnames = [f"{f}_id" if f not in ("desk", "kind", "grade") else f for f in fields]
    counts: Counter = Counter()
    on_time: Counter = Counter()
    rows = (
        timer_model.objects.filter(kind=TimerKind.RESOLUTION, state=TimerState.MET)
        .values_list("stopped_at", "breached_at", *(f"case__{name}" for name in attnames))
        .iterator(chunk_size=REBUILD_CHUNK)
    )
    for stopped_at, breached_at, *values in rows:
        key = (timezone.localdate(stopped_at), *values)
        counts[key] += 1
        if breached_at is None:
            on_time[key] += 1
    tally_model.objects.all().delete()
    tally_model.objects.bulk_create(
        [
            tally_model(day=key[0], **dict(zip(attnames, key[1:], strict=True)), met=n,
                        on_time=on_time[key])
            for key, n in counts.items()
        ],
        batch_size=1000,
    )
    return len(counts)
