"""Contacts (话务): every call or online session an agent handles, whether or not the
caller is known yet or a case comes of it. About a million rows a month, so every list
and report reads through one of the indexes below."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ContactChannel(models.TextChoices):
    INBOUND_CALL = "inbound_call", _("Inbound call")
    OUTBOUND_CALL = "outbound_call", _("Outbound call")
    ONLINE_CHAT = "online_chat", _("Online chat")
    MESSAGE = "message", _("Message")
    EMAIL = "email", _("Email")


class Contact(models.Model):
    """One call or online session. `answered` and `first_response_seconds` follow from
    `answered_at` (written by `contact_log`); the database holds them consistent."""

    Channel = ContactChannel

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    customer = models.ForeignKey(
        "tickets.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("customer"),
        help_text=_("Empty while the caller is not identified."),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("agent"),
    )
    department = models.ForeignKey(
        "servicedesk.Department",
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("department"),
        help_text=_("The agent's department when the contact was logged."),
    )
    case = models.ForeignKey(
        "tickets.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("case"),
        help_text=_("The case opened or worked on in this contact."),
    )
    queued_at = models.DateTimeField(_("queued at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    answered = models.BooleanField(_("answered"), default=False, editable=False)
    first_response_seconds = models.PositiveIntegerField(
        _("first response (seconds)"), null=True, blank=True, editable=False
    )
    transferred = models.BooleanField(
        _("transferred away"),
        default=False,
        help_text=_("Transferred sessions are left out of the 45-second response rate."),
    )
    category = models.ForeignKey(
        "tickets.CaseCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("category"),
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [("export_contact", _("Can export contacts"))]
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["agent", "queued_at"], name="contact_agent_queued_idx"),
            models.Index(
                fields=["department", "queued_at"], name="contact_department_queued_idx"
            ),
            models.Index(fields=["customer", "queued_at"], name="contact_customer_queued_idx"),
            models.Index(fields=["queued_at"], name="contact_queued_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ContactChannel.values), name="contact_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("queued_at")),
                name="contact_answered_after_queued",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("queued_at")),
                name="contact_ended_after_queued",
            ),
            models.CheckConstraint(
                condition=Q(answered=True, answered_at__isnull=False)
                | Q(answered=False, answered_at__isnull=True),
                name="contact_answered_iff_answered_at",
            ),
            models.CheckConstraint(
                condition=Q(first_response_seconds__isnull=True) | Q(answered=True),
                name="contact_response_only_when_answered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.queued_at:%Y-%m-%d %H:%M}"
