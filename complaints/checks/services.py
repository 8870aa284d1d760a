"""Use cases of the monthly person check (seed 002 处罚标准 8): flag the people who reached
the threshold in a month, and the rectification report (停职整改报告) they file, which a
manager accepts or returns for rework.

`person_checks_run` is the hourly job's work, safe to run twice or concurrently:

- one grouped query counts every person's complaints in the month (the definition is in
  `complaints.checks.rules`);
- the new checks are inserted in one statement (`bulk_create(ignore_conflicts=True)`: a
  check is unique per month and person, so a concurrent run inserts nothing twice, and the
  rows go in person order so two runs never wait on each other crosswise); the counts of
  existing checks that grew are raised in one UPDATE (never lowered: a check records the
  flag, and `Greatest` keeps the larger of two racing counts);
- every check not yet announced gets its `flagged` event (unique per check) and its notices
  (unique per recipient and key `person-check:<id>`) in the same transaction as its
  insertion. A concurrent run waits on the rows being inserted, then finds them announced.
  One check whose announcement raises is isolated (`servicedesk.jobs`): the others go
  through, it is listed on the health page and retried by the next run.

The report steps are conditional UPDATEs on the check's state (and version, when the caller
sends the one it read) through `servicedesk.steps.step_take`, each with its event row and
its notices in one transaction: of two concurrent steps exactly one wins; a refused one
writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case as CaseWhen
from django.db.models import F, Q, Value, When
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.checks.models import (
    CheckEventKind,
    CheckState,
    PersonMonthCheck,
    PersonMonthCheckEvent,
)
from complaints.checks.selectors import (
    FILABLE_STATES,
    check_may_decide,
    check_may_file,
    checks_unannounced,
    deciders,
    department_supervisors,
    flag_audience,
    person_month_counts,
    person_month_threshold,
)
from servicedesk.errors import FieldErrors, StaleVersion, StepRefused
from servicedesk.jobs import JobRun, job_run, row_key
from servicedesk.models.events import change_data
from servicedesk.months import month_first, month_of, month_shift, month_text
from servicedesk.notification_services import NoteRow, notifications_write
from servicedesk.presenters import person_name
from servicedesk.roles import Role
from servicedesk.steps import state_locked, step_take
from servicedesk.types import User
from servicedesk.validation import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, text_clean

CHECK_JOB = "person-checks"
ANNOUNCE = "announce"


class CheckConflict(StaleVersion):
    """Someone else changed the check since the caller read it (its version moved on)."""

    def __init__(self, *, current_version: int | None = None) -> None:
        super().__init__(
            _("This check was changed by someone else; reload it and try again."),
            current_version=current_version,
        )


@dataclass(frozen=True)
class CheckReport:
    """What one run of the check did for a month."""

    month: dt.date
    threshold: int
    flagged: tuple[int, ...] = ()  # checks announced by this run (new flags), by id
    grown: int = 0  # existing checks of the month whose count grew
    notified: int = 0  # notifications newly written
    failed: int = 0  # checks whose announcement failed and was isolated (servicedesk.jobs)

    def __str__(self) -> str:
        return (f"month={month_text(self.month)} threshold={self.threshold} "
                f"flagged={len(self.flagged)} grown={self.grown} "
                f"notifications={self.notified}"
                + (f" rows_failed={self.failed}" if self.failed else ""))


# --- the monthly run ---------------------------------------------------------------------


def person_checks_run(*, month: dt.date, now: dt.datetime) -> CheckReport:
    """Flag everyone at or over the threshold in the Beijing calendar month of `month` (any
    day of it), raise the counts of checks that grew, and announce every check not yet
    announced (this run's new ones; one whose announcement failed before is retried)."""
    month = month_first(month)
    threshold = person_month_threshold()
    run = uuid.uuid4().hex

    def body(job: JobRun) -> tuple[int, list[int], int]:
        grown = _counts_record(month=month, threshold=threshold, now=now)
        flagged, notified = _announce(job, now=now, run=run)
        return grown, flagged, notified

    (grown, flagged, notified), job = job_run(CHECK_JOB, body, now=now)
    return CheckReport(month=month, threshold=threshold, flagged=tuple(flagged), grown=grown,
                       notified=notified, failed=job.recorded)


def person_checks_run_recent(*, now: dt.datetime) -> list[CheckReport]:
    """The hourly job: the previous Beijing month (complaints accepted late in it may still
    get their verdict) and the current one, so that a person is flagged within the hour of
    reaching the threshold."""
    current = month_of(now)
    return [person_checks_run(month=month_shift(current, -1), now=now),
            person_checks_run(month=current, now=now)]


def _counts_record(*, month: dt.date, threshold: int, now: dt.datetime) -> int:
    """Insert the month's new checks and raise the counts that grew. Returns how many
    existing checks grew."""
    counts = person_month_counts(month=month)
    existing = dict(PersonMonthCheck.objects.filter(month=month)
                    .values_list("person_id", "complaints"))
    fresh = [
        PersonMonthCheck(month=month, person_id=person, department_id=department,
                         complaints=n, threshold=threshold, flagged_at=now)
        for person, (n, department) in sorted(counts.items())
        if n >= threshold and person not in existing
    ]
    if fresh:
        PersonMonthCheck.objects.bulk_create(fresh, ignore_conflicts=True)
    grown = {person: n for person, (n, _department) in counts.items()
             if person in existing and n > existing[person]}
    if grown:
        PersonMonthCheck.objects.filter(month=month, person_id__in=sorted(grown)).update(
            complaints=Greatest(
                F("complaints"),
                CaseWhen(*[When(person_id=person, then=Value(n))
                           for person, n in sorted(grown.items())],
                         default=F("complaints"), output_field=models.IntegerField()),
            ))
    return len(grown)


def _announce(job: JobRun, *, now: dt.datetime, run: str) -> tuple[list[int], int]:
    """The `flagged` event and the notices of every check not announced yet."""
    checks = list(checks_unannounced())
    audience = []
    if checks:
        audience = flag_audience(department_ids={c.department_id for c in checks
                                                 if c.department_id is not None})

    def announce(batch: list[PersonMonthCheck]) -> tuple[list[int], int]:
        PersonMonthCheckEvent.objects.bulk_create(
            [PersonMonthCheckEvent(
                check_row=check, at=check.flagged_at, actor=None, kind=CheckEventKind.FLAGGED,
                data={"month": month_text(check.month), "complaints": check.complaints,
                      "threshold": check.threshold})
             for check in batch],
            ignore_conflicts=True,  # written once per check (a unique partial index)
        )
        notes = [note for check in batch for note in flag_notices(check, audience)]
        written = notifications_write(notes, run=run, now=now)
        return [check.pk for check in batch], written.notes

    results = job.each(checks, announce, key=lambda c: row_key(PersonMonthCheck, c.pk),
                       phase=ANNOUNCE)
    job.resolve_unseen(ANNOUNCE)
    flagged = [pk for ids, _notes in results for pk in ids]
    return flagged, sum(notes for _ids, notes in results)


def check_url(check_id: int) -> str:
    return reverse("complaints:person-check", args=[check_id])


def flag_notices(check: PersonMonthCheck, audience: Sequence[tuple[int, str, int | None]]
                 ) -> list[NoteRow]:
    """The notices of a new flag (key `person-check:<id>`): to the person, to the managers
    and the general manager, and to the supervisors of the person's department. In the
    site's language, whoever's request or job writes them."""
    key, url = f"person-check:{check.pk}", check_url(check.pk)
    values = {"person": person_name(check.person), "month": month_text(check.month),
              "count": check.complaints}
    with translation.override(settings.LANGUAGE_CODE):
        to_person = NoteRow(
            recipient_id=check.person_id, key=key, at=check.flagged_at, url=url,
            title=gettext("You have %(count)d complaints in %(month)s: suspension and "
                          "rectification") % values,
            body=gettext("File your rectification report: analyse why the complaints "
                         "happened and write down the measures and the training."),
        )
        title = gettext("%(person)s has %(count)d complaints in %(month)s: suspension and "
                        "rectification") % values
        body = gettext("A rectification report is required, with targeted training, and "
                       "the case is announced within the month.")
    told = [to_person]
    seen = {check.person_id}
    for user_id, role, department_id in audience:
        if user_id in seen:
            continue
        if role == Role.SUPERVISOR and department_id != check.department_id:
            continue
        seen.add(user_id)
        told.append(NoteRow(recipient_id=user_id, key=key, at=check.flagged_at, url=url,
                            title=title, body=body))
    return told


# --- the rectification report ------------------------------------------------------------


def _step(
    *, check: PersonMonthCheck, by: User, now: dt.datetime, kind: str,
    allowed: tuple[str, ...], refused: Any, expected_version: int | None,
    values: dict[str, Any], data: dict[str, Any], reason: str = "",
) -> None:
    """Move the check to `values` if it is still in one of `allowed` (and at
    `expected_version`, when given), with its event row; else `CheckConflict` (the version
    moved on) or `StepRefused` on `state`, writing nothing."""
    expect = Q(state__in=allowed)
    if expected_version is not None:
        expect &= Q(version=expected_version)

    def refusal(current_state: str | None) -> Exception:
        version = (PersonMonthCheck.objects.filter(pk=check.pk)
                   .values_list("version", flat=True).first())
        if expected_version is not None and version is not None \
                and version != expected_version:
            return CheckConflict(current_version=version)
        return StepRefused(refused, current=current_state, field="state")

    step_take(
        model=PersonMonthCheck, pk=check.pk, expect=expect,
        values={**values, "version": F("version") + 1},
        events=[PersonMonthCheckEvent(check_row=check, at=now, actor=by, kind=kind,
                                      reason=reason, data=data)],
        state="state", refusal=refusal,
    )


@transaction.atomic
def check_report_file(
    *, check: PersonMonthCheck, by: User, analysis: str, measures: str,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> PersonMonthCheck:
    """File the rectification report (停职整改报告): the analysis of why the complaints
    happened and the measures and training. By the flagged person, or by a supervisor of
    their department on their behalf; while the check is flagged or returned for rework.
    The managers and the general manager are told that it waits for them."""
    now = now or timezone.now()
    if not check_may_file(user=by, check=check):
        raise PermissionDenied(_("Only the flagged person, or a supervisor of their "
                                 "department, files the rectification report."))
    errors = FieldErrors()
    analysis = text_clean(errors, "analysis", analysis, max_length=TEXT_MAX_LENGTH,
                          required=_("Analyse why the complaints happened."))
    measures = text_clean(errors, "measures", measures, max_length=TEXT_MAX_LENGTH,
                          required=_("Write down the rectification measures and the "
                                     "training."))
    errors.raise_if_any()
    from_state = state_locked(model=PersonMonthCheck, pk=check.pk, state="state")
    data = change_data(from_state, CheckState.REPORT_FILED)
    if by.pk != check.person_id:
        data["on_behalf_of"] = check.person_id
    _step(
        check=check, by=by, now=now, kind=CheckEventKind.REPORT_FILED,
        allowed=FILABLE_STATES, expected_version=expected_version,
        refused=_("The report is filed while the check waits for it (flagged, or returned "
                  "for rework)."),
        values={"state": CheckState.REPORT_FILED, "analysis": analysis,
                "measures": measures, "filed_at": now, "decided_by": None,
                "decided_at": None},
        data=data,
    )
    check.refresh_from_db()
    _notify(check, recipients=deciders(), leave_out={by.pk, check.person_id}, now=now,
            key=f"person-check:{check.pk}:filed:{check.version}",
            title=_("%(person)s filed the rectification report for %(month)s: waiting for "
                    "acceptance"))
    return check


@transaction.atomic
def check_report_decide(
    *, check: PersonMonthCheck, by: User, accept: bool, note: str = "",
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> PersonMonthCheck:
    """Accept a filed report, or return it for rework with a note (the person files it
    again). By a manager, the general manager or an administrator, never on their own
    check. The person and their department's supervisors are told."""
    now = now or timezone.now()
    if not check_may_decide(user=by, check=check):
        raise PermissionDenied(_("Only a manager, the general manager or an administrator "
                                 "decides on a rectification report, and not on their own."))
    errors = FieldErrors()
    note = text_clean(errors, "note", note, max_length=NOTE_MAX_LENGTH,
                      required=None if accept else _("Say what needs rework."))
    errors.raise_if_any()
    to_state = CheckState.ACCEPTED if accept else CheckState.RETURNED
    kind = CheckEventKind.ACCEPTED if accept else CheckEventKind.RETURNED
    _step(
        check=check, by=by, now=now, kind=kind, allowed=(CheckState.REPORT_FILED,),
        expected_version=expected_version,
        refused=_("Only a filed report can be accepted or returned."),
        values={"state": to_state, "decided_by": by, "decided_at": now},
        data=change_data(CheckState.REPORT_FILED, to_state), reason=note,
    )
    check.refresh_from_db()
    title = (_("The rectification report of %(person)s for %(month)s was accepted") if accept
             else _("The rectification report of %(person)s for %(month)s was returned for "
                    "rework"))
    _notify(check, recipients=[check.person_id,
                               *department_supervisors(department_id=check.department_id)],
            leave_out={by.pk}, now=now, key=f"person-check:{check.pk}:{kind}:{check.version}",
            title=title, body=note)
    return check


def _notify(check: PersonMonthCheck, *, recipients: Iterable[int], leave_out: set[int],
            now: dt.datetime, key: str, title: Any, body: str = "") -> None:
    values = {"person": person_name(check.person), "month": month_text(check.month)}
    with translation.override(settings.LANGUAGE_CODE):
        text = str(title) % values
    rows = [NoteRow(recipient_id=user_id, key=key, at=now, title=text, body=body,
                    url=check_url(check.pk))
            for user_id in dict.fromkeys(recipients) if user_id not in leave_out]
    notifications_write(rows, run=uuid.uuid4().hex, now=now)
