"""Notifications: write them once, gather the ones to push into one digest per recipient
per run, and deliver the digests through the staff channel after the run commits.

Idempotent by construction: a notification is unique per (recipient, key); a digest per
(recipient, run); a notification joins a digest only while it has none (conditional
UPDATE); a digest is sent only by whoever moved it from pending/failed to sending.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.models import Notification, NotificationDigest
from servicedesk.notifiers import DeliveryFailed, Message, channel_for

User = get_user_model()
DigestStatus = NotificationDigest.Status
DIGEST_BATCH = 500
STALE_SENDING = dt.timedelta(minutes=15)


def notifications_write(rows: list[Notification]) -> None:
    """Write notifications; a (recipient, key) already on file is left as it is."""
    if rows:
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def digests_gather(*, now: dt.datetime, run: str | None = None) -> int:
    """One digest per recipient holding every pushed notification not yet in a digest.
    Three queries whatever the number of notifications. Returns the digests made."""
    run = run or uuid.uuid4().hex
    waiting = Notification.objects.filter(push=True, digest__isnull=True)
    recipients = list(waiting.values_list("recipient_id", flat=True).distinct())
    if not recipients:
        return 0
    NotificationDigest.objects.bulk_create(
        [NotificationDigest(recipient_id=r, run=run, created_at=now) for r in recipients],
        ignore_conflicts=True,
    )
    mine = NotificationDigest.objects.filter(run=run, recipient=OuterRef("recipient"))
    waiting.filter(recipient_id__in=recipients).update(
        digest=Subquery(mine.values("pk")[:1])
    )
    # A concurrent run may have taken all of someone's notifications: drop empty digests.
    NotificationDigest.objects.filter(run=run, notifications__isnull=True).delete()
    return NotificationDigest.objects.filter(run=run).count()


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0


def digests_deliver(*, now: dt.datetime | None = None, limit: int = DIGEST_BATCH) -> DeliveryReport:
    """Send waiting digests (pending, or failed with attempts left, or stuck "sending"
    after a crash). Each is claimed by a conditional UPDATE first, so two workers never
    send the same digest. Must run outside a transaction: a send is not rolled back."""
    now = now or timezone.now()
    due = Q(status=DigestStatus.PENDING) | Q(
        status=DigestStatus.FAILED, attempts__lt=NotificationDigest.MAX_ATTEMPTS
    ) | Q(status=DigestStatus.SENDING, created_at__lt=now - STALE_SENDING,
          attempts__lt=NotificationDigest.MAX_ATTEMPTS)
    candidates = list(
        NotificationDigest.objects.filter(due).order_by("created_at", "id")
        .values_list("pk", "status", "attempts")[:limit]
    )
    channel = channel_for("staff")
    sent = failed = 0
    for pk, status, attempts in candidates:
        claimed = NotificationDigest.objects.filter(
            pk=pk, status=status, attempts=attempts
        ).update(status=DigestStatus.SENDING, attempts=F("attempts") + 1, channel=channel.name)
        if not claimed:
            continue  # another worker has it
        digest = NotificationDigest.objects.select_related("recipient").get(pk=pk)
        try:
            reference = channel.send(_digest_message(digest))
        except DeliveryFailed as exc:
            NotificationDigest.objects.filter(pk=pk).update(
                status=DigestStatus.FAILED, error=str(exc)[:2000]
            )
            failed += 1
            continue
        NotificationDigest.objects.filter(pk=pk).update(
            status=DigestStatus.SENT, reference=reference[:200], sent_at=timezone.now(),
            error="",
        )
        sent += 1
    return DeliveryReport(sent=sent, failed=failed)


def _digest_message(digest: NotificationDigest) -> Message:
    items = list(digest.notifications.order_by("-urgent", "at", "id"))
    lines = [f"- {n.title}" + (f"：{n.body}" if n.body else "") for n in items]
    subject = _("%(count)d new notifications") % {"count": len(items)}
    if any(n.urgent for n in items):
        subject = _("Urgent: ") + subject
    return Message(
        subject=subject,
        body="\n".join(lines),
        reference=f"digest-{digest.pk}",
        email=digest.recipient.email,
    )


@transaction.atomic
def notifications_mark_read(*, user, ids: list[int] | None = None,
                            now: dt.datetime | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())
