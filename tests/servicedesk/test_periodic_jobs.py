"""One bad row never stops a periodic job for everyone (issue 10 item 1).

For every periodic job on Celery beat, a run with one poison row still does its work for
the rest; the failure is recorded once (servicedesk.jobs.JobFailure), logged once with the
row, listed on the health page and by /healthz, and the row is retried by later runs until
it goes through, which clears it. Poison rows are written straight into the database
(QuerySet.update), as old data or another code path would leave them."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from servicedesk import jobs
from servicedesk.jobs import JobRun, TooManyRowFailures, row_key
from servicedesk.models import IdempotencyKey, JobFailure, NotificationDigest
from servicedesk.roles import Role
from servicedesk.services import heartbeat_record, idempotency_keys_purge
from servicedesk.tasks import HEARTBEAT, heartbeat_task
from tests.factories import DepartmentFactory, StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tests.tickets.registrations.factories import registration_for_test
from tests.tickets.sla.factories import bj
from tickets.registrations.models import CustomerRegistration
from tickets.registrations.services import registrations_expire
from tickets.sla.models import CaseTimer, SlaEvent
from tickets.sla.sweep import sla_sweep
from tickets.sla.tasks import SWEEP_HEARTBEAT, sla_sweep_task

pytestmark = pytest.mark.django_db

END_OF_TIME = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)

# Each periodic job on beat and the tests below that poison it. A job added to the beat
# schedule without such a test fails `test_every_periodic_job_is_checked_with_a_poison_row`.
CHECKED = {
    "heartbeat": ["test_the_heartbeat_keeps_beating_while_rows_fail"],
    "idempotency-keys-purge": ["test_the_purge_deletes_the_other_keys"],
    "registrations-expire": [
        "test_a_registration_with_a_visit_on_9999_12_31_does_not_stop_the_expiry",
        "test_a_poison_registration_is_isolated_recorded_once_and_retried",
    ],
    "person-checks": ["test_a_poison_person_check_is_isolated_recorded_once_and_retried"],
    "penalties-late-acceptance": [
        "test_a_poison_complaint_does_not_stop_the_late_acceptance_requote",
    ],
    "sla-sweep": [
        "test_a_poison_crossing_does_not_stop_the_others_and_is_retried",
        "test_a_clock_that_cannot_be_rescheduled_does_not_stop_the_others",
        "test_a_poison_digest_does_not_stop_the_other_deliveries",
        "test_a_poison_no_deadline_notice_does_not_stop_the_others",
    ],
}


def test_every_periodic_job_is_checked_with_a_poison_row():
    assert set(django_settings.CELERY_BEAT_SCHEDULE) == set(CHECKED)
    for names in CHECKED.values():
        assert all(callable(globals()[name]) for name in names)


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFIER_CHANNELS = {"staff": "servicedesk.notifiers.EmailChannel"}


def failures(job: str | None = None):
    qs = JobFailure.objects.filter(resolved_at__isnull=True)
    return list(qs.filter(job=job) if job else qs)


def health_failures(client) -> list[dict]:
    return client.get(reverse("healthz")).json()["job_failures"]


# --- the penalty ledger's re-quote of running late acceptances ---------------------------------


def test_a_poison_complaint_does_not_stop_the_late_acceptance_requote(monkeypatch):
    import complaints.penalties.services as penalties
    from complaints.penalties.models import PenaltyEntry
    from tests.complaints.penalties.factories import FILED, clock_due, complaint_for_test
    from tests.complaints.penalties.factories import team as complaint_team

    people = complaint_team()
    made = [complaint_for_test(by=people["agent"], accepted=False) for _ in range(3)]
    for complaint in made:
        clock_due(complaint, "acceptance", FILED + dt.timedelta(hours=1))
    poison = made[1]
    real = penalties._wants

    def broken(facts, *args, **kwargs):
        if facts.complaint_id == poison.pk:
            raise ValueError("a complaint the ledger cannot charge")
        return real(facts, *args, **kwargs)

    now = FILED + dt.timedelta(hours=3)
    with monkeypatch.context() as patch:
        patch.setattr(penalties, "_wants", broken)
        assert penalties.late_acceptance_requote(now=now).created == 2
        assert penalties.late_acceptance_requote(now=now).created == 0  # retried, fails
    charged = set(PenaltyEntry.objects.values_list("complaint_id", flat=True))
    assert charged == {made[0].pk, made[2].pk}
    [failure] = failures("penalties-requote")
    assert (failure.row, failure.count) == (row_key("tickets.case", poison.case_id), 2)
    assert "ValueError: a complaint the ledger cannot charge" in failure.error
    assert penalties.late_acceptance_requote(now=now).created == 1  # fixed: charged, cleared
    assert failures("penalties-requote") == []


# --- the registration expiry ------------------------------------------------------------------


def lapsed_registrations(n: int, *, now: dt.datetime) -> list[CustomerRegistration]:
    """`n` registrations filed three days before `now`: their 48 hours have run out."""
    return [registration_for_test(now=now - dt.timedelta(days=3)) for _ in range(n)]


def test_a_registration_with_a_visit_on_9999_12_31_does_not_stop_the_expiry(client):
    """The reported case: the expiry job raised OverflowError (visit + conversion window)
    every minute and rolled back, so no lapsed registration expired and a second filer of
    any of those customers was refused."""
    now = timezone.now()
    regs = lapsed_registrations(3, now=now)
    CustomerRegistration.objects.filter(pk=regs[0].pk).update(expected_visit_at=END_OF_TIME)

    assert registrations_expire(now=now) == 3
    assert set(CustomerRegistration.objects.values_list("status", flat=True)) == {"expired"}
    poison = regs[0].events.get(kind="expired")
    assert poison.at == regs[0].protected_until  # it lapsed when its protection ended
    assert failures() == []


def test_a_poison_registration_is_isolated_recorded_once_and_retried(
    monkeypatch, caplog, client
):
    import tickets.registrations.services as services

    now = timezone.now()
    regs = lapsed_registrations(5, now=now)
    poison = regs[2]
    CustomerRegistration.objects.filter(pk=poison.pk).update(
        expected_visit_at=poison.expected_visit_at + dt.timedelta(minutes=7))
    poison.refresh_from_db()
    real = services._expired_at

    def broken(**kwargs):
        if kwargs["expected_visit_at"] == poison.expected_visit_at:
            raise ValueError("a row the job cannot handle")
        return real(**kwargs)

    key = row_key(CustomerRegistration, poison.pk)
    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR, "servicedesk.jobs"):
        patch.setattr(services, "_expired_at", broken)
        assert registrations_expire(now=now) == 4
        assert registrations_expire(now=now + dt.timedelta(minutes=1)) == 0  # retried
        logged = [r for r in caplog.records if key in r.getMessage()]
    statuses = dict(CustomerRegistration.objects.values_list("pk", "status"))
    assert statuses.pop(poison.pk) == "protected"
    assert set(statuses.values()) == {"expired"}
    [failure] = failures("registrations-expire")
    assert (failure.row, failure.count) == (key, 2)
    assert "ValueError: a row the job cannot handle" in failure.error
    assert len(logged) == 1  # once, not every minute
    staff_client = client
    staff_client.force_login(StaffFactory(role=Role.ADMINISTRATOR).user)
    assert [(f["job"], f["row"], f["count"]) for f in health_failures(client)] == [
        ("registrations-expire", key, 2)]
    page = staff_client.get(reverse("health")).content.decode()
    assert key in page and "a row the job cannot handle" in page

    # Fixed (here: the code; in life, often the row): the next run expires it and clears it.
    assert registrations_expire(now=now + dt.timedelta(minutes=2)) == 1
    assert CustomerRegistration.objects.get(pk=poison.pk).status == "expired"
    assert failures() == []
    assert health_failures(client) == []


# --- the SLA sweep ----------------------------------------------------------------------------


def team():
    department = DepartmentFactory()
    agent = StaffFactory(role=Role.TIER2, department=department, user__email="a@x.cn").user
    supervisor = StaffFactory(role=Role.SUPERVISOR, department=department,
                              user__email="s@x.cn").user
    return department, agent, supervisor


def consultations(n: int, *, at: dt.datetime):
    """`n` consultations of a 5-minute resolution clock opened at `at` (09:00 on a
    Monday in the tests below)."""
    department, agent, supervisor = team()
    cases = [case_open_for_test(by=agent, assignee=agent, department=department, now=at)
             for _ in range(n)]
    return cases, agent, supervisor


def test_a_poison_crossing_does_not_stop_the_others_and_is_retried(locmem_mail, caplog):
    """A timer whose due instant is the end of time cannot be told as "due at …" (the
    local time overflows): its warning is not recorded, its claim is rolled back with it,
    and the other crossings are recorded and notified."""
    cases, agent, supervisor = consultations(6, at=bj(2026, 11, 23, 10))
    poison = CaseTimer.objects.get(case=cases[3])
    CaseTimer.objects.filter(pk=poison.pk).update(due_at=END_OF_TIME)
    key = row_key(CaseTimer, poison.pk)

    with caplog.at_level(logging.ERROR, "servicedesk.jobs"):
        report = sla_sweep(now=bj(2026, 11, 23, 10, 30))
        again = sla_sweep(now=bj(2026, 11, 23, 10, 31))
    assert (report.breached, report.failed) == (5, 1)
    assert (again.breached, again.warned, again.failed) == (0, 0, 1)  # retried, alone
    assert SlaEvent.objects.filter(kind="breached").count() == 5
    assert not SlaEvent.objects.filter(timer=poison).exists()
    assert CaseTimer.objects.get(pk=poison.pk).warned_at is None  # not claimed: retried
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.cn", "s@x.cn"]
    [failure] = failures("sla-sweep/crossings")
    assert (failure.row, failure.count) == (key, 2)
    assert "OverflowError" in failure.error
    assert len([r for r in caplog.records if key in r.getMessage()]) == 1

    CaseTimer.objects.filter(pk=poison.pk).update(due_at=bj(2026, 11, 23, 10, 5))
    fixed = sla_sweep(now=bj(2026, 11, 23, 10, 32))
    assert (fixed.breached, fixed.failed) == (1, 0)
    assert SlaEvent.objects.get(timer=poison, kind="breached").at == bj(2026, 11, 23, 10, 5)
    assert failures() == []


def test_a_clock_that_cannot_be_rescheduled_does_not_stop_the_others(locmem_mail):
    """Clocks waiting for a deadline (none could be computed) are rescheduled on each
    sweep; one whose start is the end of time cannot be, and the others still are."""
    cases, _, _ = consultations(3, at=bj(2026, 11, 23, 10))
    CaseTimer.objects.update(due_at=None, warn_at=None)
    poison = CaseTimer.objects.get(case=cases[0])
    CaseTimer.objects.filter(pk=poison.pk).update(started_at=END_OF_TIME)

    report = sla_sweep(now=bj(2026, 11, 23, 10, 1))
    assert report.failed == 1
    due = dict(CaseTimer.objects.values_list("case_id", "due_at"))
    assert due.pop(poison.case_id) is None
    assert set(due.values()) == {bj(2026, 11, 23, 10, 5)}
    [failure] = failures("sla-sweep/reschedule")
    assert failure.row == row_key(CaseTimer, poison.pk)

    CaseTimer.objects.filter(pk=poison.pk).update(started_at=bj(2026, 11, 23, 10))
    sla_sweep(now=bj(2026, 11, 23, 10, 2))
    assert CaseTimer.objects.get(pk=poison.pk).due_at == bj(2026, 11, 23, 10, 5)
    assert failures() == []


class PickyChannel:
    """A staff channel with a bug: it crashes (not DeliveryFailed) on one address."""

    name = "picky"
    broken = "s@x.cn"

    def send(self, message):
        if message.email == self.broken:
            raise KeyError("template variable")
        mail.outbox.append(message)
        return f"ok-{message.reference}"


def test_a_poison_digest_does_not_stop_the_other_deliveries(settings):
    settings.NOTIFIER_CHANNELS = {"staff": "tests.servicedesk.test_periodic_jobs.PickyChannel"}
    mail.outbox = []
    consultations(2, at=bj(2026, 11, 23, 10))
    report = sla_sweep(now=bj(2026, 11, 23, 10, 30))
    assert (report.delivery.sent, report.delivery.failed) == (1, 1)
    assert [m.email for m in mail.outbox] == ["a@x.cn"]
    bad = NotificationDigest.objects.get(recipient__email="s@x.cn")
    assert (bad.status, bad.attempts) == ("failed", 1)
    [failure] = failures("sla-sweep/delivery")
    assert failure.row == row_key(NotificationDigest, bad.pk)
    assert "KeyError" in failure.error

    PickyChannel.broken = ""
    try:
        sla_sweep(now=bj(2026, 11, 23, 10, 31))  # retried with the next run's deliveries
    finally:
        PickyChannel.broken = "s@x.cn"
    assert NotificationDigest.objects.get(pk=bad.pk).status == "sent"
    assert failures() == []


def test_a_poison_no_deadline_notice_does_not_stop_the_others(locmem_mail, monkeypatch):
    import tickets.sla.sweep as sweep_module

    cases, _, supervisor = consultations(3, at=bj(2026, 11, 23, 10))
    events = [SlaEvent.objects.create(timer=CaseTimer.objects.get(case=case), case=case,
                                      kind="no_deadline", at=bj(2026, 11, 23, 10),
                                      recorded_at=bj(2026, 11, 23, 10), reason="日历停业")
              for case in cases]
    real = sweep_module.reverse

    def broken(name, args=()):
        if args and args[0] == cases[1].pk:
            raise ValueError("no route")
        return real(name, args=args)

    monkeypatch.setattr(sweep_module, "reverse", broken)
    sla_sweep(now=bj(2026, 11, 23, 10, 1), deliver=False)
    keys = set(supervisor.notifications.values_list("key", flat=True))
    told = {k for k in keys if k.startswith("sla:no_deadline:")}
    assert told == {f"sla:no_deadline:{e.timer_id}" for e in (events[0], events[2])}
    [failure] = failures("sla-sweep/no-deadline")
    assert failure.row == row_key(SlaEvent, events[1].pk)


def test_the_heartbeat_keeps_beating_while_rows_fail(locmem_mail, client):
    """A run that skipped a row still ran: the sweep's heartbeat is recorded, the worker's
    heartbeat too, and /healthz stays 200 (the skipped row is listed, not an outage)."""
    cases, _, _ = consultations(2, at=timezone.now() - dt.timedelta(hours=1))
    a_minute_ago = timezone.now() - dt.timedelta(minutes=1)  # whatever the hour of the day
    CaseTimer.objects.update(warn_at=a_minute_ago, due_at=a_minute_ago)
    CaseTimer.objects.filter(case=cases[0]).update(due_at=END_OF_TIME)
    sla_sweep_task()
    heartbeat_task()
    # the details of /healthz are for staff with the system-health permission
    client.force_login(StaffFactory(role=Role.SUPERVISOR).user)
    response = client.get(reverse("healthz"))
    body = response.json()
    assert response.status_code == 200, body
    assert [f["job"] for f in body["job_failures"]] == ["sla-sweep/crossings"]
    assert any("sla-sweep/crossings" in w for w in body["warnings"])
    assert {j["name"]: j["runs"] for j in body["jobs"]}[SWEEP_HEARTBEAT] == 1
    heartbeat_record(name=HEARTBEAT, now=timezone.now())  # and it goes on beating
    assert body["checks"]["heartbeat"]["ok"]


def test_the_purge_deletes_the_other_keys(monkeypatch):
    import servicedesk.services as services

    user = StaffFactory().user
    old = timezone.now() - dt.timedelta(days=3)
    keys = [IdempotencyKey.objects.create(user=user, key=f"k{i}", method="POST", path="/",
                                          request_fingerprint="x", response_status=201)
            for i in range(7)]
    IdempotencyKey.objects.update(created_at=old)
    poison = keys[4]
    real = services._purge_batch

    def broken(ids):
        if poison.pk in ids:
            raise ValueError("cannot delete")
        return real(ids)

    monkeypatch.setattr(services, "_purge_batch", broken)
    assert idempotency_keys_purge(older_than=timezone.now() - dt.timedelta(days=2)) == 6
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [poison.pk]
    [failure] = failures("idempotency-keys-purge")
    assert failure.row == row_key(IdempotencyKey, poison.pk)
    monkeypatch.setattr(services, "_purge_batch", real)
    assert idempotency_keys_purge(older_than=timezone.now() - dt.timedelta(days=2)) == 1
    assert failures() == []


# --- the monthly person check (complaints.checks) ----------------------------------------------


def test_a_poison_person_check_is_isolated_recorded_once_and_retried(monkeypatch, caplog):
    """A check whose announcement raises: the other flags are announced (event and
    notices), the poison check stays flagged but unannounced, its failure is recorded once
    and counted, and the next run announces it once it goes through."""
    import complaints.checks.services as services
    from complaints.checks.models import PersonMonthCheck, PersonMonthCheckEvent
    from tests.complaints.checks.factories import complaints_for, person_in
    from tests.tickets.sla.factories import bj

    now = bj(2026, 4, 30, 12)
    people = [person_in() for _ in range(4)]
    for person in people:
        complaints_for(person, 3)
    poison_person = people[2]
    real = services.flag_notices

    def broken(check, audience):
        if check.person_id == poison_person.pk:
            raise ValueError("a check the job cannot announce")
        return real(check, audience)

    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR, "servicedesk.jobs"):
        patch.setattr(services, "flag_notices", broken)
        report = services.person_checks_run(month=now.date(), now=now)
        again = services.person_checks_run(month=now.date(), now=now + dt.timedelta(hours=1))
    poison = PersonMonthCheck.objects.get(person=poison_person)
    key = row_key(PersonMonthCheck, poison.pk)
    assert (len(report.flagged), report.failed, again.flagged) == (3, 1, ())
    assert PersonMonthCheck.objects.count() == 4
    announced = set(PersonMonthCheckEvent.objects.values_list("check_row_id", flat=True))
    assert poison.pk not in announced and len(announced) == 3
    [failure] = failures("person-checks/announce")
    assert (failure.job, failure.row, failure.count) == ("person-checks/announce", key, 2)
    assert len([r for r in caplog.records if key in r.getMessage()]) == 1

    fixed = services.person_checks_run(month=now.date(), now=now + dt.timedelta(hours=2))
    assert fixed.flagged == (poison.pk,)
    assert poison.events.filter(kind="flagged").count() == 1
    assert failures() == []


# --- the kernel mechanism ---------------------------------------------------------------------


def test_a_failing_batch_is_split_not_redone_row_by_row():
    """One poison row among 64: the batch is halved down to it, a handful of savepoints,
    and the 63 others go through; the next run tries the known row alone, first."""
    calls: list[int] = []

    def work(rows):
        calls.append(len(rows))
        if 13 in rows:
            raise ValueError("poison")
        return len(rows)

    now = timezone.now()
    run = JobRun("test-job", now=now)
    assert sum(run.each(list(range(64)), work, key=str, batch_size=1000)) == 63
    run.finish()
    assert len(calls) <= 2 * 6 + 1
    calls.clear()
    run = JobRun("test-job", now=now)
    assert sum(run.each(list(range(64)), work, key=str)) == 63
    run.finish()
    assert calls == [63, 1]  # the 63 in one batch, the known poison alone
    assert JobFailure.objects.get(job="test-job").count == 2


def test_errors_about_the_run_are_not_pinned_on_a_row():
    run = JobRun("test-job", now=timezone.now())

    def lost(rows):
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        run.each([1, 2, 3], lost, key=str)

    def broken(rows):
        raise ValueError("a bug, not a row")

    with pytest.raises(TooManyRowFailures):
        JobRun("test-job", now=timezone.now()).each(
            list(range(jobs.MAX_ROW_FAILURES + 5)), broken, key=str)
    assert not JobFailure.objects.exists()
