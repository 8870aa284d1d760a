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

Then it measures, each over `--runs` runs (median, and the slowest):
- the sweep when nothing crosses;
- the sweep when 500 timers cross at once: before each run (untimed), 500 running timers
  not used before get a due instant one second in the past (and their breach, if the
  planner had marked one, is unmarked: it has no event yet); the run records 500
  breaches, refreshes their cases, writes the notifications and one digest per
  recipient, and delivers the digests (Django's in-memory mail backend);
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


BENCH_TABLES = ("tickets_customer", "tickets_case", "tickets_casetimer", "tickets_slaevent",
                "tickets_resolutiontally", "servicedesk_notification",
                "servicedesk_notificationdigest")


def _vacuum(*, freeze: bool = False) -> None:
    """VACUUM (and ANALYZE) the bench's tables, as autovacuum would in a real database.
    This machine's PostgreSQL runs with `autovacuum = off`: without this, each bench run's
    resets (500 timers crossed and put back, twelve times) leave dead rows in the sweep's
    partial indexes that every later run wades through. A no-op on SQLite. (It is not what
    made the dashboard slow on a fresh database: that was the machine's load; README.)"""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    options = "FREEZE, ANALYZE" if freeze else "ANALYZE"
    with connection.cursor() as cursor:
        for table in BENCH_TABLES:
            cursor.execute(f"VACUUM ({options}) {connection.ops.quote_name(table)}")
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    print(f"VACUUM ({options}) of the bench tables: {time.perf_counter() - started:.1f} s "
          f"(autovacuum is {autovacuum} on this server)")


def _sweep_runs(
    runs: int, crossings: int, now: dt.datetime
) -> tuple[list[float], list[int], SweepReport]:
    """Sweeps as of the same instant `now` (after a warm-up sweep at it, nothing else
    crosses by itself), with `crossings` timers made to cross before each run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from servicedesk.models import Notification, NotificationDigest
    from tickets.sla.models import CaseTimer, SlaEvent
    from tickets.sla.sweep import sla_sweep

    times, queries = [], []
    pool = []
    if crossings:
        pool = list(CaseTimer.objects.filter(state="running", events__isnull=True)
                    .values_list("pk", flat=True))
        random.Random(5).shuffle(pool)
    for run in range(runs):
        if crossings:
            ids = pool[run * crossings:(run + 1) * crossings]
            if len(ids) < crossings:
                raise RuntimeError(f"only {len(pool)} running timers to cross: use more cases")
            CaseTimer.objects.filter(pk__in=ids).update(
                due_at=now - dt.timedelta(seconds=1), warn_at=now - dt.timedelta(seconds=2),
                warned_at=now - dt.timedelta(seconds=2), breached_at=None,
            )
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            report = sla_sweep(now=now)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured.captured_queries))
        if report.breached != crossings:
            raise RuntimeError(f"expected {crossings} breaches, the sweep found {report}")
        if crossings:  # untimed: leave the data as it was, so the next bench run can repeat
            SlaEvent.objects.filter(timer_id__in=ids).delete()
            Notification.objects.filter(
                key__in=[f"sla:breached:{pk}" for pk in ids]).delete()
            NotificationDigest.objects.filter(notifications__isnull=True).delete()
    return times, queries, report


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

    from demo.org import seed_org
    from tickets.cases.models import Case
    from tickets.sla.models import CaseTimer

    call_command("migrate", verbosity=0)
    seed_org()
    _generate(args.cases)
    _vacuum()
    setup_test_environment()

    print(f"\n{connection.vendor}, DEBUG={settings.DEBUG}: {Case.objects.count():,} cases, "
          f"{Case.objects.filter(status__in=Case.OPEN_STATUSES).count():,} open, "
          f"{CaseTimer.objects.count():,} timers "
          f"({CaseTimer.objects.filter(state='running').count():,} running)")
    print(f"\n{'sweep':<34}{'median ms':>10}{'max ms':>9}{'queries':>9}{'first run':>11}")
    from django.utils import timezone

    from tickets.sla.sweep import sla_sweep

    now = timezone.now()
    print(f"warm-up sweep (crossings since the data was made): {sla_sweep(now=now)}")
    ours: dict[str, float] = {}
    for key, label, crossings in (("none", "nothing crosses", 0),
                                  ("due", "500 timers cross at once", 500)):
        times, queries, _ = _sweep_runs(args.runs, crossings, now)
        ours[key] = statistics.median(times)
        # Every run but the first: the first crossing run of a process also loads the
        # staff's business calendars (cached for 30 s; see servicedesk.calendars).
        steady = statistics.median(queries[1:] or queries)
        print(f"{label:<34}{statistics.median(times):>10.1f}{max(times):>9.1f}"
              f"{steady:>9.0f}{queries[0]:>11}")

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
