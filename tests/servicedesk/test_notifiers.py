"""The outbound channels: configured per audience, failures reported, never swallowed."""

import pytest
from django.core import mail

from servicedesk.notifiers import (
    ConsoleChannel,
    DeliveryFailed,
    EmailChannel,
    Message,
    channel_for,
)


def test_email_channel_hands_the_message_to_djangos_mail_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ref = EmailChannel().send(
        Message(subject="延期通知", body="新的发货日期", reference="delay-7", email="a@example.cn")
    )
    assert ref == "email:delay-7"
    assert [m.subject for m in mail.outbox] == ["延期通知"]
    assert mail.outbox[0].extra_headers["X-Servicedesk-Reference"] == "delay-7"


def test_email_channel_without_an_address_is_a_failed_delivery():
    with pytest.raises(DeliveryFailed):
        EmailChannel().send(Message(subject="s", body="b", reference="r", phone="13800138000"))


def test_console_channel_writes_to_stdout(capsys):
    ConsoleChannel().send(Message(subject="超时提醒", body="K1", reference="d-1", phone="138"))
    assert "超时提醒" in capsys.readouterr().out


def test_channel_for_reads_the_setting_per_audience(settings):
    settings.NOTIFIER_CHANNELS = {"customer": "servicedesk.notifiers.ConsoleChannel"}
    assert isinstance(channel_for("customer"), ConsoleChannel)
    assert isinstance(channel_for("staff"), EmailChannel)
    with pytest.raises(ValueError):
        channel_for("robots")
