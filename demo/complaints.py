"""Demo complaints for `seed_intake_demo` (so `seed_demo`), seed 002 投诉流程管理制度 end to end:
two dozen complaints of every grade (D from an "invalid" verdict), every type and every
source (the public-opinion and major-safety desks' ones included), left in every state of
the flow, with repeats (再度投诉, one caused by neglect), escalations to the general manager
(one waiting for the final proposal, one settled by it), interim results, a follow-up that
sent a complaint back, SLA excuses (waiting, approved, rejected), penalty ledger entries
(from closures and from late clocks; one waived by a manager, one adjusted) and a person
flagged by the monthly check who filed the rectification report.

Everything goes through the services (`complaints.*.services`, `tickets.contacts.services`),
each step by a demo person whose role and department allow it, at plausible Beijing times
(`now=`): the closed complaints over the last four weeks, the open ones within the last
working hours before seeding (so their clocks still run within target, but for one overdue
complaint waiting for the department's verdict). Deterministic and idempotent: nothing is
done once the demo complaints exist (`MARKER` in their description). Needs the demo
organisation (`demo.org.seed_org`) and the demo customers (`demo.intake`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from complaints.checks.models import PersonMonthCheck
from complaints.checks.services import check_report_file, person_checks_run
from complaints.handling.models import Complaint, ComplaintType, Source
from complaints.handling.services import (
    complaint_close,
    complaint_dispatch,
    complaint_escalate,
    complaint_file,
    complaint_follow_up,
    complaint_interim,
    complaint_propose,
    complaint_regrade,
    complaint_resolve,
    complaint_verdict,
)
from complaints.penalties.models import PenaltyEntry, PenaltyRule, SlaExcuse
from complaints.penalties.services import (
    charges_sync,
    entry_adjust,
    entry_waive,
    excuse_decide,
    excuse_request,
)
from servicedesk.models import Department
from servicedesk.months import month_of
from tickets.contacts.models import Contact
from tickets.contacts.services import contact_log
from tickets.customers.models import Customer
from tickets.customers.services import customer_create
from tickets.sla.models import CaseTimer, TimerKind

MARKER = "[演示:投诉]"
BEIJING = ZoneInfo("Asia/Shanghai")
# The service line's hours (the `line_0900_2300_7d` calendar): open complaints are filed
# and worked within them.
LINE_OPENS, LINE_CLOSES = 9, 23
# Sources the complaint's call is logged for (an inbound call, linked to the complaint).
CALLED_IN = (Source.HOTLINE, Source.CALL_LETTER)
# The open complaints' last step lies this long before seeding (before the seeding sweep,
# `demo.sla_live.sla_history_settle`, which records what crossed up to an hour ago).
OPEN_STORIES_END = dt.timedelta(minutes=65)


def complaints_demo_exists() -> bool:
    return Complaint.objects.filter(case__description__startswith=MARKER).exists()


def line_back(instant: dt.datetime, minutes: float) -> dt.datetime:
    """The instant `minutes` of the service line's hours (09:00–23:00 Beijing, every day)
    before `instant`: what happened that long ago on the line, never at night."""
    at = instant.astimezone(BEIJING)
    left = dt.timedelta(minutes=minutes)
    while True:
        if at.hour >= LINE_CLOSES:
            at = at.replace(hour=LINE_CLOSES, minute=0, second=0, microsecond=0)
        elif at.hour < LINE_OPENS:
            at = (at - dt.timedelta(days=1)).replace(hour=LINE_CLOSES, minute=0, second=0,
                                                     microsecond=0)
        opened = at.replace(hour=LINE_OPENS, minute=0, second=0, microsecond=0)
        if left <= at - opened:
            return at - left
        left -= at - opened
        at = (opened - dt.timedelta(days=1)).replace(hour=LINE_CLOSES)


@dataclass
class Story:
    """One complaint taken through its steps, each at its own instant (never earlier than
    the previous one, never after `end`)."""

    complaint: Complaint
    end: dt.datetime
    at: dt.datetime

    def _when(self, at: dt.datetime) -> dt.datetime:
        if at < self.at or at > self.end:
            raise RuntimeError(f"demo complaint {self.complaint.case.number}: a step at "
                               f"{at.isoformat()} after {self.at.isoformat()} and before "
                               f"{self.end.isoformat()} was expected")
        self.at = at
        return at

    def _step(self, service: Callable[..., Complaint], at: dt.datetime,
              **values: Any) -> Story:
        self.complaint = service(complaint=self.complaint,
                                 expected_version=self.complaint.version,
                                 now=self._when(at), **values)
        return self

    def regrade(self, at: dt.datetime, *, by: Any, grade: str, reason: str) -> Story:
        return self._step(complaint_regrade, at, by=by, grade=grade, reason=reason)

    def dispatch(self, at: dt.datetime, *, by: Any, department: Department | None = None,
                 reason: str = "") -> Story:
        return self._step(complaint_dispatch, at, by=by, department=department, reason=reason)

    def verdict(self, at: dt.datetime, *, by: Any, responsible: Any, fix: str,
                valid: bool = True, reason: str = "", neglect: bool = False) -> Story:
        return self._step(complaint_verdict, at, by=by, responsible=responsible, fix=fix,
                          verdict="valid" if valid else "invalid", reason=reason,
                          repeat_by_neglect=neglect)

    def propose(self, at: dt.datetime, *, by: Any, text: str, accepted: bool = True,
                fix_by: dt.datetime | None = None, note: str = "") -> Story:
        return self._step(complaint_propose, at, by=by, text=text,
                          response="accepted" if accepted else "rejected", fix_by=fix_by,
                          response_note=note)

    def escalate(self, at: dt.datetime, *, by: Any, reason: str) -> Story:
        return self._step(complaint_escalate, at, by=by, reason=reason)

    def interim(self, at: dt.datetime, *, by: Any, text: str) -> Story:
        return self._step(complaint_interim, at, by=by, text=text)

    def resolve(self, at: dt.datetime, *, by: Any, result: str) -> Story:
        return self._step(complaint_resolve, at, by=by, final_result=result)

    def follow_up(self, at: dt.datetime, *, by: Any, satisfaction: str = "satisfied",
                  note: str = "") -> Story:
        return self._step(complaint_follow_up, at, by=by, satisfaction=satisfaction,
                          note=note)

    def close(self, at: dt.datetime, *, by: Any) -> Story:
        self._step(complaint_close, at, by=by)
        # The closure's charges (the grade fine, the loss; late clocks as they stand),
        # idempotent: once the closing service charges them itself, this changes nothing.
        charges_sync(complaint_ids=[self.complaint.pk], now=self.at)
        return self

    def timer(self, kind: str) -> CaseTimer:
        return CaseTimer.objects.filter(case_id=self.complaint.case_id, kind=kind).exclude(
            state="cancelled").order_by("-started_at", "-id")[0]


@dataclass
class Seeder:
    now: dt.datetime
    people: dict[str, Any]
    types: dict[str, ComplaintType]
    departments: dict[str, Department]
    customers: list[Customer]
    stories: dict[str, Story] = field(default_factory=dict)
    used_customers: int = 0

    # --- when ---------------------------------------------------------------------------

    def day(self, days_ago: int, hhmm: str) -> dt.datetime:
        """`hhmm` Beijing time, `days_ago` days before today (Beijing)."""
        date = self.now.astimezone(BEIJING).date() - dt.timedelta(days=days_ago)
        hour, minute = (int(part) for part in hhmm.split(":"))
        return dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=BEIJING)

    def ago(self, line_minutes: float) -> dt.datetime:
        """For an open complaint: `line_minutes` of line time before its stories' end."""
        return line_back(self.now - OPEN_STORIES_END, line_minutes)

    # --- who and for whom ---------------------------------------------------------------

    def customer(self) -> Customer:
        """The next demo customer not complaining yet (a repeat complaint names its first
        complaint's customer instead)."""
        self.used_customers += 1
        return self.customers[self.used_customers - 1]

    def file(self, key: str, *, at: dt.datetime, by: str, type: str, source: str,
             subject: str, description: str, procedure: str = "none", emotion: str = "calm",
             loss: str = "0", impact: str = "none", temperament: str = "",
             grade: str = "", grade_reason: str = "", customer: Customer | None = None,
             end: dt.datetime | None = None) -> Story:
        agent = self.people[by]
        customer = customer or self.customer()
        contact = None
        if source in CALLED_IN:  # the call it was taken on, linked to the complaint
            contact = contact_log(
                channel=Contact.Channel.INBOUND_CALL, agent=agent, customer=customer,
                queued_at=at - dt.timedelta(minutes=9), answered_at=at - dt.timedelta(
                    minutes=8, seconds=42), ended_at=at, summary=subject, now=at)
        complaint = complaint_file(
            customer=customer, type=self.types[type], source=source,
            description=f"{MARKER} {description}", procedure=procedure, emotion=emotion,
            loss_yuan=Decimal(loss), impact=impact, by=agent, grade=grade,
            grade_reason=grade_reason, temperament=temperament, subject=subject,
            contact=contact, now=at,
        )
        story = Story(complaint=complaint, end=end or self.now, at=at)
        self.stories[key] = story
        return story

    def __getattr__(self, username: str) -> Any:
        """`seeder.agent01`: the demo person of that username."""
        people = self.__dict__.get("people") or {}
        if username in people:
            return people[username]
        raise AttributeError(username)


