"""An agent takes a call from an unknown number, registers the caller inline and sees the
new customer's card — all without a page reload."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.test_login_navigation import PASSWORD, log_in
from tests.factories import StaffFactory
from tickets.customers.models import Customer


def test_agent_registers_a_new_caller_without_a_reload(page: Page, live_server):
    StaffFactory(role="tier1", user__username="agent-e2e", password=PASSWORD)
    log_in(page, live_server.url, "agent-e2e")

    page.locator("nav#main-nav").get_by_role("link", name="来电受理").click()
    page.evaluate("window.__sameDocument = true")  # lost if the page reloads

    page.get_by_label("来电号码").fill("139 0013 9000")
    page.get_by_label("来电号码").press("Enter")
    form = page.locator("#caller form")
    expect(form.get_by_label("电话")).to_have_value("13900139000")

    # A wrong ID number is refused field by field, in Chinese, and nothing is saved.
    form.get_by_label("姓名").fill("王芳")
    form.get_by_label("身份证号").fill("110105194912310021")
    form.get_by_role("button", name="登记客户").click()
    expect(page.locator("#caller .field-error")).to_contain_text("身份证号校验位不正确")
    assert Customer.objects.count() == 0

    page.locator("#caller form").get_by_label("身份证号").fill("11010519491231002X")
    page.locator("#caller form").get_by_role("button", name="登记客户").click()
    card = page.locator(".customer-card")
    expect(card).to_contain_text("王芳")
    # the number the agent typed for this call is shown back in full (issue 10, item 15)
    expect(card.locator(".phone")).to_have_text("13900139000")
    customer = Customer.objects.get()
    expect(card).to_contain_text(customer.code)
    assert page.evaluate("window.__sameDocument") is True


def test_agent_takes_a_call_opens_a_consultation_and_finds_it_in_my_queue(
    page: Page, live_server
):
    from tests.tickets.sla.factories import seed_sla_policies
    from tickets.cases.models import Case
    from tickets.contacts.models import Contact

    seed_sla_policies()  # a live-server test starts from a flushed database
    StaffFactory(role="tier1", user__username="agent-flow", password=PASSWORD)
    log_in(page, live_server.url, "agent-flow")
    page.goto(live_server.url + "/tickets/incoming/")
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("来电号码").fill("13700137000")
    page.get_by_label("来电号码").press("Enter")
    page.locator("#caller form").get_by_label("姓名").fill("李娜")
    page.locator("#caller form").get_by_role("button", name="登记客户").click()
    expect(page.locator(".customer-card")).to_contain_text("李娜")

    intake = page.locator("form.intake-form")
    intake.get_by_label("分类").select_option(label="咨询 · 产品功能")
    intake.get_by_label("主题").fill("咨询净水器滤芯更换周期")
    intake.get_by_role("button", name="登记并建单").click()
    expect(page.locator(".opened-case")).to_contain_text("已建单")
    assert page.evaluate("window.__sameDocument") is True

    case = Case.objects.get()
    contact = Contact.objects.get()
    assert (case.kind, contact.case_id, contact.answered) == ("consultation", case.pk, True)

    page.locator(".opened-case").get_by_role("link", name="我的工单").click()
    row = page.locator("#queue tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(case.number)
    expect(row.locator("time[data-countdown]")).to_contain_text("剩余")


def test_the_agent_sees_the_number_they_typed_and_the_mask_stays_elsewhere(
    page: Page, live_server
):
    """Issue 10, item 15: a tier-1 agent (no personal-data permission) registers a caller and
    sees the number they typed on the call page, on lookup too; the case page still masks."""
    from tests.tickets.sla.factories import seed_sla_policies
    from tickets.cases.models import Case

    seed_sla_policies()
    StaffFactory(role="tier1", user__username="agent-mask", password=PASSWORD)
    log_in(page, live_server.url, "agent-mask")
    page.goto(live_server.url + "/tickets/incoming/")
    page.get_by_label("来电号码").fill("139-0013-9001")
    page.get_by_label("来电号码").press("Enter")
    form = page.locator("#caller form")
    form.get_by_label("姓名").fill("赵敏")
    form.get_by_label("身份证号").fill("11010519491231002X")
    form.get_by_role("button", name="登记客户").click()
    card = page.locator(".customer-card")
    expect(card.locator(".phone")).to_have_text("13900139001")
    expect(card).not_to_contain_text("****9001")
    expect(card).to_contain_text("110105********002X")  # the ID number stays masked

    intake = page.locator("form.intake-form")
    intake.get_by_label("分类").select_option(label="咨询 · 产品功能")
    intake.get_by_role("button", name="登记并建单").click()  # no subject: refused
    expect(page.locator("#caller .field-error").first).to_be_visible()
    expect(page.locator(".customer-card .phone")).to_have_text("13900139001")
    page.locator("form.intake-form").get_by_label("主题").fill("咨询安装")
    page.locator("form.intake-form").get_by_role("button", name="登记并建单").click()
    expect(page.locator(".opened-case")).to_contain_text("已建单")

    page.goto(live_server.url + "/tickets/incoming/?phone=13900139001")  # the next call
    expect(page.locator(".customer-card .phone")).to_have_text("13900139001")

    case = Case.objects.get()
    page.goto(live_server.url + f"/tickets/cases/{case.pk}/")
    expect(page.locator("#content")).to_contain_text("139****9001")
    expect(page.locator("#content")).not_to_contain_text("13900139001")
