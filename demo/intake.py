"""Demo intake for `seed_intake_demo` (and, much bigger, for `bench.intake_bench`): Chinese
customers, months of contacts shaped like a real service line and the cases that came of
them, each with its opening event and the contact it was opened in.

Deterministic (random.Random(seed)). Rows are written in bulk with explicit ids; the code and
number counters are then set to the last numbers used, so `customer_create` and `case_open`
carry on without clashes. Needs the demo organisation (`demo.org.seed_org`) first.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from demo.org import GIVEN, SURNAMES
from demo.sla_planner import CaseHistory, TimerPlanner, cases_sla_refresh_between
from servicedesk.models import Department, StaffProfile
from servicedesk.models.events import change_data
from servicedesk.roles import Role
from tickets.cases.models import Case, CaseCategory, CaseEvent, CaseNumberCounter, SlaState
from tickets.contacts.models import Contact
from tickets.customers.models import Customer, CustomerCodeCounter
from tickets.sla.models import CaseTimer, TimerKind
from tickets.sla.tallies import resolution_tallies_rebuild

MARKER = "[演示数据]"
SEED = 20261123
BATCH = 5_000
BEIJING = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991

# Per scale 1.0.
CUSTOMERS, CONTACTS, CASES = 2_000, 30_000, 6_000

# Relative traffic per hour of the day (Beijing time): quiet at night, peaks 10–12, 14–17.
HOUR_WEIGHTS = [1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 7, 10, 14, 14, 9, 9, 13, 14, 14, 12,
                8, 6, 5, 4, 3, 2]
WEEKEND_FACTOR = 0.6
CHANNELS = [
    (Contact.Channel.INBOUND_CALL, 80),
    (Contact.Channel.OUTBOUND_CALL, 4),
    (Contact.Channel.ONLINE_CHAT, 10),
    (Contact.Channel.MESSAGE, 4),
    (Contact.Channel.EMAIL, 2),
]
KINDS = [(Case.Kind.CONSULTATION, 70), (Case.Kind.URGENT, 5), (Case.Kind.SUGGESTION, 10),
         (Case.Kind.COMPLAINT, 15)]
GRADES = [("A", 5), ("B", 15), ("C", 50), ("D", 30)]
# How long a resolved case took (minutes, uniform): most consultations within their few
# minutes, complaints in hours to days; some of each late against their SLA policy.
RESOLUTION_MINUTES = {
    Case.Kind.CONSULTATION: (1, 7),
    Case.Kind.URGENT: (2, 20),
    Case.Kind.SUGGESTION: (60, 5 * 24 * 60),
    Case.Kind.COMPLAINT: (30, 4 * 24 * 60),
}
SUBJECTS = {
    "consultation-product-function": ["咨询会员积分使用规则", "询问产品保修期限",
                                      "咨询优惠券使用方法", "询问APP如何修改收货地址",
                                      "咨询发票开具流程"],
    "consultation-logistics-query": ["查询订单物流进度", "询问快递何时送达", "物流信息长时间未更新",
                                     "咨询能否更改配送时间"],
    "urgent-account-security": ["账户疑似被盗用", "收到异常登录短信", "支付密码被修改"],
    "urgent-system-failure": ["APP无法登录", "下单支付失败", "页面一直加载不出来"],
    "suggestion-feedback": ["建议增加夜间配送", "建议优化退货流程", "希望APP增加语音客服"],
    "complaint-product-quality": ["收到商品有破损", "商品与描述不符", "家电使用一周出现故障"],
    "complaint-service-attitude": ["快递员态度恶劣", "门店店员服务态度差", "客服多次推诿未解决"],
}
SUMMARIES = ["客户来电咨询，已解答", "已告知处理流程", "客户表示满意", "已记录客户诉求",
             "客户要求回电", "已转相关部门跟进", "客户未说明来意即挂断", "重复来电，已安抚"]
COMPANIES = ["", "", "", "", "北京京华商贸有限公司", "上海浦江电子科技有限公司",
             "广州南粤物流有限公司", "深圳鹏程信息技术有限公司", "杭州西湖文化传媒有限公司",
             "成都天府餐饮管理有限公司"]
MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                   "157", "158", "159", "166", "177", "180", "182", "186", "187", "188", "189",
                   "191", "198", "199"]
AREA_CODES = ["010", "021", "020", "0755", "0571", "028", "027", "025", "024", "029"]
REGIONS = ["110101", "110105", "310104", "310115", "440106", "440305", "330106", "510107",
           "420106", "320102", "210102", "610113"]
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@dataclass
class Org:
    """The demo people and places the generated rows point at."""

    cs: int
    business: list[int]  # departments other than the service center
    tier1: list[int]  # user ids
    tier2: list[int]
    team_of: dict[int, int | None]  # user id → team id
    head_of: dict[int, int]  # business department → its manager's user id
    team_in: dict[int, int | None]  # business department → a team of it
    categories: dict[str, CaseCategory] = field(default_factory=dict)


def load_org() -> Org:
    profiles = list(StaffProfile.objects.select_related("department"))
    cs = Department.objects.get(code="cs").pk
    tier1 = sorted(p.user_id for p in profiles if p.role == Role.TIER1 and p.department_id == cs)
    tier2 = sorted(p.user_id for p in profiles if p.role == Role.TIER2 and p.department_id == cs)
    if not tier1 or not tier2:
        raise RuntimeError("Run seed_demo first: the intake demo needs the demo agents.")
    business = sorted(Department.objects.exclude(pk=cs).values_list("pk", flat=True))
    head_of = {}
    team_in = {}
    for department in Department.objects.filter(pk__in=business).prefetch_related("teams"):
        managers = [p.user_id for p in profiles
                    if p.department_id == department.pk and p.role == Role.MANAGER]
        head_of[department.pk] = department.head_id or (managers[0] if managers else tier2[0])
        teams = sorted(t.pk for t in department.teams.all())
        team_in[department.pk] = teams[0] if teams else None
    business = [d for d in business if d in head_of]
    categories = {c.code: c for c in CaseCategory.objects.filter(parent__isnull=False,
                                                                 active=True)}
    return Org(cs=cs, business=business, tier1=tier1, tier2=tier2,
               team_of={p.user_id: p.team_id for p in profiles}, head_of=head_of,
               team_in=team_in, categories=categories)


def _pick(rng: random.Random, weighted: list[tuple]) -> Callable[[], Any]:
    values = [v for v, _ in weighted]
    cumulative = []
    total = 0
    for _, weight in weighted:
        total += weight
        cumulative.append(total)

    def pick():
        return values[bisect.bisect(cumulative, rng.random() * total)]
    return pick


class _Clock:
    """Random moments in [start, end) shaped by weekday and hour of day."""

    def __init__(self, rng: random.Random, start: dt.datetime, end: dt.datetime):
        self.rng = rng
        self.slots: list[dt.datetime] = []
        cumulative: list[float] = []
        total = 0.0
        hour = start.astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)
        while hour < end:
            weight = HOUR_WEIGHTS[hour.hour] * (WEEKEND_FACTOR if hour.weekday() >= 5 else 1)
            total += weight
            self.slots.append(hour)
            cumulative.append(total)
            hour += dt.timedelta(hours=1)
        self.cumulative, self.total, self.start, self.end = cumulative, total, start, end

    def moment(self) -> dt.datetime:
        while True:
            slot = self.slots[bisect.bisect(self.cumulative, self.rng.random() * self.total)]
            at = slot + dt.timedelta(seconds=self.rng.randrange(3600))
            if self.start <= at < self.end:
                return at


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.9:
        return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    area = rng.choice(AREA_CODES)
    digits = 8 if len(area) == 3 else rng.choice((7, 8))
    return f"{area}-{rng.randrange(2 * 10 ** (digits - 1), 10**digits)}"


def _id_number(rng: random.Random) -> str:
    birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(365 * 50))
    body = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


# A center that keeps up: a case whose clocks ran out by now is mostly done; of those due
# within the last few days, one in LATE_EVERY is still open, late (breached: the first one
# always, so even a small demo shows one), and one in WAITING_EVERY waits for the customer.
LATE_EVERY, WAITING_EVERY, LATE_WINDOW = 300, 50, dt.timedelta(days=5)


class _StatusPicker:
    def __init__(self, rng: random.Random, end: dt.datetime):
        self.rng, self.end, self.overdue = rng, end, 0

    def status(self, deadlines: dict[str, dt.datetime | None], at: dt.datetime) -> str:
        """The status a case opened at `at` has at the end, from the due instants of its
        clocks (`TimerPlanner.deadlines`): open mostly while they still run within target."""
        end, roll = self.end, self.rng.random()
        accept_due = deadlines.get(TimerKind.ACCEPTANCE)
        resolve_due = min((due for clock, due in deadlines.items()
                           if clock != TimerKind.ACCEPTANCE and due is not None), default=None)
        if resolve_due is not None:
            young, late_for = resolve_due > end, end - resolve_due
        else:  # no clock that resolving stops: judged by age
            age = end - at
            young, late_for = age < dt.timedelta(days=1), age - dt.timedelta(days=1)
        if young:
            if roll < 0.3:
                return "new" if accept_due is None or accept_due > end else "in_progress"
            return ("in_progress" if roll < 0.65 else "waiting_customer" if roll < 0.75
                    else "resolved")
        if late_for < LATE_WINDOW:
            self.overdue += 1
            if self.overdue % LATE_EVERY == 1:
                return "in_progress"
            # waiting since it was accepted (within half an hour): only a case with hours
            # to go then was still on time
            if self.overdue % WAITING_EVERY == 2 and resolve_due is not None \
                    and resolve_due - at > dt.timedelta(hours=2):
                return "waiting_customer"
        return "closed"


@dataclass
class Counts:
    customers: int
    contacts: int
    cases: int


def _next_id(model: type[models.Model]) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def generate(
    *,
    counts: Counts,
    org: Org,
    start: dt.datetime,
    end: dt.datetime,
    seed: int = SEED,
    marker: str = MARKER,
    cs_share: float = 0.8,
    write: Callable[[type[models.Model], list[dict]], None],
    chunk: int = BATCH,
    swept: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Produce the rows (dicts keyed by attname) and hand them to `write` in chunks.
    Counters are updated at the end, in the caller's transaction. Each case gets the SLA
    timers its policy starts, in the state its history left them (`demo.sla_planner`;
    `swept`: crossings of running timers already recorded, else left to the first sweep),
    and its SLA summary from them by `cases_sla_refresh` once each chunk is written.
    `progress` hears a short line (Chinese) after each chunk."""
    report = progress or (lambda line: None)
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    clock = _Clock(rng, start, end)

    # --- Customers, in order of registration, with codes continuing each month's counter.
    taken_ids = set(Customer.objects.exclude(id_number="").values_list("id_number", flat=True))
    created = sorted(clock.moment() for _ in range(counts.customers))
    first_id = _next_id(Customer)
    month_last = dict(CustomerCodeCounter.objects.values_list("month", "last"))
    customers: list[dict] = []
    for offset, at in enumerate(created):
        month = at.astimezone(BEIJING).strftime("%Y%m")
        month_last[month] = month_last.get(month, 0) + 1
        id_number = ""
        if rng.random() < 0.3:
            id_number = _id_number(rng)
            while id_number in taken_ids:
                id_number = _id_number(rng)
            taken_ids.add(id_number)
        extra = rng.choice(["", "", "", " 老客户", " VIP客户", " 偏好下午回电"])
        customers.append({
            "id": first_id + offset,
            "code": f"C{month}{month_last[month]:03d}",
            "name": _name(rng),
            "phone": _phone(rng),
            "id_number": id_number,
            "company": rng.choice(COMPANIES),
            "notes": marker + extra,
            "created_by_id": rng.choice(org.tier1),
            "created_at": at,
            "updated_at": at,
        })
        if len(customers) >= chunk:
            write(Customer, customers)
            customers = []
    write(Customer, customers)
    customers = []
    report(f"客户 {counts.customers}/{counts.customers}")
    touched_months = {at.astimezone(BEIJING).strftime("%Y%m") for at in created}

    def customer_before(at: dt.datetime) -> int | None:
        """A customer registered by `at` (most calls come from them), or None."""
        known = bisect.bisect_right(created, at)
        return first_id + rng.randrange(known) if known else None

    channel_pick = _pick(rng, CHANNELS)
    kind_pick = _pick(rng, KINDS)
    grade_pick = _pick(rng, GRADES)
    leaves_by_kind: dict[str, list[CaseCategory]] = {}
    for category in org.categories.values():
        leaves_by_kind.setdefault(category.kind, []).append(category)
    for leaves in leaves_by_kind.values():
        leaves.sort(key=lambda c: c.code)
    leaf_ids = sorted(c.pk for c in org.categories.values())

    def contact_row(pk: int, at: dt.datetime, agent: int, *, customer: int | None,
                    case: int | None, category: int | None, answered: bool) -> dict:
        channel = Contact.Channel.INBOUND_CALL if case else channel_pick()
        answered_at = ended_at = None
        seconds = None
        if answered:
            roll = rng.random()
            seconds = (rng.randint(2, 44) if roll < 0.85 else rng.randint(45, 120)
                       if roll < 0.97 else rng.randint(121, 600))
            if channel in (Contact.Channel.MESSAGE, Contact.Channel.EMAIL):
                seconds = rng.randint(60, 4 * 3600)
            answered_at = at + dt.timedelta(seconds=seconds)
            ended_at = answered_at + dt.timedelta(seconds=rng.randint(40, 900))
        else:
            ended_at = at + dt.timedelta(seconds=rng.randint(5, 120))
        return {
            "id": pk, "channel": channel, "customer_id": customer, "agent_id": agent,
            "department_id": org.cs, "case_id": case, "queued_at": at,
            "answered_at": answered_at, "ended_at": ended_at, "answered": answered,
            "first_response_seconds": seconds,
            "transferred": answered and rng.random() < 0.03,
            "category_id": category,
            "summary": rng.choice(SUMMARIES) if answered else "",
            "created_at": ended_at,
        }

    # --- Cases in order of opening, numbers continuing each day's counter; each with its
    # opening event and the (answered, inbound) contact it was opened in.
    first_case = _next_id(Case)
    next_event = _next_id(CaseEvent)
    next_timer = _next_id(CaseTimer)
    planner = TimerPlanner()
    picker = _StatusPicker(rng, end)
    timers: list[dict] = []
    first_contact = _next_id(Contact)
    day_last = dict(CaseNumberCounter.objects.values_list("day", "last"))
    opened = sorted(clock.moment() for _ in range(counts.cases))
    cases: list[dict] = []
    events: list[dict] = []
    contacts: list[dict] = []
    for offset, at in enumerate(opened):
        pk = first_case + offset
        day = at.astimezone(BEIJING).strftime("%Y%m%d")
        day_last[day] = day_last.get(day, 0) + 1
        kind = kind_pick()
        category = rng.choice(leaves_by_kind[kind])
        owner = rng.choice(org.tier1)
        customer = customer_before(at) or first_id
        if rng.random() < cs_share or not org.business:
            department = org.cs
            if kind == Case.Kind.CONSULTATION:
                assignee = owner if rng.random() < 0.7 else rng.choice(org.tier1)
            else:
                assignee = rng.choice(org.tier2)
            team = org.team_of.get(assignee)
        else:
            department = rng.choice(org.business)
            assignee, team = org.head_of[department], org.team_in[department]
        grade = grade_pick() if kind == Case.Kind.COMPLAINT else ""
        status = picker.status(planner.deadlines(kind, category.pk, grade, at), at)
        resolved_at = closed_at = None
        if status in ("resolved", "closed"):
            low, high = RESOLUTION_MINUTES[kind]
            resolved_at = min(at + dt.timedelta(minutes=rng.randint(low, high)), end)
        if status == "closed":
            closed_at = resolved_at + dt.timedelta(hours=rng.randint(1, 72))
            if closed_at > end:
                status, closed_at = "resolved", None
        callback = None
        if status in Case.OPEN_STATUSES and rng.random() < 0.3:
            callback = at + dt.timedelta(hours=rng.randint(2, 48))
        subject = rng.choice(SUBJECTS.get(category.code, [category.name]))
        last_change = closed_at or resolved_at or at
        cases.append({
            "id": pk, "number": f"K{day}{day_last[day]:05d}", "kind": kind,
            "category_id": category.pk, "customer_id": customer, "subject": subject,
            "description": f"{subject}。客户来电反映情况，已记录详细信息。",
            "status": status, "grade": grade, "assignee_id": assignee, "team_id": team,
            "department_id": department, "handling_department_id": None, "desk": "",
            "first_contact_owner_id": owner,
            "promised_callback_at": callback, "opened_at": at, "resolved_at": resolved_at,
            "closed_at": closed_at, "created_by_id": owner, "updated_at": last_change,
        })
        # The timeline holds every step that led to the status, as the services write it.
        steps = [("", "new", at, owner, CaseEvent.Kind.OPENED)]
        if status != "new":
            started = min(at + dt.timedelta(minutes=rng.randint(1, 30)), resolved_at or end)
            steps.append(("new", "in_progress", started, assignee, CaseEvent.Kind.STATUS_CHANGED))
        if status == "waiting_customer":
            steps.append(("in_progress", "waiting_customer", steps[-1][2], assignee,
                          CaseEvent.Kind.STATUS_CHANGED))
        if resolved_at is not None:
            steps.append(("in_progress", "resolved", resolved_at, assignee,
                          CaseEvent.Kind.STATUS_CHANGED))
        if closed_at is not None:
            steps.append(("resolved", "closed", closed_at, assignee,
                          CaseEvent.Kind.STATUS_CHANGED))
        cases[-1]["version"] = len(steps)
        planned_timers = planner.plan(
            CaseHistory(
                case_id=pk, kind=kind, category_id=category.pk, grade=grade, status=status,
                opened_at=at, accepted_at=steps[1][2] if len(steps) > 1 else None,
                waiting_since=steps[-1][2] if status == "waiting_customer" else None,
                resolved_at=resolved_at,
            ),
            now=end, swept=swept,
        )
        cases[-1].update(sla_state=SlaState.NONE, sla_due_at=None)  # from the timers below
        for row in planned_timers:
            row["id"] = next_timer
            next_timer += 1
            timers.append(row)
        for from_value, to_value, step_at, actor, event_kind in steps:
            events.append({
                "id": next_event, "case_id": pk, "at": step_at, "actor_id": actor,
                "kind": event_kind,
                "data": change_data(
                    from_value, to_value,
                    **({"category": category.pk, "assignee": assignee, "team": team,
                        "department": department, "grade": grade}
                       if event_kind == CaseEvent.Kind.OPENED else {})),
                "reason": "",
            })
            next_event += 1
        queued = at - dt.timedelta(seconds=rng.randint(60, 900))
        contacts.append(contact_row(first_contact + offset, queued, owner, customer=customer,
                                    case=pk, category=category.pk, answered=True))
        if len(cases) >= chunk:
            write(Case, cases)
            write(CaseEvent, events)
            write(CaseTimer, timers)
            write(Contact, contacts)
            cases_sla_refresh_between(cases[0]["id"], cases[-1]["id"])
            cases, events, contacts, timers = [], [], [], []
            report(f"工单 {offset + 1}/{counts.cases}")
    write(Case, cases)
    write(CaseEvent, events)
    write(CaseTimer, timers)
    write(Contact, contacts)
    if cases:
        cases_sla_refresh_between(cases[0]["id"], cases[-1]["id"])
    cases, events, contacts, timers = [], [], [], []
    report(f"工单 {counts.cases}/{counts.cases}")
    touched_days = {at.astimezone(BEIJING).strftime("%Y%m%d") for at in opened}

    # --- The other contacts: no case; some callers not identified.
    all_agents = org.tier1 * 4 + org.tier2
    for offset in range(counts.cases, max(counts.contacts, counts.cases)):
        at = clock.moment()
        answered = rng.random() < 0.92
        customer = customer_before(at) if answered and rng.random() < 0.85 else None
        category = rng.choice(leaf_ids) if answered and rng.random() < 0.7 else None
        contacts.append(contact_row(first_contact + offset, at, rng.choice(all_agents),
                                    customer=customer, case=None, category=category,
                                    answered=answered))
        if len(contacts) >= chunk:
            write(Contact, contacts)
            contacts = []
            report(f"话务 {offset + 1}/{max(counts.contacts, counts.cases)}")
    write(Contact, contacts)

    for month in touched_months:
        CustomerCodeCounter.objects.update_or_create(month=month,
                                                     defaults={"last": month_last[month]})
    for day in touched_days:
        CaseNumberCounter.objects.update_or_create(day=day, defaults={"last": day_last[day]})
    return {"customers": counts.customers, "contacts": max(counts.contacts, counts.cases),
            "cases": counts.cases, "case_events": counts.cases}