def _closed_complaints(s: Seeder) -> None:
    """Handled over the last four weeks and closed (or, for one, sent back once first)."""
    # A: a 5000-yuan loss. The general manager is told at intake; handled within 8 hours.
    (s.file("a-loss", at=s.day(18, "10:12"), by="agent01", type="product-fault",
            source=Source.HOTLINE, subject="新买冰箱漏水泡坏木地板",
            description="客户反映上周购买的双开门冰箱底部持续漏水，泡坏了厨房木地板，"
                        "维修估价五千元，要求赔偿并更换冰箱。",
            emotion="strong", loss="5000", temperament="threatening")
     .dispatch(s.day(18, "10:25"), by=s.agent01)
     .verdict(s.day(18, "11:40"), by=s.supervisor_after_sales, responsible=s.shouhou02,
              fix="出厂检测漏检排水管接口，更换冰箱并赔偿地板损失；加强出厂密封检测")
     .propose(s.day(18, "13:30"), by=s.supervisor_after_sales,
              text="今日上门更换同型号新冰箱，地板损失按估价 5000 元赔付",
              fix_by=s.day(17, "18:00"))
     .resolve(s.day(18, "16:50"), by=s.shouhou02, result="已上门更换新冰箱，赔款已转账")
     .follow_up(s.day(17, "10:15"), by=s.agent01, note="客户确认新冰箱运行正常，赔款已到账")
     .close(s.day(17, "16:00"), by=s.manager))

    # B: a wrong repair fee; the manager later adjusts the loss borne (half refunded).
    (s.file("b-fee", at=s.day(12, "14:05"), by="agent02", type="repair-fee",
            source=Source.CALL_LETTER, subject="空调维修多收费用",
            description="客户来电称上门维修空调时师傅按整机更换压缩机收费 1280 元，"
                        "实际只更换了电容，多收 800 元。",
            procedure="careless", loss="800")
     .dispatch(s.day(12, "14:20"), by=s.agent02)
     .verdict(s.day(12, "15:30"), by=s.supervisor_after_sales, responsible=s.shouhou03,
              fix="按实际更换配件重新核价，退还多收费用；维修收费须客户签字确认明细")
     .propose(s.day(12, "17:00"), by=s.supervisor_after_sales,
              text="退还多收的 800 元维修费，并赠送一次免费清洗")
     .follow_up(s.day(11, "10:30"), by=s.agent02, note="客户对退款方案满意")
     .resolve(s.day(11, "11:00"), by=s.shouhou03, result="800 元已原路退回")
     .close(s.day(11, "17:20"), by=s.manager))

    # C, walked in at the store; the manager waives the fine.
    (s.file("c-reception", at=s.day(20, "15:30"), by="agent05", type="reception",
            source=Source.DIRECT, subject="门店接待无人理睬",
            description="客户到门店咨询洗衣机以旧换新，等候二十分钟无人接待，"
                        "店员在柜台聊天。",
            temperament="talkative")
     .dispatch(s.day(20, "15:42"), by=s.agent05)
     .verdict(s.day(20, "16:30"), by=s.supervisor_sales, responsible=s.xiaoshou01,
              fix="门店实行首问接待，高峰期增加导购；当事店员接受服务规范培训")
     .propose(s.day(20, "17:30"), by=s.supervisor_sales,
              text="店长致电道歉，客户下次到店由专人接待并赠送延保一年")
     .follow_up(s.day(19, "10:40"), by=s.agent05, note="客户接受道歉")
     .resolve(s.day(19, "11:00"), by=s.xiaoshou01, result="店长已致电道歉，延保已登记")
     .close(s.day(19, "15:00"), by=s.manager))

    # D: the sales department finds it invalid, and still explains it politely.
    (s.file("d-invalid", at=s.day(9, "11:20"), by="agent09", type="purchase",
            source=Source.OPINION_BOARD, subject="认为促销价格欺诈",
            description="客户在意见板留言：购买电视时未享受到活动页标注的满减优惠，"
                        "认为商家价格欺诈。")
     .dispatch(s.day(9, "11:35"), by=s.agent09)
     .verdict(s.day(9, "14:10"), by=s.supervisor_sales, responsible=s.xiaoshou02,
              valid=False, reason="活动规则已在页面公示，投诉不成立",
              fix="经核实，订单价格与活动规则一致（满减需同一店铺满 5000 元）；"
                  "已向客户耐心解释活动规则并致歉说明")
     .propose(s.day(9, "15:00"), by=s.supervisor_sales,
              text="向客户解释满减规则，赠送 50 元优惠券表示歉意")
     .resolve(s.day(9, "15:30"), by=s.supervisor_sales, result="已解释并发放优惠券")
     .follow_up(s.day(8, "10:20"), by=s.agent09, satisfaction="basically",
                note="客户表示理解，但希望活动规则写得更醒目")
     .close(s.day(8, "16:00"), by=s.manager))

    # B, finished late because the customer could not be reached: excuse approved.
    late = (s.file("b-late-excused", at=s.day(15, "09:50"), by="agent15", type="logistics",
                   source=Source.HOTLINE, subject="大件家具配送延误",
                   description="客户订购的沙发承诺前天送达，至今未配送，"
                               "客户已请假在家等候两天。",
                   emotion="strong")
            .dispatch(s.day(15, "10:05"), by=s.agent15)
            .verdict(s.day(15, "11:30"), by=s.supervisor_logistics, responsible=s.wuliu01,
                     fix="调度专车当日配送；大件订单发车前一天电话确认")
            .propose(s.day(15, "14:00"), by=s.supervisor_logistics,
                     text="今晚专车配送并免收安装费", fix_by=s.day(14, "12:00"))
            .follow_up(s.day(14, "10:30"), by=s.agent15, note="客户同意次日上午收货")
            .resolve(s.day(14, "15:20"), by=s.wuliu01, result="沙发已送达并安装"))
    excuse = excuse_request(timer=late.timer(TimerKind.RESOLUTION), by=s.supervisor,
                            reason_kind="customer_unreachable", now=s.day(14, "16:00"),
                            note="客户出差，14 日上午三次预约上门均未接通，次日下午才完成配送")
    excuse_decide(excuse=excuse, by=s.manager, approve=True, now=s.day(14, "17:30"),
                  note="通话记录可查，属客户原因")
    late.at = s.day(14, "17:30")
    late.close(s.day(14, "18:00"), by=s.manager)

    # C, accepted late (filed after 22:30, dispatched the next morning): excuse rejected.
    late_acceptance = (
        s.file("c-late-acceptance", at=s.day(25, "22:40"), by="tier2_01", type="parts",
               source=Source.CALL_LETTER, subject="更换的滤芯型号不对",
               description="客户来电称售后寄来的净水器滤芯型号与机器不符，无法安装。")
        .dispatch(s.day(24, "10:30"), by=s.tier2_01)
        .verdict(s.day(24, "11:40"), by=s.supervisor_logistics, responsible=s.wuliu03,
                 fix="按机身型号重新发货；出库时核对配件型号")
        .propose(s.day(24, "14:00"), by=s.supervisor_logistics,
                 text="今日顺丰加急寄出正确型号滤芯，错发件上门取回")
        .resolve(s.day(24, "17:00"), by=s.wuliu03, result="正确滤芯已签收")
        .follow_up(s.day(23, "10:10"), by=s.tier2_01)
        .close(s.day(23, "15:00"), by=s.manager))
    excuse = excuse_request(timer=late_acceptance.timer(TimerKind.ACCEPTANCE),
                            by=s.supervisor, reason_kind="other", now=s.day(23, "16:00"),
                            note="当晚系统升级，22:30 后的工单未推送到受理队列")
    excuse_decide(excuse=excuse, by=s.manager, approve=False, now=s.day(22, "10:00"),
                  note="系统日志显示工单已正常推送，不属于特殊原因")

    # A through the public-opinion desk: escalated, the general manager's final proposal.
    (s.file("a-media", at=s.day(22, "10:05"), by="yuqing01", type="service-attitude",
            source=Source.MEDIA, subject="客服辱骂客户录音被发到网上",
            description="本地媒体转来客户投诉：客服电话中出言不逊，录音已在网上传播，"
                        "客户要求公开道歉。",
            emotion="extreme", impact="wide", temperament="angry")
     .dispatch(s.day(22, "10:18"), by=s.yuqing01)
     .verdict(s.day(22, "11:20"), by=s.supervisor, responsible=s.agent07,
              fix="当事客服停岗培训；全员服务用语考核，通话质检覆盖率提到 100%")
     .propose(s.day(22, "13:00"), by=s.supervisor, accepted=False,
              text="由客服主管电话致歉并赠送会员积分",
              note="客户要求公司公开道歉并赔偿精神损失")
     .escalate(s.day(22, "13:30"), by=s.manager, reason="客户诉求超出部门权限，需总经理协调")
     .interim(s.day(22, "15:00"), by=s.supervisor,
              text="已联系媒体说明情况，总经理将于 16 点前给出最终处理意见")
     .propose(s.day(22, "16:00"), by=s.gm,
              text="总经理致电道歉，公司官方账号发布致歉说明，赠送一年会员")
     .resolve(s.day(22, "17:40"), by=s.supervisor, result="致歉说明已发布，客户接受")
     .follow_up(s.day(21, "10:00"), by=s.yuqing01, note="客户表示满意，已删除网上帖子")
     .close(s.day(21, "16:30"), by=s.manager))

    # B through the public-opinion desk (skip-level): the follow-up sends it back once.
    # (A desk's complaint is seen by the desk, supervisors and above: the department's
    # supervisor hands in its results, not the person responsible.)
    (s.file("b-skip-level", at=s.day(6, "09:40"), by="yuqing02", type="repair-technique",
            source=Source.SKIP_LEVEL, subject="洗衣机修了三次仍然异响",
            description="客户越级投诉到集团：洗衣机脱水异响，维修三次未修好，"
                        "要求退货。",
            emotion="strong", temperament="talkative")
     .dispatch(s.day(6, "09:55"), by=s.yuqing02)
     .verdict(s.day(6, "11:00"), by=s.supervisor_tech, responsible=s.jishu01,
              fix="技术部工程师上门复检，更换减震组件；疑难故障由高级工程师处理")
     .propose(s.day(6, "14:00"), by=s.supervisor_tech, text="今日下午高级工程师上门更换减震组件")
     .resolve(s.day(6, "17:30"), by=s.supervisor_tech, result="已更换减震组件")
     .follow_up(s.day(5, "10:10"), by=s.yuqing02, satisfaction="unsatisfied",
                note="维修后仍有异响，客户坚持退货")
     .propose(s.day(5, "14:00"), by=s.supervisor_tech, text="为客户更换同型号新机")
     .resolve(s.day(5, "17:00"), by=s.supervisor_tech, result="新机已送达安装")
     .follow_up(s.day(4, "10:00"), by=s.yuqing02, note="客户对新机满意")
     .close(s.day(4, "15:00"), by=s.manager))

    # A through the major-safety desk.
    (s.file("a-safety", at=s.day(4, "09:30"), by="anquan01", type="product-fault",
            source=Source.SAFETY, subject="电热水器漏电致客户手麻",
            description="客户洗澡时电热水器漏电，手部发麻，所幸无大碍；"
                        "安装时未接地线。",
            procedure="serious", emotion="extreme", temperament="threatening")
     .dispatch(s.day(4, "09:40"), by=s.anquan01)
     .verdict(s.day(4, "10:30"), by=s.manager_after_sales, responsible=s.shouhou04,
              fix="立即上门断电检查，补接地线；全面排查同批次安装单")
     .propose(s.day(4, "11:00"), by=s.manager_after_sales,
              text="两小时内上门整改并免费更换热水器，承担客户体检费用")
     .resolve(s.day(4, "16:00"), by=s.supervisor_after_sales,
              result="已补接地线并更换热水器，体检费已报销")
     .follow_up(s.day(3, "10:00"), by=s.anquan01)
     .close(s.day(3, "15:00"), by=s.manager))

    # The first of a repeat chain: re-graded C → B by the supervisor before dispatch.
    first = (s.file("b-regraded", at=s.day(10, "16:20"), by="agent02", type="logistics",
                    source=Source.HOTLINE, subject="快递三天未更新物流",
                    description="客户反映订单发货后三天物流信息未更新，催问多次无果。")
             .regrade(s.day(10, "16:40"), by=s.supervisor, grade="B",
                      reason="客户称已第三次催件，影响其店铺正常经营，按严重投诉处理")
             .dispatch(s.day(10, "16:45"), by=s.agent02)
             .verdict(s.day(10, "17:30"), by=s.supervisor_logistics, responsible=s.wuliu02,
                      fix="联系快递公司查件，必要时重新发货")
             .propose(s.day(10, "18:00"), by=s.supervisor_logistics,
                      text="已找到包裹，明日中午前送达")
             .follow_up(s.day(9, "10:30"), by=s.agent02)
             .resolve(s.day(9, "12:00"), by=s.wuliu02, result="包裹已送达")
             .close(s.day(9, "17:00"), by=s.manager))

    # Its repeat (再度投诉) a week later, caused by neglect: the grade fine doubles.
    (s.file("b-repeat-neglect", at=s.day(3, "10:10"), by="agent03", type="logistics",
            source=Source.HOTLINE, subject="再次配送延误",
            description="同一客户再次投诉：新订单又延误两天，上次承诺的改善没有落实。",
            emotion="strong", customer=first.complaint.customer)
     .dispatch(s.day(3, "10:20"), by=s.agent03)
     .verdict(s.day(3, "11:30"), by=s.supervisor_logistics, responsible=s.wuliu02,
              neglect=True, reason="上次投诉后未落实改善措施，再次延误",
              fix="该客户订单改由专人跟单；延误订单每日复盘")
     .propose(s.day(3, "13:00"), by=s.supervisor_logistics, text="今日专车送达并补偿 100 元")
     .resolve(s.day(3, "17:00"), by=s.wuliu02, result="已送达，补偿已发放")
     .follow_up(s.day(2, "10:00"), by=s.agent03)
     .close(s.day(2, "16:00"), by=s.manager))


