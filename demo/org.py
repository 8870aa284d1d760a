"""Demo organisation for `seed_demo`: a believable Chinese service center with the business
departments its complaints are passed to (each with a head, a supervisor, people who can be
named responsible for a complaint, and the phone a customer is given), and each complaint
type's owner department. Deterministic (no randomness), so running it twice changes
nothing; whatever an administrator changed since (a phone, a type's owner) stays."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from complaints.handling.models import ComplaintType
from servicedesk.models import BusinessCalendar, Company, Department, StaffProfile, Team
from servicedesk.roles import Role
from servicedesk.services import staff_create

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the demo on purpose

COMPANY = "华信优选客服中心"

# (code, name, kind, teams, contact phone: what a customer is told with the department's
# head as contact person, seed 002 首问责任制)
DEPARTMENTS = [
    ("cs", "客服中心", Department.Kind.SERVICE, ["一线一组", "一线二组", "一线三组", "二线组",
                                                 "舆情组", "重大安全组"], "400-820-6688"),
    ("after-sales", "售后服务部", Department.Kind.BUSINESS, ["售后一组"], "0755-8321-6000"),
    ("tech", "技术部", Department.Kind.BUSINESS, ["运维组"], "0755-8321-6100"),
    ("logistics", "物流部", Department.Kind.BUSINESS, ["配送组"], "0755-8321-6200"),
    ("sales", "销售部", Department.Kind.BUSINESS, ["门店组"], "0755-8321-6300"),
]
BUSINESS_DEPARTMENTS = ("after-sales", "tech", "logistics", "sales")

# Where a complaint of each type (complaints/migrations/0002) is dispatched by default: the
# department that can fix what it is about. Service attitude is the service center's own
# (its supervisors handle attitude complaints, domain.md "People and roles").
TYPE_OWNERS = {
    "product-fault": "after-sales",
    "repair-technique": "tech",
    "repair-fee": "after-sales",
    "reception": "sales",
    "purchase": "sales",
    "parts": "logistics",
    "service-attitude": "cs",
    "logistics": "logistics",
}

# The people of each business department a complaint can name as responsible (they sign in
# with the tier-2 role: the roles are the service center's, and a department member needs
# one that sees the department's cases). (username prefix, how many, team)
BUSINESS_STAFF = {
    "after-sales": ("shouhou", 4, "售后一组"),
    "tech": ("jishu", 2, "运维组"),
    "logistics": ("wuliu", 3, "配送组"),
    "sales": ("xiaoshou", 2, "门店组"),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
    "曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "桂英", "晓明", "雪", "婷", "欣怡", "子涵", "浩然",
         "思远", "雨桐", "嘉怡", "宇航", "佳琪", "梓萱", "一鸣", "文博", "诗涵", "俊杰", "晨曦",
         "若曦", "志强", "海燕", "建华", "丽娟", "春梅", "国庆", "红梅", "立新", "玉兰", "建国"]


@dataclass(frozen=True)
class DemoStaff:
    username: str
    role: str
    department: str
    team: str | None


DEMO_MAIL_DOMAIN = "demo.servicedesk.cn"  # notices go to the console in development


def _roster() -> list[DemoStaff]:
    staff: list[DemoStaff] = []
    for i in range(1, 25):  # 24 tier-1 agents across three teams
        staff.append(DemoStaff(f"agent{i:02d}", Role.TIER1, "cs", f"一线{'一二三'[(i - 1) % 3]}组"))
    for i in range(1, 7):
        staff.append(DemoStaff(f"tier2_{i:02d}", Role.TIER2, "cs", "二线组"))
    for i in range(1, 4):
        staff.append(DemoStaff(f"yuqing{i:02d}", Role.PUBLIC_OPINION, "cs", "舆情组"))
    for i in range(1, 3):
        staff.append(DemoStaff(f"anquan{i:02d}", Role.MAJOR_SAFETY, "cs", "重大安全组"))
    for i, team in enumerate(["一线一组", "一线二组", "一线三组"], start=1):
        staff.append(DemoStaff(f"banzhang{i}", Role.TEAM_LEAD, "cs", team))
    staff.append(DemoStaff("zhibanzhang", Role.SHIFT_LEAD, "cs", None))
    staff.append(DemoStaff("zhibanzhang2", Role.SHIFT_LEAD, "cs", None))
    staff.append(DemoStaff("supervisor", Role.SUPERVISOR, "cs", None))
    staff.append(DemoStaff("supervisor2", Role.SUPERVISOR, "cs", None))
    for code in ("after-sales", "tech", "logistics", "sales"):
        staff.append(DemoStaff(f"manager_{code.replace('-', '_')}", Role.MANAGER, code, None))
    staff.append(DemoStaff("manager", Role.MANAGER, "cs", None))
    staff.append(DemoStaff("gm", Role.GENERAL_MANAGER, "cs", None))
    staff.append(DemoStaff("admin", Role.ADMINISTRATOR, "cs", None))
    # The business departments' supervisors and people (after the first 49, so that their
    # names and employee numbers stay what they were).
    for code in BUSINESS_DEPARTMENTS:
        staff.append(DemoStaff(f"supervisor_{code.replace('-', '_')}", Role.SUPERVISOR, code,
                               None))
    for code, (prefix, count, team) in BUSINESS_STAFF.items():
        for i in range(1, count + 1):
            staff.append(DemoStaff(f"{prefix}{i:02d}", Role.TIER2, code, team))
    return staff


def _name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


@transaction.atomic
def seed_org() -> dict[str, int]:
    """Create what is missing; return how many rows of each kind were created."""
    created = {"departments": 0, "teams": 0, "staff": 0}
    company, _ = Company.objects.get_or_create(name=COMPANY)
    departments: dict[str, Department] = {}
    teams: dict[tuple[str, str], Team] = {}
    for code, name, kind, team_names, phone in DEPARTMENTS:
        department, was_created = Department.objects.get_or_create(
            code=code, defaults={"company": company, "name": name, "kind": kind,
                                 "contact_phone": phone}
        )
        created["departments"] += was_created
        if not department.contact_phone:  # a demo seeded before departments had phones
            Department.objects.filter(pk=department.pk, contact_phone="").update(
                contact_phone=phone)
        departments[code] = department
        for team_name in team_names:
            team, was_created = Team.objects.get_or_create(department=department, name=team_name)
            created["teams"] += was_created
            teams[(code, team_name)] = team

    line = BusinessCalendar.objects.filter(name="line_0900_2300_7d").first()
    office = BusinessCalendar.objects.filter(name="work_0900_1800_cn").first()
    existing = set(
        get_user_model().objects.filter(username__in=[s.username for s in _roster()])
        .values_list("username", flat=True)
    )
    new_usernames = []
    for index, member in enumerate(_roster()):
        if member.username in existing:
            continue
        new_usernames.append(member.username)
        profile = staff_create(
            username=member.username,
            password=None,
            display_name=_name(index),
            employee_no=f"KF{index + 1:04d}",
            role=member.role,
            department=departments[member.department],
            team=teams[(member.department, member.team)] if member.team else None,
            email=f"{member.username}@{DEMO_MAIL_DOMAIN}",
        )
        on_the_line = member.department == "cs" and member.role in {Role.TIER1, Role.TIER2}
        profile.work_calendar = line if on_the_line else office
        profile.save(update_fields=["work_calendar"])
        created["staff"] += 1
        if member.role == Role.ADMINISTRATOR:
            profile.user.is_superuser = True
            profile.user.save(update_fields=["is_superuser"])

    # One hash for everybody: hashing 50 passwords one by one takes seconds.
    get_user_model().objects.filter(username__in=new_usernames).update(
        password=make_password(DEMO_PASSWORD)
    )

    # Heads and leads, once the people exist.
    by_username = {
        p.user.username: p for p in StaffProfile.objects.select_related("user", "team")
    }
    Department.objects.filter(code="cs", head=None).update(head=by_username["manager"].user)
    for code in BUSINESS_DEPARTMENTS:
        head = by_username[f"manager_{code.replace('-', '_')}"].user
        Department.objects.filter(code=code, head=None).update(head=head)
    for i, team_name in enumerate(["一线一组", "一线二组", "一线三组"], start=1):
        Team.objects.filter(pk=teams[("cs", team_name)].pk, lead=None).update(
            lead=by_username[f"banzhang{i}"].user
        )
    # Each complaint type's owner department, where none is set.
    for type_code, department_code in TYPE_OWNERS.items():
        ComplaintType.objects.filter(code=type_code, owner_department=None).update(
            owner_department=departments[department_code])
    return created


def demo_logins() -> list[tuple[str, str]]:
    """One login per role, for the README and the end of `seed_demo`."""
    seen: dict[str, str] = {}
    for member in _roster():
        seen.setdefault(member.role, member.username)
    return [(Role(role).label, username) for role, username in seen.items()]
