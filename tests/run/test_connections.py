"""`make run`'s web server keeps its database connections bounded under parallel requests
(issue 10 item 7): `manage.py runserver` opened a thread per request and, with persistent
connections, left each thread's connection for the garbage collector, so a few bursts of
parallel requests exhausted PostgreSQL's `max_connections` ("too many clients")."""

import collections
import concurrent.futures
import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BURSTS, PARALLEL = 3, 60
PATHS = ["/healthz", "/accounts/login/", "/api/v1/cases/", "/no-such-page/"]


def _procfile_web() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web":
            return command.strip()
    raise AssertionError("the Procfile has no web process")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_connections(database: str) -> int:
    """Rows of pg_stat_activity on the test database, other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                       "AND pid <> pg_backend_pid()", [database])
        return cursor.fetchone()[0]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:
        return type(error).__name__


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_leave_the_connection_count_bounded(settings):
    if connection.vendor != "postgresql":
        pytest.skip("counts server connections in PostgreSQL's pg_stat_activity; "
                    "SQLite has no connections to count (run with DATABASE_URL=postgres://…)")
    db = settings.DATABASES["default"]
    database = db["NAME"]
    url = "postgres://{}@{}:{}/{}".format(db["USER"] or "postgres", db["HOST"] or "127.0.0.1",
                                          db["PORT"] or 5432, database)
    port = _free_port()
    command = _procfile_web()
    # the bound the web process promises: one connection per thread of each worker
    args = shlex.split(command)
    workers = int(args[args.index("--workers") + 1]) if "--workers" in args else 1
    threads = int(args[args.index("--threads") + 1]) if "--threads" in args else 1
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url, "PORT": str(port),
           "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    server = subprocess.Popen(  # noqa: S602 - the Procfile's own command line
        command, shell=True, cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while isinstance(_get(base + "/healthz"), str):
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.3)
        before = _server_connections(database)
        counts, answers = [], collections.Counter()
        for _ in range(BURSTS):
            with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
                answers.update(pool.map(_get, [base + PATHS[i % len(PATHS)]
                                               for i in range(PARALLEL)]))
            counts.append(_server_connections(database))
        assert set(answers) <= {200, 302, 401, 403, 404, 503}, answers  # never a 500
        assert max(counts) <= before + workers * threads, (before, counts)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
