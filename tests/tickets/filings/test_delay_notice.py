"""The customer's delay notice: sent through the configured customer channel once per
approval, every attempt recorded; a failure is recorded and can be retried; nothing is
sent before approval or after a successful send."""

import pytest
from django.core.exceptions import ValidationError

from servicedesk.notifiers import DeliveryFailed
from tests.tickets.filings.factories import delay_approved, delay_reviewed
from tickets.filings.models import DelayEvent, DelayFiling, DelayNotice, DelayNoticeAttempt
from tickets.filings.services import delay_notify

pytestmark = pytest.mark.django_db
CHANNEL = "tests.tickets.filings.test_delay_notice.RecordingChannel"


class RecordingChannel:
    """The outside world (an SMS gateway): records what it was given, fails on demand."""

    name = "sms"
    sent: list = []
    failures: list[str] = []

    def send(self, message):
        if RecordingChannel.failures:
            raise DeliveryFailed(RecordingChannel.failures.pop(0))
        RecordingChannel.sent.append(message)
        return f"sms-{len(RecordingChannel.sent)}"


@pytest.fixture(autouse=True)
def channel(settings):
    settings.NOTIFIER_CHANNELS = {"customer": CHANNEL}
    RecordingChannel.sent, RecordingChannel.failures = [], []
    return RecordingChannel


def test_the_notice_tells_the_reason_and_the_new_date_once(channel):
    filing = delay_approved()
    notice = delay_notify(filing=filing, by=filing.filed_by)
    assert (notice.status, notice.sent_at is not None) == ("sent", True)
    [message] = channel.sent
    assert message.phone == filing.customer.phone
    assert filing.order_reference in message.subject
    assert filing.new_promised_date.isoformat() in message.body
    assert filing.reason_detail in message.body
    assert DelayFiling.objects.get(pk=filing.pk).status == "notified"
    attempt = DelayNoticeAttempt.objects.get()
    assert (attempt.channel, attempt.reference, attempt.sent) == ("sms", "sms-1", True)
    assert DelayEvent.objects.filter(filing=filing, kind="notified").count() == 1


def test_a_second_notify_sends_nothing(channel):
    filing = delay_approved()
    delay_notify(filing=filing, by=filing.filed_by)
    with pytest.raises(ValidationError) as error:
        delay_notify(filing=filing, by=filing.filed_by)
    assert list(error.value.message_dict) == ["notice"]
    assert len(channel.sent) == 1 and DelayNoticeAttempt.objects.count() == 1


def test_a_notice_being_sent_elsewhere_is_not_sent_again(channel):
    filing = delay_approved()
    DelayNotice.objects.filter(filing=filing).update(status="sending")  # another worker
    with pytest.raises(ValidationError) as error:
        delay_notify(filing=filing, by=filing.filed_by)
    assert list(error.value.message_dict) == ["notice"]
    assert channel.sent == []


def test_a_failed_send_is_recorded_and_the_retry_sends_it(channel):
    filing = delay_approved()
    channel.failures = ["gateway timeout"]
    notice = delay_notify(filing=filing, by=filing.filed_by)
    assert notice.status == "failed"
    assert DelayFiling.objects.get(pk=filing.pk).status == "approved"
    failed = DelayNoticeAttempt.objects.get()
    assert (failed.sent, failed.error, failed.reference) == (False, "gateway timeout", "")
    assert DelayEvent.objects.get(filing=filing, kind="notice_failed").reason == (
        "gateway timeout")

    notice = delay_notify(filing=filing, by=filing.filed_by)
    assert notice.status == "sent" and len(channel.sent) == 1
    assert list(DelayNoticeAttempt.objects.order_by("id").values_list("sent", flat=True)) == [
        False, True]
    assert DelayFiling.objects.get(pk=filing.pk).status == "notified"


def test_an_unapproved_delay_is_not_told_to_the_customer(channel):
    filing = delay_reviewed()
    with pytest.raises(ValidationError) as error:
        delay_notify(filing=filing, by=filing.filed_by)
    assert list(error.value.message_dict) == ["status"]
    assert channel.sent == []


def test_the_email_channel_without_an_address_records_a_failure(settings):
    settings.NOTIFIER_CHANNELS = {"customer": "servicedesk.notifiers.EmailChannel"}
    filing = delay_approved()
    notice = delay_notify(filing=filing, by=filing.filed_by)
    assert notice.status == "failed"
    assert DelayNoticeAttempt.objects.get().channel == "email"


def test_by_default_customers_are_told_through_the_console_channel(settings, capsys):
    settings.NOTIFIER_CHANNELS = {}
    filing = delay_approved()
    notice = delay_notify(filing=filing, by=filing.filed_by)
    assert notice.status == "sent"
    assert DelayNoticeAttempt.objects.get().channel == "console"
    assert filing.order_reference in capsys.readouterr().out