@contextlib.contextmanager
def _stored_timestamps(model_classes: Iterable[type[models.Model]]) -> Iterator[None]:
    """Let bulk_create keep the timestamps we give instead of auto_now(_add)'s now()."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def bulk_writer(batch_size: int = BATCH) -> Callable[[type[models.Model], list[dict]], None]:
    def write(model: type[models.Model], rows: list[dict]) -> None:
        if rows:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=batch_size)
    return write


# Column types passed to the driver as they are; the others are converted below.
_AS_IS = {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
          "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
          "CharField", "TextField", "BooleanField", "ForeignKey"}


def _converter(field: models.Field) -> Callable[[Any], Any]:
    """How one column's Python value becomes the driver's parameter: what Django's own
    `get_db_prep_save` gives, worked out once per column instead of once per value (the
    per-value path is most of the time of `bulk_create` for the demo's rows)."""
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return lambda value: value
    sqlite = connection.vendor == "sqlite"
    if kind == "DateTimeField" and sqlite:  # naive UTC text, as Django stores it
        return lambda value: None if value is None else str(
            value.astimezone(dt.UTC).replace(tzinfo=None))
    if kind == "DateTimeField":
        return lambda value: value
    if kind == "DurationField" and sqlite:  # microseconds
        return lambda value: None if value is None else (
            (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds)
    return lambda value: field.get_db_prep_save(value, connection)


def fast_writer(batch_size: int = BATCH) -> Callable[[type[models.Model], list[dict]], None]:
    """Like `bulk_writer`, without building a model instance and compiling every value:
    one INSERT per table run with `executemany` over rows that hold every concrete column
    (keyed by attname, as `generate` makes them). Timestamps are stored as given."""
    def write(model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        fields = model._meta.concrete_fields
        convert = [(f.attname, _converter(f)) for f in fields]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)))
        with connection.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, [[c(row[name]) for name, c in convert]
                                         for row in rows[start:start + batch_size]])
    return write


def sequences_reset(models_written: Iterable[type[models.Model]]) -> None:
    """Move PostgreSQL's id sequences past the explicit ids we inserted (no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_written))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def intake_demo_exists() -> bool:
    return Customer.objects.filter(notes__startswith=MARKER).exists()


def seed_intake(
    *, months: int = 3, now: dt.datetime | None = None, scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create the intake demo unless it exists already; return how many rows were made
    ({} when nothing was done)."""
    if intake_demo_exists():
        return {}
    end = now or timezone.now()
    start = end - dt.timedelta(days=round(months * 30.44))
    counts = Counts(customers=max(1, round(CUSTOMERS * scale)),
                    contacts=round(CONTACTS * scale), cases=round(CASES * scale))
    org = load_org()
    with transaction.atomic():
        created = generate(counts=counts, org=org, start=start, end=end, write=fast_writer(),
                           progress=progress)
        sequences_reset([Customer, Case, CaseEvent, CaseTimer, Contact])
        resolution_tallies_rebuild()
    return created
