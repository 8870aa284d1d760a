"""Pluggable outbound channels: how a message leaves the system (e-mail, console, SMS …).

A channel is any class with `name` and `send(message) -> str`. Which class serves which
audience is a setting (`NOTIFIER_CHANNELS`, e.g. ``{"staff": "dotted.path", "customer":
"dotted.path"}``), so a deployment plugs in its SMS gateway without touching the rules.
The default is e-mail through Django's mail framework, whose backend is the console unless
`EMAIL_URL`-style settings choose SMTP: nothing leaves the machine in development.

A channel either returns a delivery reference or raises `DeliveryFailed`; callers record
the outcome (sent / failed, reference, error) on their own rows, so delivery is tracked
and a failure never loses the message.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

DEFAULT_CHANNELS = {
    "staff": "servicedesk.notifiers.EmailChannel",
    "customer": "servicedesk.notifiers.ConsoleChannel",
}


class DeliveryFailed(Exception):
    """The channel could not hand the message over; the caller records it as failed."""


@dataclass(frozen=True)
class Message:
    """One outbound message. `reference` identifies it on the caller's side (a digest id, a
    delay-filing notice id) and travels with it for tracing."""

    subject: str
    body: str
    reference: str
    email: str = ""
    phone: str = ""
    extra: dict = field(default_factory=dict)


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> str:
        """Hand the message over; return the channel's delivery reference."""


class EmailChannel:
    """E-mail through Django's configured backend (the console backend by default)."""

    name = "email"

    def send(self, message: Message) -> str:
        if not message.email:
            raise DeliveryFailed("no e-mail address")
        try:
            sent = EmailMessage(
                subject=message.subject,
                body=message.body,
                to=[message.email],
                headers={"X-Servicedesk-Reference": message.reference},
            ).send()
        except Exception as exc:  # any backend error is a failed delivery, not a crash
            raise DeliveryFailed(str(exc)) from exc
        if not sent:
            raise DeliveryFailed("the mail backend accepted nothing")
        return f"email:{message.reference}"


class ConsoleChannel:
    """Writes the message to standard output (development, demos)."""

    name = "console"

    def send(self, message: Message) -> str:
        to = message.email or message.phone or "-"
        sys.stdout.write(
            f"[notify {message.reference}] to {to}: {message.subject}\n{message.body}\n"
        )
        sys.stdout.flush()
        return f"console:{message.reference}"


def channel_for(audience: str) -> Channel:
    """The configured channel for an audience ("staff" or "customer")."""
    configured = {**DEFAULT_CHANNELS, **getattr(settings, "NOTIFIER_CHANNELS", {})}
    try:
        path = configured[audience]
    except KeyError:
        raise ValueError(f"no notifier channel configured for {audience!r}") from None
    return import_string(path)()