def _routine(s: Seeder, key: str, *, days_ago: int, by: str, type: str, source: str,
             subject: str, description: str, fix: str, proposal: str, result: str,
             procedure: str = "none", loss: str = "0") -> Story:
    """A complaint of the after-sales department handled on time by its usual people, its
    person responsible `shouhou01` (three of these in a month flag them)."""
    return (s.file(key, at=s.day(days_ago, "10:30"), by=by, type=type, source=source,
                   subject=subject, description=description, procedure=procedure,
                   loss=loss)
            .dispatch(s.day(days_ago, "10:45"), by=s.people[by])
            .verdict(s.day(days_ago, "14:00"), by=s.supervisor_after_sales,
                     responsible=s.shouhou01, fix=fix)
            .propose(s.day(days_ago, "15:00"), by=s.supervisor_after_sales, text=proposal)
            .resolve(s.day(days_ago - 1, "09:30"), by=s.shouhou01, result=result)
            .follow_up(s.day(days_ago - 1, "10:20"), by=s.people[by])
            .close(s.day(days_ago - 1, "16:00"), by=s.manager))


def _flag_days(s: Seeder) -> list[int]:
    """Three days (days ago, 3 to 27) in one Beijing month: the week before last's month,
    wherever in it today falls."""
    today = s.now.astimezone(BEIJING).date()
    month = (today - dt.timedelta(days=7)).replace(day=1)
    days = [d for d in range(27, 2, -1)
            if (today - dt.timedelta(days=d)).replace(day=1) == month]
    return [days[0], days[len(days) // 2], days[-1]]


def _flagged_person(s: Seeder) -> int:
    """Three valid complaints in a month naming `shouhou01`: the monthly check flags them
    (and nobody else), and they file their rectification report (停职整改报告) the next day.
    Returns how many people the check flagged."""
    first, middle, last = _flag_days(s)
    _routine(s, "flag-1", days_ago=first, by="agent12", type="product-fault",
             source=Source.HOTLINE, subject="电视开机黑屏",
             description="客户反映新买的电视开机黑屏，只有声音。",
             fix="更换主板；出库前通电检测", proposal="明早上门更换主板",
             result="主板已更换，画面正常")
    _routine(s, "flag-2", days_ago=middle, by="agent14", type="repair-fee",
             source=Source.CALL_LETTER, subject="保修期内被收上门费",
             description="客户来电称热水器在保修期内，师傅却收取了 150 元上门费。",
             procedure="careless", loss="150", fix="退还上门费；保修期内一律免上门费",
             proposal="退还 150 元上门费", result="上门费已退还")
    third = _routine(s, "flag-3", days_ago=last, by="agent16", type="product-fault",
                     source=Source.OPINION_BOARD, subject="油烟机噪音大",
                     description="客户在意见板留言：油烟机安装后噪音很大，影响休息。",
                     fix="重新调整安装角度并加装减震垫", proposal="明早上门调整",
                     result="已调整，噪音正常")
    flagged_at = s.day(last, "14:40")  # the hourly check after the third verdict
    report = person_checks_run(month=month_of(flagged_at), now=flagged_at)
    check = PersonMonthCheck.objects.get(month=month_of(flagged_at), person=s.shouhou01)
    check_report_file(
        check=check, by=s.shouhou01, expected_version=check.version,
        now=max(s.day(last - 1, "17:30"), third.at),
        analysis="三起投诉均为安装、检测环节不细致：出库未通电检测、保修政策不熟、"
                 "安装未按规范加装减震垫。",
        measures="停职整改期间参加售后服务规范和安装工艺培训；每单安装后拍照自检，"
                 "由组长抽查；熟记保修政策并通过考核。",
    )
    return len(report.flagged)


def _open_complaints(s: Seeder) -> None:
    """Filed within the last working hours and left in every open state; their clocks
    still run within target (B and C limits of a day or two), but for one overdue
    complaint whose department has not given its verdict (an excuse waits for it)."""
    # received: waiting for dispatch (agent01 may take it now).
    s.file("open-received", at=line_back(s.now, 20), by="agent01", type="purchase",
           source=Source.HOTLINE, subject="网购空调迟迟不安装",
           description="客户网购空调一周，预约的安装师傅两次爽约，客户情绪激动。",
           emotion="strong", temperament="angry")
    # received by the major-safety desk (only that desk, supervisors and above see it).
    s.file("open-safety", at=line_back(s.now, 35), by="anquan01", type="product-fault",
           source=Source.SAFETY, subject="充电宝充电时发烫冒烟",
           description="客户反映充电宝充电时发烫并冒烟，已断电，未造成损失。",
           emotion="strong", temperament="passive")
    # dispatched: waiting for the technical department's verdict.
    (s.file("open-dispatched", at=s.ago(150), by="agent03", type="repair-technique",
            source=Source.CALL_LETTER, subject="热水器维修后仍不出热水",
            description="客户来电：热水器维修后第二天又不出热水，维修费 1200 元白花了。",
            loss="1200")
     .dispatch(s.ago(135), by=s.agent03))
    # assessed: passed to another department than the type's owner, with a reason.
    (s.file("open-assessed", at=s.ago(300), by="agent04", type="parts",
            source=Source.DIRECT, subject="配件安装后漏水",
            description="客户到店反映：净水器更换的配件安装后接口漏水。",
            procedure="careless")
     .dispatch(s.ago(285), by=s.agent04, department=s.departments["tech"],
               reason="漏水是安装工艺问题，由技术部处理，不是配件发货问题")
     .verdict(s.ago(200), by=s.supervisor_tech, responsible=s.jishu02,
              fix="上门重新安装并做保压测试"))
    # assessed again: the customer was not satisfied at the follow-up (graded B by the
    # agent instead of the suggested C, with the reason).
    (s.file("open-sent-back", at=s.ago(540), by="agent06", type="product-fault",
            source=Source.HOTLINE, subject="洗碗机洗不干净",
            description="客户反映洗碗机洗完碗碟仍有油渍，第二次来电。",
            grade="B", grade_reason="同一问题第二次来电（上次为咨询），客户为 VIP，按严重投诉处理")
     .dispatch(s.ago(525), by=s.agent06)
     .verdict(s.ago(470), by=s.supervisor_after_sales, responsible=s.shouhou02,
              fix="上门检测喷淋臂并清洗过滤网")
     .propose(s.ago(420), by=s.supervisor_after_sales, text="今日上门清洗检修")
     .resolve(s.ago(300), by=s.shouhou02, result="已清洗过滤网")
     .follow_up(s.ago(120), by=s.agent06, satisfaction="unsatisfied",
                note="客户称仍洗不干净，要求更换"))
    # proposed: the customer accepted, the fix is due in two days.
    (s.file("open-proposed", at=s.ago(200), by="agent08", type="reception",
            source=Source.OPINION_BOARD, subject="门店未按约定回电",
            description="客户在意见板留言：门店承诺当天回电告知到货时间，却一直没有回电。",
            temperament="passive")
     .dispatch(s.ago(190), by=s.agent08)
     .verdict(s.ago(150), by=s.supervisor_sales, responsible=s.xiaoshou01,
              fix="门店回电登记表每日下班前核对")
     .propose(s.ago(100), by=s.supervisor_sales, text="店长回电致歉，到货后优先安排送货",
              fix_by=s.now + dt.timedelta(days=2)))
    # escalated: the logistics manager cannot settle it; the general manager's final
    # proposal is awaited (an interim result is on record).
    (s.file("open-escalated", at=s.ago(420), by="agent10", type="logistics",
            source=Source.HOTLINE, subject="冰箱配送途中摔坏",
            description="客户签收时发现冰箱侧板凹陷，配送员称是客户自己弄坏的。",
            emotion="strong", loss="300")
     .dispatch(s.ago(410), by=s.agent10)
     .verdict(s.ago(360), by=s.supervisor_logistics, responsible=s.wuliu01,
              fix="配送前后拍照留存；配送员服务用语培训")
     .propose(s.ago(300), by=s.supervisor_logistics, accepted=False,
              text="补偿 300 元维修费", note="客户要求换新并由配送员道歉")
     .escalate(s.ago(240), by=s.manager_logistics, reason="换新超出部门审批权限")
     .interim(s.ago(90), by=s.supervisor_logistics,
              text="已安排上门取证，总经理明早给出最终处理意见"))
    # resolved: waiting for the follow-up call. A repeat of the repair-fee complaint.
    (s.file("open-repeat", at=s.ago(480), by="agent11", type="repair-fee",
            source=Source.HOTLINE, subject="维修费发票金额不对",
            description="同一客户再次投诉维修收费：退款后开具的发票金额仍是 1280 元。",
            procedure="careless", customer=s.stories["b-fee"].complaint.customer)
     .dispatch(s.ago(470), by=s.agent11)
     .verdict(s.ago(400), by=s.supervisor_after_sales, responsible=s.shouhou03,
              fix="作废原发票，按实收金额重开")
     .propose(s.ago(330), by=s.supervisor_after_sales, text="今日重开发票并快递寄出")
     .resolve(s.ago(60), by=s.shouhou03, result="新发票已寄出"))
    # followed up: the customer is satisfied; waiting for a manager to close it.
    (s.file("open-followed-up", at=s.ago(600), by="agent13", type="purchase",
            source=Source.CALL_LETTER, subject="赠品未随货发出",
            description="客户来电：购买微波炉承诺的赠品餐具没有收到。")
     .dispatch(s.ago(590), by=s.agent13)
     .verdict(s.ago(520), by=s.supervisor_sales, responsible=s.xiaoshou02,
              fix="订单备注赠品由仓库出库核对")
     .propose(s.ago(480), by=s.supervisor_sales, text="今日补发赠品")
     .resolve(s.ago(240), by=s.xiaoshou02, result="赠品已补发签收")
     .follow_up(s.ago(30), by=s.agent13))
    # overdue: dispatched two days ago, no verdict; an excuse waits for a manager.
    overdue = (s.file("open-overdue", at=s.day(2, "10:20"), by="agent05",
                      type="repair-technique", source=Source.HOTLINE,
                      subject="中央空调不制冷",
                      description="客户家中央空调不制冷，报修后约定的上门检测一直没有安排。",
                      emotion="strong")
               .dispatch(s.day(2, "10:34"), by=s.agent05))
    excuse_request(timer=overdue.timer(TimerKind.RESOLUTION), by=s.supervisor,
                   reason_kind="force_majeure", now=s.day(1, "11:40"),
                   note="台风红色预警，技术部工程师停工，无法按时上门检测")


def _ledger_by_managers(s: Seeder) -> None:
    """A manager waives one charge and adjusts another, each with the reason."""
    waived = PenaltyEntry.objects.get(complaint=s.stories["c-reception"].complaint,
                                      rule=PenaltyRule.GRADE_FINE)
    entry_waive(entry=waived, by=s.manager, expected_version=waived.version,
                now=s.day(18, "09:30"),
                reason="首次投诉，当事人已当面致歉并获客户谅解，经理批准免于处罚")
    adjusted = PenaltyEntry.objects.get(complaint=s.stories["b-fee"].complaint,
                                        rule=PenaltyRule.ECONOMIC_LOSS)
    entry_adjust(entry=adjusted, by=s.manager, expected_version=adjusted.version,
                 amount="400.00", now=s.day(10, "10:00"),
                 reason="配件供应商承担一半损失（已退回 400 元），责任人承担 400 元")


def _customers(count: int, *, by: Any, before: dt.datetime) -> list[Customer]:
    """`count` distinct customers registered before `before`: the demo's own, spread over
    them; registered here for what a small demo lacks."""
    known = list(Customer.objects.filter(created_at__lt=before).order_by("id")
                 .values_list("id", flat=True))
    step = max(1, len(known) // count)
    chosen = [known[i] for i in range(0, len(known), step)][:count]
    customers = list(Customer.objects.filter(id__in=chosen).order_by("id"))
    for i in range(len(customers), count):
        customers.append(customer_create(name=f"投诉演示客户{i + 1}",
                                         phone=f"1370000{i + 1:04d}", by=by))
    return customers


@transaction.atomic
def seed_complaints(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Create the demo complaints unless they exist; return how many rows of each kind
    ({} when nothing was done)."""
    if complaints_demo_exists():
        return {}
    now = now or timezone.now()
    people = {u.username: u for u in get_user_model().objects.filter(
        staff_profile__isnull=False)}
    departments = {d.code: d for d in Department.objects.all()}
    if "shouhou01" not in people or "after-sales" not in departments:
        raise RuntimeError("Run seed_demo first: the complaint demo needs the demo staff.")
    seeder = Seeder(
        now=now, people=people, departments=departments,
        types={t.code: t for t in ComplaintType.objects.select_related("owner_department")},
        customers=_customers(26, by=people["agent01"], before=now - dt.timedelta(days=28)),
    )
    _closed_complaints(seeder)
    flagged = _flagged_person(seeder)
    _ledger_by_managers(seeder)
    _open_complaints(seeder)
    ids = [story.complaint.pk for story in seeder.stories.values()]
    return {
        "complaints": len(ids),
        "entries": PenaltyEntry.objects.filter(complaint_id__in=ids).count(),
        "excuses": SlaExcuse.objects.filter(case__complaint__in=ids).count(),
        "checks": flagged,
    }
