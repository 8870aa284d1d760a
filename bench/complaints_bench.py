"""The complaint list (`/complaints/`) and a complaint's page (`/complaints/<id>/`) against a
big database: 20,000 and then 200,000 complaints, each with its case, clocks, timeline,
grading decisions, proposals, follow-up and ledger entries (issue 11's acceptance: p95 ≤ 50 ms
on PostgreSQL with a query count that does not grow with the data).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_complaints_bench \\
        DEBUG=1 .venv/bin/python -m bench.complaints_bench --fresh
    DEBUG=1 DATABASE_URL=sqlite:////tmp/complaints.sqlite3 .venv/bin/python \\
        -m bench.complaints_bench --sizes 2000,10000

Creates the PostgreSQL database if it is missing (`--fresh`: drops it first), migrates it
and seeds the demo organisation. For each size of `--sizes` in turn it tops the bench
complaints up to that size (rows of `bench.complaint_rows`, by COPY on PostgreSQL, by
`demo.intake.fast_writer` elsewhere: rows the services would write, not the services
themselves), VACUUMs and ANALYZEs, checks that the ledger run (`charges_sync`) would change
nothing on a sample, and times with Django's test client, as the service center's
supervisor and its manager, over `--requests` requests each after a warm-up: the list
unfiltered and with a few filter combinations, its fifth page, and the pages of a sample
of complaints. It prints median and p95 in ms and the SQL queries per request. A size the
database already holds more than is skipped (said so): `--fresh` starts over.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from typing import Any

import django

from bench.intake_bench import _copy_writer, _ensure_postgres_database, _measure

BENCH_MARKER = "[投诉压测]"
SEED = 20261202
SPAN = dt.timedelta(days=730)  # filed over the last two years
OPEN_WINDOW = dt.timedelta(days=7)  # the complaints filed in the last week are open
CUSTOMERS_PER_COMPLAINT = 0.25
TABLES = ("tickets_customer", "tickets_case", "tickets_casetimer", "tickets_caseevent",
          "complaints_complaint", "complaints_graderecord", "complaints_proposal",
          "complaints_followup", "complaints_penaltyentry", "complaints_penaltyevent",
          "tickets_resolutiontally")


def _drop_postgres_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    params = {k: v for k, v in {"host": config.get("HOST"), "port": config.get("PORT"),
                                "user": config.get("USER"),
                                "password": config.get("PASSWORD")}.items() if v}
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(
            sql.Identifier(config["NAME"])))
    connection.close()
    print(f"dropped database {config['NAME']}")


def bench_complaints() -> Any:
    from complaints.handling.models import Complaint

    return Complaint.objects.filter(case__description=BENCH_MARKER)


def generate(count: int, *, stage: int, now: dt.datetime, chunk: int | None = None,
             span: dt.timedelta = SPAN, progress: Any = print) -> int:
    """Add `count` bench complaints (stage `stage`, a number no earlier call used, e.g. how
    many bench complaints there are: its own random stream, customer codes and case
    numbers) filed over the last `span` (two years), those of the last week open in every
    state. Returns the number of rows written."""
    from django.apps import apps
    from django.db import connection, transaction

    from bench import complaint_rows as rows
    from demo import intake as demo
    from demo.sla_planner import CaseHistory, TimerPlanner, cases_sla_refresh_between
    from tickets.cases.models import Case, SlaState
    from tickets.customers.models import Customer
    from tickets.sla.models import CaseTimer
    from tickets.sla.tallies import resolution_tallies_rebuild

    postgres = connection.vendor == "postgresql"
    write = _copy_writer(connection) if postgres else demo.fast_writer()
    chunk = chunk or (20_000 if postgres else 5_000)
    rng = random.Random(SEED + stage)
    org = rows.load_org()
    maker = rows.StoryMaker(org, rng)
    planner = TimerPlanner()
    models = {name: apps.get_model(label) for name, label in rows.TABLE_MODELS.items()}
    written = 0
    started = time.perf_counter()
    with transaction.atomic(), demo._stored_timestamps([Customer, Case, *models.values()]):
        ids = rows.Ids({name: demo._next_id(model) for name, model in models.items()})
        first_customer = demo._next_id(Customer)
        n_customers = max(10, round(count * CUSTOMERS_PER_COMPLAINT))
        write(Customer, [
            {"id": first_customer + i, "code": f"T{stage}-{i}", "name": f"投诉压测客户{i}",
             "phone": f"136{stage % 10}{i:07d}", "id_number": "", "company": "",
             "notes": BENCH_MARKER, "created_by_id": org.filers[0],
             "created_at": now - span - dt.timedelta(days=1), "updated_at": now}
            for i in range(n_customers)])
        written += n_customers
        first_case, next_timer = demo._next_id(Case), demo._next_id(CaseTimer)
        filed = sorted(now - span * rng.random() for _ in range(count))
        pending: dict[str, list[dict]] = {}

        def flush() -> None:
            nonlocal written
            cases = pending.pop("case", [])
            write(Case, cases)
            for name in ("casetimer", "caseevent", "complaint", "graderecord", "proposal",
                         "followup", "penaltyentry", "penaltyevent"):
                batch = pending.pop(name, [])
                write(CaseTimer if name == "casetimer" else models[name], batch)
                written += len(batch)
            written += len(cases)
            if cases:
                cases_sla_refresh_between(cases[0]["id"], cases[-1]["id"])

        for i, at in enumerate(filed):
            state = (rng.choice(rows.OPEN_STATES) if now - at < OPEN_WINDOW
                     else "closed")
            story = maker.story(complaint_id=ids.take("complaint"), case_id=first_case + i,
                                customer_id=first_customer + rng.randrange(n_customers),
                                filed_at=at, state=state)
            maker.times(story, now=now)
            category = story.type.category_id or org.general_category
            status = rows.case_status(story.state)
            timers = planner.plan(CaseHistory(
                case_id=story.case_id, kind="complaint", category_id=category,
                grade=story.grade, status=status, opened_at=at,
                accepted_at=story.dispatched_at, resolved_at=story.handed_in_at,
            ), now=now, swept=True)
            for row in timers:
                row["id"] = next_timer
                next_timer += 1
            records = list(rows.complaint_rows(story, ids=ids, org=org, timers=timers,
                                               now=now))
            events, version = rows.case_events(story, ids=ids, org=org, category=category)
            pending.setdefault("case", []).append({
                "id": story.case_id, "number": f"T{stage}-{i}", "kind": "complaint",
                "category_id": category, "customer_id": story.customer_id,
                "subject": f"{story.type.name}投诉", "description": BENCH_MARKER,
                "status": status, "grade": story.grade, "assignee_id": None, "team_id": None,
                "department_id": org.department_of.get(story.filer),
                "handling_department_id": (story.department if story.dispatched_at
                                           else None),
                "desk": story.desk, "first_contact_owner_id": story.filer,
                "promised_callback_at": None, "opened_at": at,
                "resolved_at": story.handed_in_at, "closed_at": story.closed_at,
                "sla_state": SlaState.NONE, "sla_due_at": None, "version": version,
                "created_by_id": story.filer,
                "updated_at": story.closed_at or story.handed_in_at or at,
            })
            pending.setdefault("casetimer", []).extend(timers)
            pending.setdefault("caseevent", []).extend(events)
            for table, row in records:
                pending.setdefault(table, []).append(row)
            if (i + 1) % chunk == 0:
                flush()
                progress(f"  … {i + 1:,}/{count:,} complaints "
                         f"({time.perf_counter() - started:.0f} s)")
        flush()
        demo.sequences_reset([Customer, Case, CaseTimer, *models.values()])
        resolution_tallies_rebuild()
    return written


def _vacuum() -> None:
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # (in a transaction, as in a test, VACUUM cannot run)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
    print(f"VACUUM (ANALYZE): {time.perf_counter() - started:.1f} s")


def ledger_check(*, sample: int = 300, now: dt.datetime) -> str:
    """`charges_sync` over a sample of the bench complaints, rolled back: what it would
    change in the ledger written here (nothing, when the rows are the services' own)."""
    from django.db import transaction

    from complaints.penalties.services import charges_sync

    ids = list(bench_complaints().order_by("?").values_list("pk", flat=True)[:sample])
    with transaction.atomic():
        report = charges_sync(complaint_ids=ids, now=now)
        transaction.set_rollback(True)
    return str(report)


def measure(*, requests: int, seed: int = 11) -> list[tuple[str, str, float, float, str]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from complaints.handling.models import ComplaintType
    from servicedesk.models import Department

    users = get_user_model().objects
    after_sales = Department.objects.get(code="after-sales").pk
    product = ComplaintType.objects.get(code="product-fault").pk
    rng = random.Random(seed)
    ids = list(bench_complaints().order_by("?").values_list("pk", flat=True)[:200])
    rng.shuffle(ids)
    plan = [
        ("list", "/complaints/"),
        ("list: grade A", "/complaints/?grade=A"),
        ("list: waiting for dispatch", "/complaints/?state=received"),
        ("list: dept + state", f"/complaints/?department={after_sales}&state=assessed"
                               "&state=proposed"),
        ("list: overdue", "/complaints/?overdue=true"),
        ("list: repeats", "/complaints/?repeat=true"),
        ("list: type + source", f"/complaints/?type={product}&source=hotline"),
        ("list: page 5", "/complaints/?page=5"),
        ("complaint page", None),
    ]
    results = []
    for username in ("supervisor", "manager"):
        client = Client()
        client.force_login(users.get(username=username))
        for label, url in plan:
            urls = [f"/complaints/{pk}/" for pk in ids] if url is None else None
            median, p95, qmin, qmax = _measure(client, url or "", requests=requests,
                                               urls=urls)
            results.append((label, username, median, p95,
                            str(qmin) if qmin == qmax else f"{qmin}–{qmax}"))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000",
                        help="complaint counts to measure at, ascending")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--fresh", action="store_true",
                        help="drop the PostgreSQL database first")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    if args.fresh:
        _drop_postgres_database()
    _ensure_postgres_database()
    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from demo.org import seed_org

    call_command("migrate", verbosity=0)
    seed_org()
    setup_test_environment()  # the test client's host name
    now = timezone.now()
    table: list[tuple[int, str, str, float, float, str]] = []
    for size in sizes:
        have = bench_complaints().count()
        if have > size:
            print(f"\n{size:,}: the database holds {have:,} bench complaints already "
                  f"(--fresh to measure this size)")
            continue
        if have < size:
            started = time.perf_counter()
            written = generate(size - have, stage=have, now=now)
            print(f"generated {size - have:,} complaints ({written:,} rows) in "
                  f"{time.perf_counter() - started:.1f} s")
        _vacuum()
        print(f"ledger check (charges_sync over 300 of them, rolled back): "
              f"{ledger_check(now=timezone.now())}")
        for label, username, median, p95, queries in measure(requests=args.requests):
            table.append((size, label, username, median, p95, queries))

    print(f"\n{connection.vendor}, DEBUG={settings.DEBUG}, {args.requests} requests each")
    print(f"{'complaints':>10}  {'page':<28}{'user':<12}{'median ms':>10}{'p95 ms':>9}"
          f"{'queries':>9}")
    for size, label, username, median, p95, queries in table:
        print(f"{size:>10,}  {label:<28}{username:<12}{median:>10.1f}{p95:>9.1f}"
              f"{queries:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
