"""The SLA sweep and the supervisors' dashboard against a big database: 1,000,000 cases of
which 50,000 are open, each with the timers its policy starts (about 2.3 million rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_sla_bench \\
        DEBUG=1 .venv/bin/python -m bench.sla_bench
    ... -m bench.sla_bench --cases 100000      # another database: figures at 100k
    DEBUG=1 DATABASE_URL=sqlite:////tmp/sla.sqlite3 .venv/bin/python -m bench.sla_bench \\
        --cases 20000

Creates the PostgreSQL database if it is missing, migrates it, seeds the demo organisation
and, unless the bench rows exist already, writes customers, cases and timers by COPY
(bulk_create elsewhere). Timers come from `demo.sla_planner` with `swept=True`: every
crossing before now is already recorded, so a sweep at now has nothing to do; the cases'
SLA summaries come from the sweep's own `cases_sla_refresh`, chunk by chunk.

The complaint cases (15 %) get their complaint records (`bench.complaint_rows`: the
complaint in the state its case is in, its grading decision, proposal and follow-up, the
person responsible once the department judged it, and the ledger entries of its closure and
late clocks); a database generated before complaints existed gets them on its next run.

Then it measures, each over `--runs` runs (median, and the slowest):
- the sweep when nothing crosses;
- the sweep when 500 timers cross at once: before each run (untimed), 500 running timers
  not used before get a due instant one second in the past (and their breach, if the
  planner had marked one, is unmarked: it has no event yet); the run records 500
  breaches, refreshes their cases,
  charges the complaints among them in the penalty ledger (the sweep's listener,
  `complaints.penalties.services.crossings_charge`: late acceptance, late completion),
  writes the notifications and one digest per recipient, and delivers the digests
  (Django's in-memory mail backend). Runs with the sweep's listeners taken out (the
  figure before the ledger existed) alternate with these, and the ratio of the two
  medians is printed (issue 11: within 1.5×); the ledger rows each run wrote are put
  back after it, like the rest;
- the dashboard (page fragment and API) as a supervisor and as a manager, over
  `--requests` requests with Django's test client: median, p95 and SQL queries.
Targets on PostgreSQL: sweep ≤ 300 ms with 500 crossings, ≤ 50 ms with none; dashboard
p95 ≤ 100 ms with a query count that does not grow with the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from typing import TYPE_CHECKING

import django

from bench.intake_bench import _copy_writer, _ensure_postgres_database, _measure

if TYPE_CHECKING:
    from tickets.sla.sweep import SweepReport

BENCH_MARKER = "[时限压测]"
CHUNK = 50_000
OPEN_SHARE = 0.05


def _generate(total: int) -> None:
    from django.db import connection, transaction

    from demo import intake as demo
    from demo.sla_planner import CaseHistory, TimerPlanner, cases_sla_refresh_between
    from tickets.cases.models import Case, SlaState
    from tickets.customers.models import Customer
    from tickets.sla.models import CaseTimer
    from tickets.sla.tallies import resolution_tallies_rebuild

    if Customer.objects.filter(notes__startswith=BENCH_MARKER).exists():
        print("bench rows exist already: measuring only")
        return
    org = demo.load_org()
    postgres = connection.vendor == "postgresql"
    write = _copy_writer(connection) if postgres else demo.bulk_writer()
    chunk = CHUNK if postgres else demo.BATCH
    rng = random.Random(20261123)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    planner = TimerPlanner()
    leaves: dict[str, list] = {}
    for category in org.categories.values():
        leaves.setdefault(category.kind, []).append(category)
    kinds = [k for k, w in demo.KINDS for _ in range(w)]
    grades = [g for g, w in demo.GRADES for _ in range(w)]
    agents = org.tier1 + org.tier2

    with transaction.atomic(), demo._stored_timestamps([Customer, Case]):
        first_customer = demo._next_id(Customer)
        n_customers = max(100, total // 50)
        write(Customer, [
            {"id": first_customer + i, "code": f"B{i:09d}", "name": f"压测客户{i}",
             "phone": f"139{i:08d}", "id_number": "", "company": "",
             "notes": BENCH_MARKER, "created_by_id": org.tier1[0],
             "created_at": now - dt.timedelta(days=400), "updated_at": now}
            for i in range(n_customers)
        ])
        first_case, next_timer = demo._next_id(Case), demo._next_id(CaseTimer)
        n_open = round(total * OPEN_SHARE)
        cases, timers = [], []
        for i in range(total):
            pk = first_case + i
            is_open = i >= total - n_open  # the newest cases are the open ones
            kind = rng.choice(kinds)
            category = rng.choice(leaves[kind])
            grade = rng.choice(grades) if kind == "complaint" else ""
            if is_open:
                opened = now - dt.timedelta(minutes=rng.randint(1, 7 * 24 * 60))
                roll = rng.random()
                status = "new" if roll < 0.3 else "waiting_customer" if roll < 0.4 \
                    else "in_progress"
                if grade == "D" and status == "new":
                    grade = "C"  # D is the verdict's: a complaint waiting for dispatch has none
            else:
                opened = now - dt.timedelta(minutes=rng.randint(7 * 24 * 60, 365 * 24 * 60))
                status = "closed"
            accepted = (opened + dt.timedelta(minutes=rng.randint(1, 90))
                        if status != "new" else None)
            resolved = (accepted + dt.timedelta(minutes=rng.randint(2, 4 * 24 * 60))
                        if status == "closed" else None)
            planned_timers = planner.plan(
                CaseHistory(case_id=pk, kind=kind, category_id=category.pk, grade=grade,
                            status=status, opened_at=opened, accepted_at=accepted,
                            waiting_since=accepted if status == "waiting_customer" else None,
                            resolved_at=resolved),
                now=now, swept=True,
            )
            if rng.random() < 0.8 or not org.business:
                department = org.cs
                assignee = rng.choice(agents)
                team = org.team_of.get(assignee)
            else:
                department = rng.choice(org.business)
                assignee, team = org.head_of[department], org.team_in[department]
            cases.append({
                "id": pk, "number": f"B{i:012d}", "kind": kind, "category_id": category.pk,
                "customer_id": first_customer + rng.randrange(n_customers),
                "subject": category.name, "description": "", "status": status,
                "grade": grade, "assignee_id": assignee, "team_id": team,
                "department_id": department, "handling_department_id": None, "desk": "",
                "first_contact_owner_id": assignee,
                "promised_callback_at": None, "opened_at": opened,
                "resolved_at": resolved, "closed_at": resolved,
                "sla_state": SlaState.NONE, "sla_due_at": None, "version": 1,
                "created_by_id": assignee, "updated_at": resolved or opened,
            })
            for row in planned_timers:
                row["id"] = next_timer
                next_timer += 1
                timers.append(row)
            if len(cases) >= chunk:
                write(Case, cases)
                write(CaseTimer, timers)
                cases_sla_refresh_between(cases[0]["id"], cases[-1]["id"])
                cases, timers = [], []
        write(Case, cases)
        write(CaseTimer, timers)
        if cases:
            cases_sla_refresh_between(cases[0]["id"], cases[-1]["id"])
        demo.sequences_reset([Customer, Case, CaseTimer])
        resolution_tallies_rebuild()
    if postgres:
        _vacuum(freeze=True)
    print(f"generated {total:,} cases ({n_open:,} open) and "
          f"{CaseTimer.objects.count():,} timers in {time.perf_counter() - started:.1f} s")


def _complaint_records(now: dt.datetime) -> None:
    """Complaint records for the bench's complaint cases that have none (all of them in a
    database generated before complaints existed): the state follows the case (new:
    waiting for dispatch; in progress: dispatched or judged; waiting for the customer: a
    proposal accepted; closed: closed), the type its category, the grade its grade (D: the
    department found it invalid), with the grading decision, proposal, follow-up and the
    ledger entries `charges_sync` keeps for those facts (`bench.complaint_rows`); the case
    gets its handling department. A complaint case graded D while still new is left
    without one (D is the verdict's grade); a freshly generated database has none."""
    from django.apps import apps
    from django.db import connection, transaction
    from django.db.models import OuterRef, Subquery

    from bench import complaint_rows as rows
    from demo import intake as demo
    from tickets.cases.models import Case
    from tickets.sla.models import CaseTimer, TimerKind

    cases = Case.objects.filter(kind="complaint", number__startswith="B",
                                complaint__isnull=True).exclude(status="new", grade="D")
    total = cases.count()
    if not total:
        return
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    write = _copy_writer(connection) if postgres else demo.fast_writer()
    org = rows.load_org()
    maker = rows.StoryMaker(org, random.Random(20261202))
    models = {name: apps.get_model(label) for name, label in rows.TABLE_MODELS.items()}
    by_category: dict[int, list] = {}
    for kind in org.types:
        by_category.setdefault(kind.category_id or org.general_category, []).append(kind)
    state_of = {"new": ["received"], "in_progress": ["dispatched", "assessed"],
                "waiting_customer": ["proposed"], "resolved": ["resolved"],
                "closed": ["closed"]}
    accepted = CaseTimer.objects.filter(case_id=OuterRef("pk"), kind=TimerKind.ACCEPTANCE,
                                        state="met").values("stopped_at")[:1]
    penalty_clocks = (TimerKind.ACCEPTANCE, TimerKind.RESOLUTION)
    timer_fields = ("id", "case_id", "kind", "state", "due_at", "stopped_at", "paused_at",
                    "breached_at")
    ids = rows.Ids({name: demo._next_id(model) for name, model in models.items()
                    if name != "caseevent"})
    last = 0
    done = 0
    with transaction.atomic(), demo._stored_timestamps(list(models.values())):
        while True:
            batch = list(cases.filter(pk__gt=last).order_by("pk").annotate(
                accepted_at=Subquery(accepted)).values_list(
                "pk", "status", "grade", "opened_at", "resolved_at", "closed_at",
                "first_contact_owner_id", "customer_id", "category_id", "accepted_at")[:CHUNK])
            if not batch:
                break
            last = batch[-1][0]
            timers: dict[int, list[dict]] = {}
            for row in CaseTimer.objects.filter(
                    case_id__in=[b[0] for b in batch], kind__in=penalty_clocks).values(
                    *timer_fields):
                timers.setdefault(row["case_id"], []).append(row)
            pending: dict[str, list[dict]] = {}
            for (pk, status, grade, opened, resolved, closed, owner, customer, category,
                 accepted_at) in batch:
                story = maker.story(
                    complaint_id=ids.take("complaint"), case_id=pk, customer_id=customer,
                    filed_at=opened, state=maker.rng.choice(state_of[status]), filer=owner,
                    grade=grade, type=maker.rng.choice(by_category.get(category)
                                                       or org.types))
                maker.times(story, now=now, accepted=accepted_at, resolved=resolved,
                            closed=closed)
                for table, row in rows.complaint_rows(story, ids=ids, org=org,
                                                      timers=timers.get(pk, []), now=now):
                    pending.setdefault(table, []).append(row)
            for name in ("complaint", "graderecord", "proposal", "followup", "penaltyentry",
                         "penaltyevent"):
                write(models[name], pending.get(name, []))
            done += len(batch)
            print(f"  … complaint records {done:,}/{total:,} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        complaint = models["complaint"]._meta.db_table
        case = Case._meta.db_table
        with connection.cursor() as cursor:  # the dispatch's hand-over, for every record
            cursor.execute(
                f"UPDATE {case} SET handling_department_id = ("  # noqa: S608 - model names
                f"  SELECT c.handling_department_id FROM {complaint} c"
                f"  WHERE c.case_id = {case}.id)"
                f" WHERE {case}.kind = 'complaint' AND {case}.handling_department_id IS NULL"
                f" AND EXISTS (SELECT 1 FROM {complaint} c WHERE c.case_id = {case}.id"
                f"  AND c.handling_department_id IS NOT NULL)")
        demo.sequences_reset(list(models.values()))
    print(f"complaint records for {done:,} complaint cases in "
          f"{time.perf_counter() - started:.1f} s")


# What a re-quote changes on a ledger entry (put back after each crossing run).
LEDGER_FIELDS = ["state", "amount", "quoted_amount", "person", "department", "rule_set",
                 "administrative_sanction", "evidence", "updated_at", "version"]

BENCH_TABLES = ("tickets_customer", "tickets_case", "tickets_casetimer", "tickets_slaevent",
                "tickets_resolutiontally", "servicedesk_notification",
                "servicedesk_notificationdigest", "complaints_complaint",
                "complaints_graderecord", "complaints_proposal", "complaints_followup",
                "complaints_penaltyentry", "complaints_penaltyevent")


def _vacuum(*, freeze: bool = False) -> None:
    """VACUUM (and ANALYZE) the bench's tables, as autovacuum would in a real database.
    This machine's PostgreSQL runs with `autovacuum = off`: without this, each bench run's
    resets (500 timers crossed and put back, twelve times) leave dead rows in the sweep's
    partial indexes that every later run wades through. A no-op on SQLite. (It is not what
    made the dashboard slow on a fresh database: that was the machine's load; README.)"""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # (in a transaction, as in a test, VACUUM cannot run)
    started = time.perf_counter()
    options = "FREEZE, ANALYZE" if freeze else "ANALYZE"
    with connection.cursor() as cursor:
        for table in BENCH_TABLES:
            cursor.execute(f"VACUUM ({options}) {connection.ops.quote_name(table)}")
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    print(f"VACUUM ({options}) of the bench tables: {time.perf_counter() - started:.1f} s "
          f"(autovacuum is {autovacuum} on this server)")


def _crossing_pool() -> list[int]:
    """The running timers the crossing runs take theirs from, in a fixed random order."""
    from tickets.sla.models import CaseTimer

    pool = list(CaseTimer.objects.filter(state="running", events__isnull=True)
                .order_by("pk").values_list("pk", flat=True))
    random.Random(5).shuffle(pool)
    return pool


def _sweep_runs(
    runs: int, crossings: int, now: dt.datetime, *, pool: list[int] | None = None,
    offset: int = 0, listeners: bool = True,
) -> tuple[list[float], list[int], SweepReport, int]:
    """Sweeps as of the same instant `now` (after a warm-up sweep at it, nothing else
    crosses by itself), with `crossings` timers made to cross before each run (slices of
    `pool`, `_crossing_pool()` by default, from the `offset`th on); without the sweep's
    listeners (`tickets.sla.sweep`'s: the penalty ledger's) when `listeners` is False.
    Also returns how many ledger rows the runs wrote (an entry charged or re-quoted writes
    one event each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaints.penalties.models import PenaltyEntry, PenaltyEvent
    from servicedesk.models import Notification, NotificationDigest
    from tickets.sla import sweep
    from tickets.sla.models import CaseTimer, SlaEvent
    from tickets.sla.sweep import sla_sweep

    times, queries = [], []
    charged = 0
    if crossings and pool is None:
        pool = _crossing_pool()
    saved = list(sweep._crossing_listeners)
    for run in range(offset, offset + runs):
        if crossings and pool is not None:
            ids = pool[run * crossings:(run + 1) * crossings]
            if len(ids) < crossings:
                raise RuntimeError(f"only {len(pool)} running timers to cross: use more cases")
            CaseTimer.objects.filter(pk__in=ids).update(
                due_at=now - dt.timedelta(seconds=1), warn_at=now - dt.timedelta(seconds=2),
                warned_at=now - dt.timedelta(seconds=2), breached_at=None,
            )
            cases = list(CaseTimer.objects.filter(pk__in=ids).values_list("case_id",
                                                                          flat=True))
            # what the ledger said of these complaints before (a late clock crossed again
            # is re-quoted: put back after the run)
            ledger = list(PenaltyEntry.objects.filter(complaint__case_id__in=cases))
        if not listeners:
            sweep._crossing_listeners.clear()
        try:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                report = sla_sweep(now=now)
                times.append((time.perf_counter() - started) * 1000)
        finally:
            sweep._crossing_listeners[:] = saved
        queries.append(len(captured.captured_queries))
        if report.breached != crossings:
            raise RuntimeError(f"expected {crossings} breaches, the sweep found {report}")
        if crossings:  # untimed: leave the data as it was, so the next bench run can repeat
            events = PenaltyEvent.objects.filter(entry__complaint__case_id__in=cases, at=now)
            charged += events.count()
            events.delete()
            PenaltyEntry.objects.filter(complaint__case_id__in=cases, created_at=now).delete()
            PenaltyEntry.objects.bulk_update(ledger, fields=LEDGER_FIELDS, batch_size=500)
            SlaEvent.objects.filter(timer_id__in=ids).delete()
            Notification.objects.filter(
                key__in=[f"sla:breached:{pk}" for pk in ids]).delete()
            NotificationDigest.objects.filter(notifications__isnull=True).delete()
    return times, queries, report, charged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument(
        "--peer", default="run",
        help="run: run the shared peer benchmark (django-helpdesk) after ours and print the "
             "ratio; PATH: read the peer's results JSON of an earlier run; skip: no peer")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    _ensure_postgres_database()
    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from demo.org import seed_org
    from tickets.cases.models import Case
    from tickets.sla.models import CaseTimer

    call_command("migrate", verbosity=0)
    seed_org()
    _generate(args.cases)
    _complaint_records(timezone.now())
    _vacuum()
    setup_test_environment()

    print(f"\n{connection.vendor}, DEBUG={settings.DEBUG}: {Case.objects.count():,} cases, "
          f"{Case.objects.filter(status__in=Case.OPEN_STATUSES).count():,} open, "
          f"{CaseTimer.objects.count():,} timers "
          f"({CaseTimer.objects.filter(state='running').count():,} running)")
    from complaints.handling.models import Complaint
    from tickets.sla.sweep import sla_sweep

    print(f"complaint cases: {Case.objects.filter(kind='complaint').count():,}, with their "
          f"complaint record: {Complaint.objects.count():,}")
    print(f"\n{'sweep':<42}{'median ms':>10}{'max ms':>9}{'queries':>9}{'first run':>11}"
          f"{'ledger':>8}")
    now = timezone.now()
    print(f"warm-up sweep (crossings since the data was made): {sla_sweep(now=now)}")
    ours: dict[str, float] = {}
    figures: dict[str, tuple[list[float], list[int], int]] = {}
    times, queries, _, charged = _sweep_runs(args.runs, 0, now)
    figures["none"] = (times, queries, charged)
    # The runs without and with the ledger's listener alternate, so that the machine's load
    # weighs on both alike. (The first crossing run of a process also loads the staff's
    # business calendars, cached for 30 s: servicedesk.calendars; it is one without.)
    pool = _crossing_pool()
    for run in range(args.runs):
        for key, listeners in (("due_bare", False), ("due", True)):
            times, queries, _, charged = _sweep_runs(
                1, 500, now, pool=pool, offset=2 * run + listeners, listeners=listeners)
            before = figures.get(key, ([], [], 0))
            figures[key] = (before[0] + times, before[1] + queries, before[2] + charged)
    for key, label in (("none", "nothing crosses"),
                       ("due_bare", "500 cross, without the ledger listener"),
                       ("due", "500 cross, with the ledger (complaints)")):
        times, queries, charged = figures[key]
        ours[key] = statistics.median(times)
        steady = statistics.median(queries[1:] or queries)  # every run but the first
        print(f"{label:<42}{statistics.median(times):>10.1f}{max(times):>9.1f}"
              f"{steady:>9.0f}{queries[0]:>11}{charged / args.runs:>8.0f}")
    print(f"with the ledger / without: {ours['due'] / ours['due_bare']:.2f}× "
          f"(issue 11: within 1.5×); ledger: rows charged or re-quoted per run (mean)")

    users = get_user_model().objects
    plan = []
    for label, name in (("dashboard figures (htmx)", "reporting:sla"),
                        ("dashboard API", "api-sla-dashboard")):
        try:
            plan.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    if not plan:
        print("\n(no dashboard installed: nothing more to measure)")
        return 0
    print(f"\n{'dashboard':<34}{'user':<12}{'median ms':>10}{'p95 ms':>9}{'queries':>9}")
    for label, url in plan:
        for username in ("supervisor", "manager"):
            client = Client()
            client.force_login(users.get(username=username))
            median, p95, qmin, qmax = _measure(client, url, requests=args.requests,
                                               headers={"HX-Request": "true"})
            span = str(qmin) if qmin == qmax else f"{qmin}–{qmax}"
            print(f"{label:<34}{username:<12}{median:>10.1f}{p95:>9.1f}{span:>9}")
    _peer_compare(args, ours, cases=args.cases)
    return 0


# --- the peer: django-helpdesk's escalate_tickets on the same data size -------------------

PEER_SCRIPT = "peer-bench/django_helpdesk_escalation.sh"
PEER_SIZES = {1_000_000: "1m", 100_000: "100k", 10_000: "10k"}


def _peer_script() -> str | None:
    """The shared peer benchmark: $PEER_BENCH_SCRIPT, or shared/peer-bench/ beside the
    repository or one of its parents (CI lays shared/ beside the clone)."""
    explicit = os.environ.get("PEER_BENCH_SCRIPT")
    if explicit:
        return explicit if os.path.exists(explicit) else None
    probe = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for _ in range(3):
        probe = os.path.dirname(probe)
        candidate = os.path.join(probe, "shared", PEER_SCRIPT)
        if os.path.exists(candidate):
            return candidate
    return None


def _peer_compare(args: argparse.Namespace, ours: dict[str, float], *, cases: int) -> None:
    """Print the ratio of the peer's in-process `escalate_tickets` (`handle()` of its
    counted run) to our sweep's median, both measured in this run: the peer is run here
    (`--peer run`, about 4 minutes at 1M, in its own scratch folder and database), or its
    results file of an earlier run is read (`--peer PATH`, said so)."""
    import json
    import shutil
    import subprocess

    if args.peer == "skip":
        return
    size = PEER_SIZES.get(cases)
    if size is None:
        print(f"\npeer: no peer size matches {cases:,} cases (1m, 100k, 10k): no ratio")
        return
    if args.peer == "run":
        script = _peer_script()
        if script is None:
            print("\npeer: shared/peer-bench/ is not beside the repository (set "
                  "PEER_BENCH_SCRIPT): no ratio")
            return
        root = os.environ.get("PEER_ROOT") or os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "peer-bench")
        print(f"\npeer: running {script} {size} in {root} (about 4 minutes at 1m) …",
              flush=True)
        env = {**os.environ, "PEER_ROOT": root}
        for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"):
            env.pop(name, None)
        bash = shutil.which("bash") or "/bin/bash"
        # The shared script, our own argument: not untrusted input.
        done = subprocess.run([bash, script, size], env=env, check=False)  # noqa: S603
        if done.returncode != 0:
            print(f"peer: the script failed (exit {done.returncode}): no ratio")
            return
        path, source = os.path.join(root, "results", f"{size}.json"), "run by this bench"
    else:
        path, source = args.peer, f"read from {args.peer} (an earlier run, not this one)"
    with open(path) as f:
        peer = json.load(f)
    scenarios = {s["scenario"]: s for s in peer["scenarios"]}
    pairs = (("due", "escalate (default)", "500 crossings / 500 due"),
             ("none", "nothing due", "nothing crosses / nothing due"))
    print(f"\npeer: django-helpdesk {peer['versions']['django-helpdesk']} escalate_tickets, "
          f"{peer['data']['tickets']:,} tickets ({source})")
    print(f"{'':<32}{'ours ms':>9}{'peer ms':>10}{'peer queries':>14}{'ratio':>8}")
    for key, scenario, label in pairs:
        counted = scenarios[scenario]["counted"]
        theirs = counted["handle_s"] * 1000
        print(f"{label:<32}{ours[key]:>9.1f}{theirs:>10.0f}{counted['queries']:>14,}"
              f"{theirs / ours[key]:>7.0f}×")


if __name__ == "__main__":
    sys.exit(main())
