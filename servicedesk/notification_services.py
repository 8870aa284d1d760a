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

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.models import Notification, NotificationDigest
from servicedesk.notifiers import DeliveryFailed, Message, channel_for
from servicedesk.types import User

DigestStatus = NotificationDigest.Status
DIGEST_BATCH = 500
STALE_SENDING = dt.timedelta(minutes=15)
# The outer conditions repeat the inner ones: a concurrent claimer waits on the row lock,
# then finds the row no longer due and leaves it.
_CLAIM_SQL = (
    "UPDATE {table} SET status = %s, attempts = attempts + 1, channel = %s "
    "WHERE id IN (SELECT id FROM {table} WHERE attempts < %s AND {due} "
    "ORDER BY created_at, id LIMIT %s) AND attempts < %s AND {due} RETURNING id"
)
_DUE = "(status = %s OR status = %s OR (status = %s AND created_at < %s))"


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
    after a crash). A batch is claimed by one conditional UPDATE … RETURNING first, so two
    workers never send the same digest; five queries whatever the batch size. Must run
    outside a transaction: a send is not rolled back."""
    now = now or timezone.now()
    channel = channel_for("staff")
    claimed = _digests_claim(now=now, limit=limit, channel=channel.name)
    if not claimed:
        return DeliveryReport()
    digests = list(NotificationDigest.objects.filter(pk__in=claimed).select_related("recipient"))
    items: dict[int, list[Notification]] = {d.pk: [] for d in digests}
    for note in Notification.objects.filter(digest_id__in=claimed).order_by(
        "-urgent", "at", "id"
    ):
        # digest_id is nullable, but these notes were selected by digest_id__in
        items[note.digest_id].append(note)  # type: ignore[index]
    sent_at = timezone.now()
    for digest in digests:
        try:
            digest.reference = channel.send(_digest_message(digest, items[digest.pk]))[:200]
        except DeliveryFailed as exc:
            digest.status, digest.error = DigestStatus.FAILED, str(exc)[:2000]
            continue
        digest.status, digest.sent_at, digest.error = DigestStatus.SENT, sent_at, ""
    NotificationDigest.objects.bulk_update(
        digests, ["status", "reference", "error", "sent_at"], batch_size=500
    )
    sent = sum(d.status == DigestStatus.SENT for d in digests)
    return DeliveryReport(sent=sent, failed=len(digests) - sent)


def _digests_claim(*, now: dt.datetime, limit: int, channel: str) -> list[int]:
    """Move up to `limit` due digests to "sending" (attempts + 1) and return their ids."""
    table = connection.ops.quote_name(NotificationDigest._meta.db_table)
    stale = connection.ops.adapt_datetimefield_value(now - STALE_SENDING)
    sql = _CLAIM_SQL.format(table=table, due=_DUE)
    due = [DigestStatus.PENDING, DigestStatus.FAILED, DigestStatus.SENDING, stale]
    params = [DigestStatus.SENDING, channel, NotificationDigest.MAX_ATTEMPTS, *due, limit,
              NotificationDigest.MAX_ATTEMPTS, *due]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _digest_message(digest: NotificationDigest, items: list[Notification]) -> Message:
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
def notifications_mark_read(*, user: User, ids: list[int] | None = None,
                            now: dt.datetime | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())
