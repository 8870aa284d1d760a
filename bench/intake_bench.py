"""Intake pages and API against a big database: 150,000 customers, 1,000,000 contacts and
200,000 cases (the service center's department owns a fifth of them).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench \\
        DEBUG=1 .venv/bin/python -m bench.intake_bench
    DEBUG=1 DATABASE_URL=sqlite:////tmp/bench.sqlite3 \\
        .venv/bin/python -m bench.intake_bench --scale 0.01

Creates the PostgreSQL database if it is missing, migrates it, seeds the demo organisation
and then, unless the bench rows exist already (a second run only measures), generates the
rows with `demo.intake.generate`: through COPY on PostgreSQL (well under five minutes),
through bulk_create elsewhere. `--scale` multiplies the row counts; SQLite at full size works
but takes many minutes, so use e.g. `--scale 0.01` there.

Then, with Django's test client (in process, so "server time" includes middleware and
templates but no network), it times each endpoint over `--requests` requests after a
warm-up, and counts its SQL queries: the phone lookup (HTMX), a tier-1 agent's queue (the
cs agent whose open cases are nearest to 30), case detail and the cases API list.
Target on PostgreSQL: p95 ≤ 50 ms and query counts independent of the data size.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time

import django

BENCH_MARKER = "[压测数据]"
CUSTOMERS, CONTACTS, CASES = 150_000, 1_000_000, 200_000
CHUNK = 50_000


def _ensure_postgres_database() -> None:
    """CREATE DATABASE when DATABASE_URL names a PostgreSQL database that does not exist."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
              "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
    params = {k: v for k, v in params.items() if v}
    try:
        psycopg2.connect(dbname=config["NAME"], **params).close()
        return
    except psycopg2.OperationalError as error:
        if "does not exist" not in str(error):
            raise
    connection = psycopg2.connect(dbname="postgres", **params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    connection.close()
    print(f"created database {config['NAME']}")


def _csv_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds()} seconds"
    return value


def _copy_writer(connection):
    def write(model, rows: list[dict]) -> None:
        if not rows:
            return
        fields = model._meta.concrete_fields
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([_csv_value(row[f.attname]) for f in fields])
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
            )
    return write


def _generate(scale: float) -> None:
    from django.db import connection, transaction

    from demo import intake as demo
    from tickets.cases.models import Case, CaseEvent
    from tickets.contacts.models import Contact
    from tickets.customers.models import Customer
    from tickets.sla.models import CaseTimer

    counts = demo.Counts(customers=max(1, round(CUSTOMERS * scale)),
                         contacts=round(CONTACTS * scale), cases=round(CASES * scale))
    if Customer.objects.filter(notes__startswith=BENCH_MARKER).exists():
        print("bench rows exist already: measuring only")
        return
    org = demo.load_org()
    end = dt.datetime.now(dt.UTC)
    start = end - dt.timedelta(days=91)
    postgres = connection.vendor == "postgresql"
    started = time.perf_counter()
    with transaction.atomic(), demo._stored_timestamps([Customer, Case, Contact]):
        demo.generate(
            counts=counts, org=org, start=start, end=end, seed=demo.SEED + 1,
            marker=BENCH_MARKER, cs_share=0.2,
            write=_copy_writer(connection) if postgres else demo.bulk_writer(),
            chunk=CHUNK if postgres else demo.BATCH,
        )
        demo.sequences_reset([Customer, Case, CaseEvent, CaseTimer, Contact])
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"generated {counts.customers:,} customers, {counts.contacts:,} contacts, "
          f"{counts.cases:,} cases in {time.perf_counter() - started:.1f} s")


def _measure(client, url: str, *, requests: int, headers: dict | None = None,
             urls: list[str] | None = None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pick = random.Random(7)
    targets = urls or [url]
    for target in targets[:5]:  # warm-up
        client.get(target, headers=headers or {})
    times, queries = [], []
    for _ in range(requests):
        target = pick.choice(targets)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(target, headers=headers or {})
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{target}: HTTP {response.status_code}")
        queries.append(len(captured.captured_queries))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, min(queries), max(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    _ensure_postgres_database()
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import setup_test_environment

    from demo.intake import load_org
    from demo.org import seed_org
    from tickets.cases.models import Case, CaseEvent
    from tickets.contacts.models import Contact
    from tickets.customers.models import Customer

    call_command("migrate", verbosity=0)
    seed_org()
    _generate(args.scale)
    setup_test_environment()  # allows the test client's host name

    org = load_org()
    users = get_user_model().objects
    open_counts = dict(
        Case.objects.filter(assignee_id__in=org.tier1, status__in=Case.OPEN_STATUSES)
        .values_list("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n")
    )
    agent_id = min(org.tier1, key=lambda pk: (abs(open_counts.get(pk, 0) - 30), pk))
    agent = users.get(pk=agent_id)
    supervisor = users.get(username="supervisor")
    manager = users.get(username="manager")

    rng = random.Random(11)
    customer_ids = list(Customer.objects.values_list("id", flat=True))
    phones = list(Customer.objects.filter(id__in=rng.sample(customer_ids, min(200, len(
        customer_ids)))).values_list("phone", flat=True))
    cs_cases = list(Case.objects.filter(department_id=org.cs).values_list("id", flat=True))
    detail_ids = rng.sample(cs_cases, min(200, len(cs_cases)))
    del customer_ids, cs_cases

    rows = []
    plan = [
        ("phone lookup (HTMX)", agent, None,
         [f"/tickets/incoming/?phone={p}" for p in phones], {"HX-Request": "true"}),
        ("my queue", agent, "/tickets/queue/", None, None),
        ("case detail", agent, None, [f"/tickets/cases/{pk}/" for pk in detail_ids], None),
        ("case detail (supervisor)", supervisor, None,
         [f"/tickets/cases/{pk}/" for pk in detail_ids], None),
        ("api cases list", agent, "/api/v1/cases/", None, None),
        ("api cases list (supervisor)", supervisor, "/api/v1/cases/", None, None),
        ("api cases list (manager)", manager, "/api/v1/cases/", None, None),
    ]
    for label, user, url, urls, headers in plan:
        client = Client()
        client.force_login(user)
        median, p95, qmin, qmax = _measure(client, url, requests=args.requests,
                                           headers=headers, urls=urls)
        rows.append((label, user.username, median, p95,
                     str(qmin) if qmin == qmax else f"{qmin}–{qmax}"))

    cs_share = Case.objects.aggregate(
        cs=Count("id", filter=Q(department_id=org.cs)), all=Count("id"))
    print(f"\n{connection.vendor}, DEBUG={django.conf.settings.DEBUG}, "
          f"{args.requests} requests per endpoint")
    print(f"rows: customers {Customer.objects.count():,}, contacts {Contact.objects.count():,}, "
          f"cases {cs_share['all']:,} (cs department {cs_share['cs']:,}), "
          f"case events {CaseEvent.objects.count():,}")
    print(f"agent {agent.username}: {open_counts.get(agent_id, 0)} open cases\n")
    print(f"{'endpoint':<30}{'user':<12}{'median ms':>10}{'p95 ms':>9}{'queries':>9}")
    for label, username, median, p95, queries in rows:
        print(f"{label:<30}{username:<12}{median:>10.1f}{p95:>9.1f}{queries:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
