"""The demo complaints (issue 11 item 8, `demo.complaints`): every grade, type, source and
state, repeats, escalations, excuses, ledger entries and a flagged person, all written by
the services as the demo's staff of the right roles, idempotent, and reachable by the
demo logins the README names."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from complaints.checks.models import CheckState, PersonMonthCheck
from complaints.checks.selectors import check_actions_for, person_month_counts
from complaints.checks.services import person_checks_run
from complaints.handling.models import (
    SOURCE_DESK,
    Complaint,
    ComplaintType,
    FollowUp,
    Grade,
    GradeRecord,
    Proposal,
    Source,
    State,
)
from complaints.handling.selectors import (
    STEPS,
    complaint_steps_for,
    complaints_visible_to,
    step_permitted,
)
from complaints.penalties.models import (
    EntryState,
    ExcuseState,
    PenaltyEntry,
    PenaltyEventKind,
    PenaltyRule,
    SlaExcuse,
)
from complaints.penalties.selectors import entry_actions_for, excuse_actions_for
from complaints.penalties.services import charges_sync
from demo.complaints import MARKER, seed_complaints
from servicedesk.models import Notification
from servicedesk.months import month_of
from servicedesk.roles import Role
from tickets.cases.models import Case, CaseEvent
from tickets.sla.models import LIVE_TIMER_STATES, CaseTimer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_demo")]

BEIJING = ZoneInfo("Asia/Shanghai")
# The logins the README's complaint table names.
README_LOGINS = (
    "agent01", "yuqing01", "anquan01", "supervisor", "supervisor_after_sales",
    "supervisor_tech", "supervisor_logistics", "supervisor_sales", "manager",
    "manager_after_sales", "manager_tech", "manager_logistics", "manager_sales", "gm",
    "shouhou01", "admin",
)


def _demo() -> list[Complaint]:
    return list(Complaint.objects.filter(case__description__startswith=MARKER)
                .select_related("case", "type", "customer", "handling_department",
                                "responsible"))


def _user(username: str):
    return get_user_model().objects.get(username=username)


def test_every_grade_type_source_and_state():
    """Item 8: complaints of every grade (D from an invalid verdict), every type, every
    source (the desks' ones restricted to their desk) and every state."""
    complaints = _demo()
    assert len(complaints) >= 20
    assert {c.grade for c in complaints} == set(Grade.values)
    assert {c.type.code for c in complaints} == set(
        ComplaintType.objects.values_list("code", flat=True))
    assert {c.source for c in complaints} == set(Source.values)
    assert {c.state for c in complaints} == set(State.values)
    for complaint in complaints:
        if complaint.grade == Grade.D:
            assert complaint.verdict == "invalid"
            assert complaint.grade_records.filter(kind=GradeRecord.Kind.VERDICT,
                                                  grade=Grade.D).exists()
        assert complaint.desk == SOURCE_DESK.get(complaint.source, "")
        assert complaint.case.desk == complaint.desk


def test_repeats_escalations_a_sent_back_follow_up_interims_and_grading_decisions():
    """Repeats (one caused by neglect, the general manager told of each), an escalation
    waiting for the general manager and one settled by the final proposal, a follow-up that
    sent a complaint back, interim results, a re-grade and an intake grade other than the
    suggestion, each with its reason."""
    complaints = _demo()
    gm = _user("gm")
    repeats = [c for c in complaints if c.repeat_of_id is not None]
    assert len(repeats) >= 2
    assert any(c.repeat_by_neglect for c in repeats)
    for repeat in repeats:
        first = repeat.repeat_of
        assert (first.customer_id, first.type_id) == (repeat.customer_id, repeat.type_id)
        assert dt.timedelta(0) < repeat.filed_at - first.filed_at <= dt.timedelta(
            days=settings.COMPLAINT_REPEAT_DAYS)
        assert Notification.objects.filter(recipient=gm,
                                           key=f"complaint:repeat:{repeat.pk}").exists()

    waiting = [c for c in complaints if c.state == State.ESCALATED]
    assert waiting and not Proposal.objects.filter(complaint__in=waiting, final=True).exists()
    final = Proposal.objects.get(complaint__in=complaints, final=True)
    assert final.by == gm and final.response == "accepted"
    assert final.complaint.escalated_at is not None
    assert final.complaint.state == State.CLOSED

    sent_back = FollowUp.objects.filter(complaint__in=complaints, satisfaction="unsatisfied")
    assert {f.complaint.state for f in sent_back} >= {State.ASSESSED, State.CLOSED}

    assert sum(c.interim_at is not None for c in complaints) >= 2
    assert GradeRecord.objects.filter(complaint__in=complaints, kind="regrade").exclude(
        reason="").exists()
    intake = GradeRecord.objects.filter(complaint__in=complaints, kind="intake")
    assert intake.count() == len(complaints)
    assert any(r.grade != r.suggested_grade and r.reason for r in intake)


def test_excuses_in_every_state_and_the_ledger_from_closures_and_late_clocks():
    """SLA excuses asked, approved and rejected; ledger entries from the closures (grade
    fine, loss, the sanction of an A, the doubled fine of a repeat caused by neglect) and
    from late clocks (late acceptance, late completion); an approved excuse charges
    nothing; a manager waived one entry and adjusted another, with the reasons."""
    complaints = _demo()
    ids = [c.pk for c in complaints]
    excuses = SlaExcuse.objects.filter(case__complaint__in=ids)
    assert set(excuses.values_list("state", flat=True)) == set(ExcuseState.values)
    entries = PenaltyEntry.objects.filter(complaint_id__in=ids)
    assert set(entries.values_list("rule", flat=True)) == {
        PenaltyRule.GRADE_FINE, PenaltyRule.ECONOMIC_LOSS, PenaltyRule.LATE_ACCEPTANCE,
        PenaltyRule.LATE_COMPLETION}

    closed = [c for c in complaints if c.state == State.CLOSED]
    fines = {e.complaint_id: e for e in entries.filter(rule=PenaltyRule.GRADE_FINE)}
    assert set(fines) == {c.pk for c in closed}
    for complaint in closed:
        fine = fines[complaint.pk]
        assert fine.person_id == complaint.responsible_id
        assert fine.administrative_sanction == (complaint.grade == Grade.A)
        if complaint.repeat_by_neglect:
            assert fine.quoted_amount == 2 * fine.rule_set.fine_for(complaint.grade)
        if complaint.grade in "AB" and complaint.loss_yuan > 0:
            assert entries.get(complaint=complaint,
                               rule=PenaltyRule.ECONOMIC_LOSS).quoted_amount == \
                complaint.loss_yuan

    approved = excuses.get(state=ExcuseState.APPROVED)
    excused = entries.get(complaint__case=approved.case, rule=PenaltyRule.LATE_COMPLETION)
    assert (excused.state, excused.amount) == (EntryState.EXCUSED, 0)
    rejected = excuses.get(state=ExcuseState.REJECTED)
    charged = entries.get(complaint__case=rejected.case, rule=PenaltyRule.LATE_ACCEPTANCE)
    assert charged.state == EntryState.CHARGED and charged.amount > 0
    assert charged.person_id == rejected.case.first_contact_owner_id

    waived = entries.get(state=EntryState.WAIVED)
    assert waived.amount == 0 and waived.events.get(kind=PenaltyEventKind.WAIVED).reason
    adjusted = entries.get(state=EntryState.ADJUSTED)
    assert adjusted.amount != adjusted.quoted_amount
    assert adjusted.events.get(kind=PenaltyEventKind.ADJUSTED).reason


def test_the_ledger_already_says_what_the_facts_charge():
    """The demo's ledger is the ledger run's own answer: run again now, it writes nothing."""
    report = charges_sync(complaint_ids=[c.pk for c in _demo()], now=timezone.now())
    assert (report.created, report.requoted, report.excused) == (0, 0, 0)


def test_one_person_flagged_by_the_monthly_check_with_a_filed_report():
    """A person with three valid complaints in a month was flagged and filed the
    rectification report; nobody else in the demo reaches the threshold, and running the
    month's check again flags nobody."""
    check = PersonMonthCheck.objects.get()
    assert check.person.username == "shouhou01"
    assert check.state == CheckState.REPORT_FILED and check.analysis and check.measures
    assert check.complaints >= check.threshold
    months = {month_of(c.filed_at) for c in _demo()}
    for month in months:
        over = {person for person, (n, _dept) in person_month_counts(month=month).items()
                if n >= check.threshold}
        assert over == ({check.person_id} if month == check.month else set())
    report = person_checks_run(month=check.month, now=timezone.now())
    assert report.flagged == () and report.grown == 0


def test_every_step_was_taken_through_the_services_by_someone_allowed_to():
    """Each complaint's timeline holds its filing and then its steps in time order, at
    plausible Beijing times (filed while the line is open, 09:00–23:00, within the last
    four weeks), each step by a person whose role and department allow it."""
    now = timezone.now()
    for complaint in _demo():
        filed = complaint.filed_at.astimezone(BEIJING)
        assert 9 <= filed.hour < 23
        assert now - dt.timedelta(days=28) < complaint.filed_at < now
        steps = list(CaseEvent.objects.filter(case=complaint.case, kind="complaint_step")
                     .select_related("actor").order_by("at", "id"))
        assert steps[0].data["step"] == "filed" and steps[0].at == complaint.filed_at
        assert [e.at for e in steps] == sorted(e.at for e in steps)
        assert steps[-1].at <= now
        for event in steps:
            step = event.data["step"]
            if step not in STEPS:
                continue  # filed, and the excuses' rows
            # a proposal is the general manager's after an escalation, else the department's
            state = ((State.ESCALATED if event.data["final"] else State.ASSESSED)
                     if step == "propose" else None)
            assert step_permitted(user=event.actor, complaint=complaint, step=step,
                                  state=state), (complaint.case.number, step, event.actor)


def test_the_readme_logins_reach_every_complaint_page_and_step(client):
    """Among the logins the README names, someone may take each step on an open demo
    complaint now, decide the waiting excuse, waive or adjust an entry and decide the
    filed report; every demo complaint's page opens; a desk's complaint only for that desk
    (and supervisors and above), not for an agent."""
    users = {name: _user(name) for name in README_LOGINS}
    complaints = _demo()
    reached = set()
    for user in users.values():
        for complaint in complaints:
            if complaint.state != State.CLOSED:
                reached |= complaint_steps_for(user=user, complaint=complaint)
    assert reached == set(STEPS)

    manager = users["manager"]
    waiting = SlaExcuse.objects.get(case__complaint__in=complaints,
                                    state=ExcuseState.REQUESTED)
    assert excuse_actions_for(excuse=waiting, user=manager) == ["approve", "reject"]
    assert entry_actions_for(entry=PenaltyEntry.objects.filter(
        complaint__in=complaints, state=EntryState.CHARGED).first(), user=manager)
    assert check_actions_for(check=PersonMonthCheck.objects.get(), user=manager) == [
        "accept", "return"]

    for name in ("agent01", "supervisor_tech", "manager", "gm"):
        client.force_login(users[name])
        assert client.get(reverse("complaints:list")).status_code == 200
    client.force_login(users["gm"])
    for complaint in complaints:
        assert client.get(complaint.get_absolute_url()).status_code == 200
    for complaint in complaints:
        if not complaint.desk:
            continue
        desk_agent = users["yuqing01" if complaint.desk == Role.PUBLIC_OPINION
                           else "anquan01"]
        assert complaints_visible_to(user=desk_agent).filter(pk=complaint.pk).exists()
        assert not complaints_visible_to(user=users["agent01"]).filter(
            pk=complaint.pk).exists()


def test_seeding_again_adds_nothing():
    """Idempotent: `seed_complaints` and `seed_demo` run again write no complaint, grading
    decision, ledger entry, excuse, check or timeline row."""
    def counts():
        return (Complaint.objects.count(), GradeRecord.objects.count(),
                PenaltyEntry.objects.count(), SlaExcuse.objects.count(),
                PersonMonthCheck.objects.count(),
                CaseEvent.objects.filter(kind="complaint_step").count())

    before = counts()
    assert seed_complaints() == {}
    call_command("seed_demo", intake_scale=0.02)
    assert counts() == before


def _first_of_month_two_months_ago() -> dt.date:
    today = timezone.localdate(timezone.now(), BEIJING)
    return (today - dt.timedelta(days=62)).replace(day=1)


# Seeding instants (day of the month, Beijing time): before and after the line opens and
# closes, around midnight, and the month's first days (the flagged person's month is then
# the previous one).
SEED_INSTANTS = [(1, "23:30"), (3, "00:10"), (8, "08:55"), (15, "09:05"), (28, "22:50")]


@pytest.mark.parametrize(("day", "hhmm"), SEED_INSTANTS)
def test_seeding_at_any_hour_leaves_the_open_complaints_on_time(day, hhmm):
    """Seeded at any hour of any day of a month (two months back, away from the package's
    demo), the stories fit: every step before the seeding instant, the same complaints and
    ledger, and the open complaints' clocks still run within target but for the one
    overdue complaint."""
    Case.objects.filter(description__startswith=MARKER).update(description="")  # not ours
    base = _first_of_month_two_months_ago()
    date = base.replace(day=day)
    hour, minute = (int(part) for part in hhmm.split(":"))
    now = dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=BEIJING)

    created = seed_complaints(now=now)

    assert created == {"complaints": 24, "entries": 19, "excuses": 3, "checks": 1}
    complaints = _demo()
    assert {c.state for c in complaints} == set(State.values)
    late = CaseTimer.objects.filter(
        case__complaint__in=[c for c in complaints if c.state != State.CLOSED],
        state__in=LIVE_TIMER_STATES, due_at__lte=now)
    assert {t.case.complaint.case.subject for t in late} == {"中央空调不制冷"}
    last = CaseEvent.objects.filter(case__complaint__in=complaints).order_by("-at").first()
    assert last.at <= now
