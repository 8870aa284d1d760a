"""A complaint from the call to its closure, in a real browser (issue 11, acceptance): an
agent takes the call, chooses a complaint on the incoming-call page and goes on to the
complaint form with the caller; a loss of 5000 yuan shows A suggested before anything is
saved; the agent files and dispatches it; the business department's supervisor marks it
valid, names the person responsible and records the proposal the customer accepted; the
agent's follow-up call finds the customer satisfied; a manager sees in the close form what
the closure will charge (500 + 5000 yuan to the person responsible) and closes it; the
penalty ledger, filtered to that person, and the complaint's page show the two charges
(5500.00 in all); the general manager was told of the A complaint at intake."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from complaints.handling.models import Complaint
from servicedesk.models import Notification
from tests.complaints.handling.factories import center_build, seed_complaint_types
from tests.e2e.test_login_navigation import PASSWORD, log_in
from tests.tickets.customers.factories import CustomerFactory
from tests.tickets.sla.factories import seed_sla_policies

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: keep a screenshot of each stage


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        path = Path(SHOTS) / f"complaint-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)


def _as(page: Page, base_url: str, user) -> None:
    """Sign in as `user` (signing the previous person out)."""
    page.context.clear_cookies()
    log_in(page, base_url, user.username, PASSWORD)


def _step(page: Page, step: str):
    return page.locator(f'form.step-form[data-step="{step}"]')


def test_a_complaint_from_the_call_to_its_closure(page: Page, live_server):
    seed_sla_policies()  # a live-server test starts from a flushed database
    seed_complaint_types()
    center = center_build()
    customer = CustomerFactory(name="赵建国", phone="13700137001")
    base = live_server.url

    # The call: the agent looks the caller up and chooses a complaint category.
    _as(page, base, center.agent)
    page.goto(base + "/tickets/incoming/")
    page.get_by_label("来电号码").fill("13700137001")
    page.get_by_label("来电号码").press("Enter")
    expect(page.locator(".customer-card")).to_contain_text("赵建国")
    intake = page.locator("form.intake-form")
    intake.get_by_label("分类").select_option(label="投诉 · 产品质量")
    intake.get_by_label("描述").fill("新买的空调不制冷，维修两次仍未修好")
    intake.get_by_role("button", name="登记并建单").click()

    # The complaint form, with the caller and the call carried along.
    page.wait_for_url("**/complaints/new/?*")
    carried = parse_qs(urlsplit(page.url).query)
    assert carried == {"customer": [str(customer.pk)],
                       "contact": [str(customer.contacts.get().pk)],
                       "category": [str(center.kind.category_id)],
                       "description": ["新买的空调不制冷，维修两次仍未修好"]}
    form = page.locator("#complaint-intake")
    expect(form.get_by_label("客户", exact=False).first).to_have_value(customer.code)
    expect(page.locator("#suggested-grade")).to_have_text("C")
    form.get_by_label("投诉种类").select_option(label="产品故障")
    expect(page.locator("#first-contact")).to_contain_text("售后服务部")
    expect(page.locator("#first-contact")).to_contain_text("0755-83216000")
    form.get_by_label("强烈", exact=True).check()  # the customer's emotion
    expect(page.locator("#suggested-grade")).to_have_text("B")
    form.get_by_label("给公司造成的经济损失（元）").fill("5000")
    # A, suggested live, before anything is saved
    expect(page.locator("#suggested-grade")).to_have_text("A")
    expect(page.locator("#grade-reasons")).to_contain_text("3000")
    assert Complaint.objects.count() == 0
    form.get_by_label("投诉客户类型").select_option("angry")
    expect(page.locator('[data-advice="angry"]')).to_be_visible()
    expect(page.locator('[data-advice="passive"]')).to_be_hidden()
    expect(form.locator("[data-grade-reason]")).to_be_hidden()  # as suggested: no reason
    grade = form.get_by_label("所定等级")
    expect(grade.locator('option[value=""]')).to_have_text("按建议等级（A）")
    grade.select_option("B")  # another grade than the suggestion asks for the reason
    expect(form.locator("[data-grade-reason]")).to_be_visible()
    grade.select_option("")
    expect(form.locator("[data-grade-reason]")).to_be_hidden()
    _shot(page, "1-intake")
    form.get_by_role("button", name="登记投诉").click()

    complaint = Complaint.objects.get()
    expect(page).to_have_url(f"{base}/complaints/{complaint.pk}/")
    expect(page.locator(".messages")).to_contain_text("A – 重大投诉")
    expect(page.locator(".messages")).to_contain_text("售后服务部")
    assert (complaint.grade, complaint.suggested_grade, complaint.customer) == (
        "A", "A", customer)
    assert customer.contacts.get().case_id == complaint.case_id

    # The center accepts it and passes it to the department.
    _step(page, "dispatch").get_by_role("button").click()
    expect(page.locator("#handling-department")).to_contain_text("售后服务部")
    _shot(page, "2-dispatched")

    # The department's supervisor: valid, the person responsible, the fix; the proposal.
    _as(page, base, center.business_supervisor)
    page.goto(f"{base}/complaints/{complaint.pk}/")
    verdict = _step(page, "verdict")
    verdict.get_by_label("有效", exact=True).check()
    verdict.get_by_label("责任人").select_option(str(center.business_member.pk))
    verdict.get_by_label("改善措施", exact=False).fill("更换压缩机，加强出厂检测")
    verdict.get_by_role("button").click()
    expect(page.locator("#responsible")).to_have_text("维修员")
    proposal = _step(page, "propose")
    proposal.get_by_label("告知客户的处理意见").fill("上门更换压缩机，并补偿运费")
    proposal.get_by_label("客户认可", exact=True).check()
    proposal.get_by_role("button").click()
    expect(page.locator("#proposals")).to_contain_text("上门更换压缩机，并补偿运费")

    # The follow-up call: the customer is satisfied.
    _as(page, base, center.agent)
    page.goto(f"{base}/complaints/{complaint.pk}/")
    follow_up = _step(page, "follow-up")
    follow_up.get_by_label("满意", exact=True).check()
    follow_up.get_by_role("button").click()
    expect(page.locator("#follow-ups")).to_contain_text("满意")

    # A manager sees what the closure will charge, then closes it.
    _as(page, base, center.manager)
    page.goto(f"{base}/complaints/{complaint.pk}/")
    close = _step(page, "close")
    quote = close.locator("#closure-quote")
    expect(quote.locator('tr[data-rule="grade_fine"]')).to_contain_text("500.00")
    expect(quote.locator('tr[data-rule="grade_fine"]')).to_contain_text("维修员")
    expect(quote.locator('tr[data-rule="economic_loss"]')).to_contain_text("5000.00")
    expect(quote.locator("tbody tr")).to_have_count(2)
    expect(quote.locator("#closure-quote-total")).to_have_text("5500.00")
    expect(page.locator("#complaint-ledger")).to_have_count(0)  # nothing charged yet
    _shot(page, "3-closing")
    close.get_by_label("最终处理结果").fill("已更换压缩机，客户确认制冷正常")
    close.get_by_role("button").click()
    expect(page.locator("#complaint-state")).to_have_text("已关闭")
    _shot(page, "3-closed")

    # The complaint's page shows the charges of the closure.
    ledger = page.locator("#complaint-ledger")
    expect(ledger.locator("tbody tr")).to_have_count(2)
    expect(ledger.locator('tr[data-rule="grade_fine"]')).to_contain_text("维修员")
    expect(ledger.locator('tr[data-rule="grade_fine"]')).to_contain_text("500.00")
    expect(ledger.locator('tr[data-rule="economic_loss"]')).to_contain_text("5000.00")
    expect(page.locator("#complaint-ledger-total")).to_have_text("5500.00")

    # The penalty ledger, filtered to the person responsible: 500 + 5000.
    page.goto(base + "/complaints/penalties/")
    page.locator("#penalty-filter select[name=person]").select_option(
        str(center.business_member.pk))
    page.locator("#penalty-filter").get_by_role("button", name="筛选").click()
    page.wait_for_url("**/complaints/penalties/?*person=*")
    rows = page.locator("#penalties tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="投诉等级罚款")).to_contain_text("500.00")
    expect(rows.filter(has_text="承担经济损失")).to_contain_text("5000.00")
    expect(rows.first).to_contain_text("维修员")
    expect(page.locator("#total-count")).to_have_text("2")
    expect(page.locator("#total-amount")).to_have_text("¥5500.00")
    _shot(page, "5-ledger")
    page.goto(base + "/complaints/")
    expect(page.locator("#complaints")).to_contain_text(complaint.case.number)
    _shot(page, "4-list")
    complaint.refresh_from_db()
    assert (complaint.state, complaint.verdict, complaint.responsible) == (
        "closed", "valid", center.business_member)

    # The general manager was told of the A complaint at intake.
    assert Notification.objects.filter(recipient=center.general_manager,
                                       key=f"complaint:grade-a:{complaint.pk}").exists()
    _as(page, base, center.general_manager)
    page.goto(base + "/notifications/")
    expect(page.locator("#notifications")).to_contain_text(complaint.case.number)


def test_the_complaint_pages_fit_a_phone(page: Page, live_server):
    """At 390 × 844 the list, the intake form and a complaint's page with its step forms
    fit: the page never scrolls sideways, no table cell is squeezed (issue 10, item 17's
    rule, on the complaint pages)."""
    from tests.complaints.handling.factories import complaint_file_for_test, dispatched
    from tests.e2e.test_layout import FIT

    seed_sla_policies()
    seed_complaint_types()
    center = center_build()
    complaint = dispatched(center, complaint_file_for_test(
        center, emotion="strong", grade="A", grade_reason="客户扬言投诉到消协",
        temperament="threatening"))
    page.set_viewport_size({"width": 390, "height": 844})
    _as(page, live_server.url, center.business_supervisor)
    for url in ("/complaints/", f"/complaints/{complaint.pk}/"):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        fit = page.evaluate(FIT)
        _shot(page, "390" + url.replace("/", "-"))
        assert fit["scrollWidth"] <= fit["width"], (url, fit)
        assert fit["squeezed"] == [], (url, fit)
    _as(page, live_server.url, center.agent)
    page.goto(live_server.url + "/complaints/new/")
    fit = page.evaluate(FIT)
    _shot(page, "390-new")
    assert fit["scrollWidth"] <= fit["width"], fit
