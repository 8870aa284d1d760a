"""Issue 5 acceptance, end to end, with the processes `make run` starts (the Procfile's web
server and Celery worker with its scheduler) on a fresh embedded database:

    an administrator adds a 1-minute time limit; an agent opens a case under it through
    the API; nobody touches anything; within two minutes the scheduler's sweep has
    recorded the breach and the supervisor sees the case as breached (dashboard API when
    the reporting app serves one, and the case API).

    .venv/bin/python scripts/sla_acceptance.py        (exit 0 when it holds)
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORT = int(os.environ.get("ACCEPTANCE_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
PASSWORD = "demo-pass-2026"
LIMIT_SECONDS = 120

SETUP = """
import datetime as dt
from servicedesk.models import BusinessCalendar
from tickets.cases.models import CaseCategory
from tickets.customers.models import Customer
from tickets.sla.models import SlaPolicy
parent = CaseCategory.objects.get(code="urgent")
category, _ = CaseCategory.objects.get_or_create(
    code="urgent-acceptance-1min",
    defaults={"parent": parent, "kind": "urgent", "name": "验收·一分钟"})
policy = SlaPolicy(name="验收·一分钟", kind="urgent", category=category,
                   calendar=BusinessCalendar.objects.get(name="24x7"),
                   resolution_target=dt.timedelta(minutes=1))
policy.full_clean()
policy.save()
print(category.pk, Customer.objects.order_by("id").values_list("id", flat=True).first())
"""


def call(method: str, path: str, token: str | None = None, data: dict | None = None):
    request = urllib.request.Request(BASE + path, method=method,
                                     data=json.dumps(data).encode() if data else None)
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()[:500]
    except (urllib.error.URLError, ConnectionError):
        return 0, "not listening yet"


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="sla-acceptance-")
    env = {**os.environ, "DEBUG": "1", "SERVICEDESK_VAR_DIR": tmp, "DATABASE_URL": "",
           "REDIS_URL": "", "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    py = str(ROOT / ".venv" / "bin" / "python")

    def manage(*args: str) -> str:
        return subprocess.run([py, "manage.py", *args], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True).stdout

    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--intake-scale", "0.02")
    category_id, customer_id = manage("shell", "-c", SETUP).splitlines()[-1].split()
    print(f"1-minute policy on category {category_id}")

    processes = []
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        name, command = line.split(":", 1)
        command = command.replace("$PORT", str(PORT))  # honcho's PORT, as `make run` sets it
        log = open(Path(tmp) / f"{name.strip()}.log", "w")
        processes.append(subprocess.Popen(shlex.split(command), cwd=ROOT, env=env,
                                          stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status, _ = call("GET", "/healthz")
            if status == 200:
                break
            time.sleep(1)
        else:
            print("FAIL: the site and worker did not come up healthy")
            return 1
        tokens = {}
        for username in ("agent01", "supervisor"):
            status, body = call("POST", "/api/v1/auth/token/",
                                data={"username": username, "password": PASSWORD})
            tokens[username] = body["token"]
        # Open the case half a sweep interval after a sweep: its due instant then falls
        # between two sweeps, as it would for a case opened at any moment of the day (the
        # scheduler sweeps as it starts, so opening at once would always be the worst phase).
        if not _wait_for_first_sweep(manage):
            print("FAIL: the scheduler's sweep did not run within 90 s of the site coming up")
            return 1
        time.sleep(30)
        status, case = call("POST", "/api/v1/cases/", tokens["agent01"], {
            "kind": "urgent", "category": int(category_id), "customer": int(customer_id),
            "subject": "验收：一分钟时限",
        })
        if status != 201:
            print(f"FAIL: opening the case answered {status}: {case}")
            return 1
        opened = time.monotonic()
        print(f"opened {case['number']}, due {case['sla_due_at']}")
        # Looked at every second, and once more at the limit itself.
        while True:
            left = LIMIT_SECONDS - (time.monotonic() - opened)
            seen = _breached(case, tokens["supervisor"])
            if seen:
                print(f"ok    breached after {time.monotonic() - opened:.0f} s ({seen})")
                return 0
            if left <= 0:
                break
            time.sleep(min(1.0, left))
        print(f"FAIL: not breached within {LIMIT_SECONDS} s")
        for log_path in Path(tmp).glob("*.log"):
            print(f"--- {log_path.name}\n"
                  + "\n".join(log_path.read_text().splitlines()[-20:]))
        return 1
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _wait_for_first_sweep(manage) -> bool:
    """Wait until the scheduler's SLA sweep has run once (its heartbeat row)."""
    check = ("from servicedesk.models import Heartbeat; "
             "print(Heartbeat.objects.filter(name='sla-sweep', runs__gt=0).exists())")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if manage("shell", "-c", check).strip().endswith("True"):
            return True
        time.sleep(1)
    return False


def _breached(case: dict, token: str) -> str:
    """What shows the case as breached to the supervisor, or "" while nothing does."""
    status, detail = call("GET", f"/api/v1/cases/{case['id']}/", token)
    if status != 200 or detail["sla_state"] != "breached":
        return ""
    status, dashboard = call("GET", "/api/v1/reporting/sla-dashboard/cases/?state=breached",
                             token)
    if status == 404:
        return "case API: sla_state=breached"
    if status == 200 and case["number"] in json.dumps(dashboard, ensure_ascii=False):
        return "dashboard API lists it as breached; case API: sla_state=breached"
    return ""


if __name__ == "__main__":
    sys.exit(main())
