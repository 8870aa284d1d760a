"""In-app notifications and the digests that carry them out through a channel.

A notification is one thing a person should know (a case about to breach, a breach). It is
written once per (recipient, key): jobs that run twice cannot notify twice. Notifications
that should also be pushed are gathered into one digest per recipient per run (an outbox
row) and delivered after the run commits, so a storm of events becomes one message.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    key = models.CharField(
        _("key"), max_length=100, help_text=_("What it is about, e.g. sla:breach:42.")
    )
    at = models.DateTimeField(_("happened at"))
    created_at = models.DateTimeField(_("created at"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    push = models.BooleanField(
        _("pushed"),
        default=True,
        help_text=_("Also sent through the person's channel (not only listed in the app)."),
    )
    digest = models.ForeignKey(
        "servicedesk.NotificationDigest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("digest"),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list_idx"),
            # Gathering digests: pushed notifications not yet in one.
            models.Index(
                fields=["recipient"],
                name="notification_undigested_idx",
                condition=Q(push=True, digest__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DigestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationDigest(models.Model):
    """One outbound message gathering a recipient's new notifications of one run."""

    Status = DigestStatus
    MAX_ATTEMPTS = 3

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_digests",
        verbose_name=_("recipient"),
    )
    run = models.CharField(_("run"), max_length=64, help_text=_("The job run that made it."))
    created_at = models.DateTimeField(_("created at"))
    status = models.CharField(
        _("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    channel = models.CharField(_("channel"), max_length=30, blank=True)
    reference = models.CharField(_("delivery reference"), max_length=200, blank=True)
    error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification digest")
        verbose_name_plural = _("notification digests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "run"], name="digest_once_per_run"),
            models.CheckConstraint(
                condition=Q(status__in=DigestStatus.values), name="digest_status_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="digest_pending_idx",
                condition=Q(status__in=["pending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.run} {self.status}"
