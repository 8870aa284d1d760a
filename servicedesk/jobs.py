"""Periodic jobs that one bad row cannot stop (issue 10 item 1).

A periodic job works set-based: it selects what is due and handles it in a few statements.
One row that makes such a statement (or the Python around it) raise must not hold up the
others, or one poison row stops the job for everyone, every minute. `job_run` and `JobRun`
give each job

- a fast path: the run's transaction with its batches as they are, no savepoint, so the
  normal run keeps its bounded query count;
- when a row error escapes the fast path, the run is rolled back and done again carefully:
  each batch in a savepoint, and a batch that raises is rolled back to it and split in
  halves until the failing rows are alone (a few savepoints, not one per row); the other
  rows go through;
- a `JobFailure` per job and row (unique), written once and counted on each later failure;
  the failure is logged when it first appears (not every minute) and listed on the health
  page and by `/healthz` until the row goes through;
- rows that failed before are tried alone on each later run (the row is retried, its
  batch no longer pays for it), and a row that then succeeds clears its record.

A row key is the model label and the primary key ("tickets.casetimer:42").
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django.db import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    models,
    transaction,
)
from django.db.models import F

from servicedesk.models import JobFailure

logger = logging.getLogger("servicedesk.jobs")

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_BATCH = 1000
ERROR_LIMIT = 2000
# More failing rows than this in one run is not a few bad rows but a broken job (a bug, a
# missing column): the run stops and rolls back, as any failed run did before.
MAX_ROW_FAILURES = 20


def job_level(exc: BaseException) -> bool:
    """Errors that are about the run, not a row: the database connection or server
    (including a deadlock or a cancelled statement, retried by the next run), a statement
    the database cannot run at all (a bug in the job, whatever the row) and Celery's soft
    time limit. They stop the run instead of being pinned on a row."""
    if isinstance(exc, OperationalError | InterfaceError | ProgrammingError):
        return True
    return type(exc).__name__ == "SoftTimeLimitExceeded"


class TooManyRowFailures(RuntimeError):
    """More rows failed in one run than `MAX_ROW_FAILURES`."""


def row_key(model: type[models.Model] | str, pk: object) -> str:
    """The failure key of one row: model label and primary key."""
    label = model if isinstance(model, str) else model._meta.label_lower
    return f"{label}:{pk}"


class JobRun:
    """One run of a periodic job named `job` (phases are named `job/phase`). Loads the job's
    unresolved failures once (one query, on first need), isolates failing rows, and writes
    what it learnt in `finish()` (nothing when nothing failed or recovered)."""

    def __init__(self, job: str, *, now: dt.datetime, careful: bool = True) -> None:
        self.job = job
        self.now = now
        self.careful = careful  # batches in savepoints, split when they raise
        self._known: dict[str, set[str]] | None = None
        self.failed: dict[tuple[str, str], str] = {}  # (job, row) -> error
        self.recorded = 0  # failures written by finish()
        self._recovered: set[tuple[str, str]] = set()
        self._seen: dict[str, set[str]] = {}

    # --- what failed before --------------------------------------------------------------

    def _load(self) -> dict[str, set[str]]:
        if self._known is None:
            known: dict[str, set[str]] = {}
            for job, row in JobFailure.objects.filter(
                job__startswith=self.job, resolved_at__isnull=True
            ).values_list("job", "row"):
                if job == self.job or job.startswith(self.job + "/"):
                    known.setdefault(job, set()).add(row)
            self._known = known
        return self._known

    def failing(self, phase: str = "") -> set[str]:
        """Row keys of this job (phase) that failed before and are not resolved."""
        return set(self._load().get(self._name(phase), set()))

    def _name(self, phase: str) -> str:
        return f"{self.job}/{phase}" if phase else self.job

    # --- running rows ----------------------------------------------------------------------

    def each(self, rows: Sequence[T], work: Callable[[list[T]], R], *,
             key: Callable[[T], str], phase: str = "",
             batch_size: int = DEFAULT_BATCH) -> list[R]:
        """Run `work` over `rows` in batches of `batch_size`: as they are on the fast path,
        each in a savepoint (split in halves when it raises) when careful. Rows that failed
        before go alone, in a savepoint, after the batches. Returns the results of the
        batches that went through; the rows that failed are in `self.failed`."""
        name = self._name(phase)
        known = self.failing(phase)
        fresh = [r for r in rows if key(r) not in known]
        suspects = [r for r in rows if key(r) in known]
        self._seen.setdefault(name, set()).update(key(r) for r in rows)
        results: list[R] = []
        for start in range(0, len(fresh), batch_size):
            batch = fresh[start:start + batch_size]
            if self.careful:
                results += self._attempt(batch, work, key, name, known)
            else:
                results.append(work(batch))  # an error rolls the fast run back (job_run)
        for row in suspects:
            results += self._attempt([row], work, key, name, known)
        return results

    def _attempt(self, rows: list[T], work: Callable[[list[T]], R],
                 key: Callable[[T], str], name: str, known: set[str]) -> list[R]:
        if not rows:
            return []
        try:
            with transaction.atomic():
                result = work(rows)
        except Exception as exc:  # any error of a row is isolated
            if job_level(exc) or isinstance(exc, TooManyRowFailures):
                raise
            if len(rows) == 1:
                self.fail(key(rows[0]), exc, phase_name=name)
                return []
            middle = len(rows) // 2
            return (self._attempt(rows[:middle], work, key, name, known)
                    + self._attempt(rows[middle:], work, key, name, known))
        self._recovered.update((name, key(r)) for r in rows if key(r) in known)
        return [result]

    def fail(self, row: str, exc: BaseException | str, *, phase: str = "",
             phase_name: str | None = None) -> None:
        """Note that `row` failed (for rows a job isolates by itself)."""
        name = phase_name or self._name(phase)
        error = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        self.failed[(name, row)] = error[:ERROR_LIMIT]
        self._seen.setdefault(name, set()).add(row)
        if len(self.failed) > MAX_ROW_FAILURES:
            raise TooManyRowFailures(
                f"{self.job}: more than {MAX_ROW_FAILURES} rows failed in one run "
                f"(the last: {row}: {error})") from (exc if isinstance(exc, BaseException)
                                                     else None)

    def succeeded(self, rows: Iterable[str], *, phase: str = "") -> None:
        """Note that these rows went through (for rows a job isolates by itself)."""
        name = self._name(phase)
        known = self.failing(phase) if self._known is not None else set()
        self._recovered.update((name, r) for r in rows if r in known)

    def resolve_unseen(self, phase: str = "") -> None:
        """The phase saw every row that is due: a row that failed before and is no longer
        due (fixed by hand, closed) is resolved too."""
        name = self._name(phase)
        seen = self._seen.get(name, set())
        self._recovered.update((name, r) for r in self.failing(phase) - seen)

    # --- writing it down -------------------------------------------------------------------

    def finish(self) -> None:
        """Record the failures (one row per job and row, counted) and clear the rows that
        went through. No query when nothing failed or recovered."""
        known = self._known or {}
        recovered = {k for k in self._recovered if k not in self.failed}
        by_job: dict[str, list[str]] = {}
        for job, row in recovered:
            by_job.setdefault(job, []).append(row)
        for job, rows in by_job.items():
            JobFailure.objects.filter(job=job, row__in=rows, resolved_at__isnull=True).update(
                resolved_at=self.now)
        for (job, row), error in self.failed.items():
            if row not in known.get(job, set()):
                # Once per appearance, with the row: not every minute it keeps failing.
                logger.error("periodic job %s: row %s failed and is skipped until it goes "
                             "through: %s", job, row, error)
            _failure_record(job=job, row=row, error=error, now=self.now)
        self.recorded += len(self.failed)
        self.failed.clear()
        self._recovered.clear()


def job_run(job: str, body: Callable[[JobRun], R], *, now: dt.datetime) -> tuple[R, JobRun]:
    """Run `body` in one transaction on the fast path; when a row error escapes it, roll
    it back and run `body` again carefully (`JobRun.careful`). Errors about the run itself
    (`job_level`) are not retried. Returns what `body` returned and the run."""
    run = JobRun(job, now=now, careful=False)
    try:
        with transaction.atomic():
            result = body(run)
            run.finish()
        return result, run
    except Exception as exc:
        if job_level(exc) or isinstance(exc, TooManyRowFailures):
            raise
    run = JobRun(job, now=now, careful=True)
    with transaction.atomic():
        result = body(run)
        run.finish()
    return result, run


def _failure_record(*, job: str, row: str, error: str, now: dt.datetime) -> None:
    values = {"error": error, "last_seen_at": now, "resolved_at": None}
    if JobFailure.objects.filter(job=job, row=row).update(count=F("count") + 1, **values):
        return
    try:
        with transaction.atomic():
            JobFailure.objects.create(job=job, row=row, first_seen_at=now, count=1, **values)
    except IntegrityError:  # a concurrent run recorded it first
        JobFailure.objects.filter(job=job, row=row).update(count=F("count") + 1, **values)

