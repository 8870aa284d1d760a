"""Notifications: write them once, gather the ones to push into one digest per recipient
per run, and deliver the digests through the staff channel after the run commits.

Idempotent by construction: a notification is unique per (recipient, key); a digest per
(recipient, run); a notification joins a digest when it is written, or later only while it
has none (conditional UPDATE); a digest is sent only by whoever moved it from
pending/failed to sending.

Set-based whatever the number of rows (issue 10 item 21): on PostgreSQL the notifications
of a run and their digests are written in one statement, and a batch of digests is claimed
and read in one and settled in one.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.jobs import JobRun, TooManyRowFailures, job_level, row_key
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
    "ORDER BY created_at, id LIMIT %s) AND attempts < %s AND {due} RETURNING id, recipient_id"
)
_DUE = "(status = %s OR status = %s OR (status = %s AND created_at < %s))"


@dataclass(frozen=True)
class NoteRow:
    """One notification to write: what a producer hands `notifications_write`."""

    recipient_id: int
    key: str
    at: dt.datetime
    title: str
    body: str = ""
    url: str = ""
    urgent: bool = False
    push: bool = True


@dataclass(frozen=True)
class WriteReport:
    notes: int = 0  # notifications newly written (one already on file is left as it is)
    digests: int = 0  # digests this call opened for the run


def notifications_write(rows: Sequence[NoteRow], *, run: str,
                        now: dt.datetime) -> WriteReport:
    """Write notifications and put the pushed ones into the run's digest of their recipient
    (one per recipient per run; a later call of the same run adds to it). A (recipient,
    key) already on file is left as it is and opens no digest.

    On PostgreSQL one statement whatever the number of rows: the rows travel as one JSON
    parameter, the digests' ids are drawn from their sequence up front so that each
    notification is inserted with its digest, and only the digests that received a
    notification are inserted. Elsewhere: a bulk insert and `digests_gather`."""
    if not rows:
        return WriteReport()
    if connection.vendor == "postgresql":
        return _write_postgresql(rows, run=run, now=now)
    notes = Notification.objects.bulk_create(
        [Notification(recipient_id=r.recipient_id, key=r.key, at=r.at, created_at=now,
                      title=r.title, body=r.body, url=r.url, urgent=r.urgent, push=r.push)
         for r in rows],
        ignore_conflicts=True, batch_size=1000,
    )
    return WriteReport(notes=len(notes), digests=digests_gather(now=now, run=run))


_WRITE_SQL = """
WITH x AS (
    SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS x(
        recipient_id bigint, key text, at timestamptz, title text, body text, url text,
        urgent boolean, push boolean)
), slot AS (
    SELECT r.recipient_id, COALESCE(
        (SELECT d.id FROM {digest} d WHERE d.run = %(run)s AND d.recipient_id = r.recipient_id),
        nextval(pg_get_serial_sequence('{digest}', 'id'))) AS id
    FROM (SELECT DISTINCT recipient_id FROM x WHERE push) r
), note AS (
    INSERT INTO {note} (recipient_id, key, at, created_at, title, body, url, urgent, push,
                        digest_id, read_at)
    SELECT x.recipient_id, x.key, x.at, %(now)s, x.title, x.body, x.url, x.urgent, x.push,
           slot.id, NULL
    FROM x LEFT JOIN slot ON x.push AND slot.recipient_id = x.recipient_id
    ON CONFLICT (recipient_id, key) DO NOTHING
    RETURNING digest_id
), digest AS (
    INSERT INTO {digest} (id, recipient_id, run, created_at, status, attempts, channel,
                          reference, error, sent_at)
    SELECT slot.id, slot.recipient_id, %(run)s, %(now)s, %(pending)s, 0, '', '', '', NULL
    FROM slot WHERE slot.id IN (SELECT digest_id FROM note)
    ON CONFLICT (recipient_id, run) DO NOTHING
    RETURNING id
)
SELECT (SELECT count(*) FROM note), (SELECT count(*) FROM digest)
"""


def _write_postgresql(rows: Sequence[NoteRow], *, run: str, now: dt.datetime) -> WriteReport:
    payload = json.dumps([
        {"recipient_id": r.recipient_id, "key": r.key, "at": r.at.isoformat(),
         "title": r.title, "body": r.body, "url": r.url, "urgent": r.urgent, "push": r.push}
        for r in rows
    ], ensure_ascii=False)
    sql = _WRITE_SQL.format(note=connection.ops.quote_name(Notification._meta.db_table),
                            digest=connection.ops.quote_name(NotificationDigest._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"rows": payload, "run": run, "now": now,
                             "pending": DigestStatus.PENDING})
        notes, digests = cursor.fetchone()
    return WriteReport(notes=notes, digests=digests)


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


DELIVERY_JOB = "notifications-deliver"
DELIVERY_PHASE = "delivery"


def digests_deliver(*, now: dt.datetime | None = None, limit: int = DIGEST_BATCH,
                    job: JobRun | None = None) -> DeliveryReport:
    """Send waiting digests (pending, or failed with attempts left, or stuck "sending"
    after a crash). A batch is claimed by one conditional UPDATE … RETURNING first, so two
    workers never send the same digest; two queries whatever the batch size on PostgreSQL
    (the claim, which also reads the notifications and addresses, and the outcome), three
    elsewhere. Must run outside a transaction: a send is not rolled back.

    A digest whose sending raises something else than `DeliveryFailed` (a broken channel,
    a message that cannot be built) is marked failed like a refused one, so it is retried
    while it has attempts left, and recorded as a failed row of `job` (`servicedesk.jobs`);
    the other digests go out."""
    now = now or timezone.now()
    job = job or JobRun(DELIVERY_JOB, now=now)
    channel = channel_for("staff")
    claimed, items, email = _digests_claim(now=now, limit=limit, channel=channel.name)
    if not claimed:
        return DeliveryReport()
    missing = {pk: claimed[pk] for pk in claimed if pk not in email}
    if missing:  # a digest without notifications: only its recipient's address
        users = get_user_model().objects.in_bulk(list(missing.values()))
        email.update({pk: getattr(users.get(uid), "email", "") for pk, uid in missing.items()})
    known = job.failing(DELIVERY_PHASE)
    sent_at = timezone.now()
    outcome: dict[int, tuple[str, str, str]] = {}  # pk -> (status, reference, error)
    broken: Exception | None = None
    went: list[str] = []
    for pk in claimed:
        try:
            reference = channel.send(_digest_message(pk, email[pk], items.get(pk, [])))
            outcome[pk] = (DigestStatus.SENT, reference[:200], "")
            went.append(row_key(NotificationDigest, pk))
        except DeliveryFailed as exc:
            outcome[pk] = (DigestStatus.FAILED, "", str(exc)[:2000])
        except Exception as exc:  # a poison digest: recorded, retried, the others go out
            if job_level(exc):  # stop here; the ones not tried are reclaimed when stale
                broken = exc
                break
            outcome[pk] = (DigestStatus.FAILED, "", f"{type(exc).__name__}: {exc}"[:2000])
            try:
                job.fail(row_key(NotificationDigest, pk), exc, phase=DELIVERY_PHASE)
            except TooManyRowFailures as too_many:  # raised once the sent ones are noted
                broken = too_many
    if outcome:
        _digests_settle(outcome, sent_at=sent_at)
    if broken is not None:  # what went out is recorded: never sent twice
        raise broken
    job.succeeded([key for key in went if key in known], phase=DELIVERY_PHASE)
    job.finish()
    sent = sum(status == DigestStatus.SENT for status, _ref, _err in outcome.values())
    return DeliveryReport(sent=sent, failed=len(outcome) - sent)


_SETTLE_SQL = """
UPDATE {digest} d SET status = x.status, reference = x.reference, error = x.error,
    sent_at = CASE WHEN x.status = %(sent)s THEN %(sent_at)s::timestamptz END
FROM jsonb_to_recordset(%(rows)s::jsonb) AS x(id bigint, status text, reference text,
                                              error text)
WHERE d.id = x.id
"""


def _digests_settle(outcome: dict[int, tuple[str, str, str]], *, sent_at: dt.datetime) -> None:
    """Write each digest's outcome in one UPDATE."""
    if connection.vendor == "postgresql":
        rows = json.dumps([{"id": pk, "status": st, "reference": ref, "error": err}
                           for pk, (st, ref, err) in outcome.items()], ensure_ascii=False)
        sql = _SETTLE_SQL.format(
            digest=connection.ops.quote_name(NotificationDigest._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql, {"rows": rows, "sent": DigestStatus.SENT, "sent_at": sent_at})
        return

    def each(index: int) -> CaseWhen:
        return CaseWhen(*[When(pk=pk, then=Value(values[index]))
                          for pk, values in outcome.items()])

    NotificationDigest.objects.filter(pk__in=list(outcome)).update(
        status=each(0), reference=each(1), error=each(2),
        sent_at=CaseWhen(When(pk__in=[pk for pk, v in outcome.items()
                                      if v[0] == DigestStatus.SENT], then=Value(sent_at)),
                         default=Value(None)),
    )


_CLAIM_AND_READ = """
WITH claimed AS ({claim})
SELECT c.id, c.recipient_id, u.email, n.title, n.body, n.urgent
FROM claimed c
JOIN {user} u ON u.id = c.recipient_id
LEFT JOIN {note} n ON n.digest_id = c.id
ORDER BY c.id, n.urgent DESC, n.at, n.id
"""

Items = dict[int, list[tuple[str, str, bool]]]


def _digests_claim(*, now: dt.datetime, limit: int,
                   channel: str) -> tuple[dict[int, int], Items, dict[int, str]]:
    """Move up to `limit` due digests to "sending" (attempts + 1). Their recipients' ids,
    their notifications (urgent first) and addresses, by digest id: on PostgreSQL in the
    claiming statement itself, elsewhere in a second query."""
    table = connection.ops.quote_name(NotificationDigest._meta.db_table)
    stale = connection.ops.adapt_datetimefield_value(now - STALE_SENDING)
    sql = _CLAIM_SQL.format(table=table, due=_DUE)
    due = [DigestStatus.PENDING, DigestStatus.FAILED, DigestStatus.SENDING, stale]
    params = [DigestStatus.SENDING, channel, NotificationDigest.MAX_ATTEMPTS, *due, limit,
              NotificationDigest.MAX_ATTEMPTS, *due]
    claimed: dict[int, int] = {}
    items: Items = {}
    email: dict[int, str] = {}
    if connection.vendor == "postgresql":
        sql = _CLAIM_AND_READ.format(
            claim=sql, user=connection.ops.quote_name(get_user_model()._meta.db_table),
            note=connection.ops.quote_name(Notification._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, recipient_id, address, title, body, urgent in cursor.fetchall():
                claimed[pk], email[pk] = recipient_id, address
                items.setdefault(pk, [])
                if title is not None:
                    items[pk].append((title, body, urgent))
        return claimed, items, email
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        claimed = dict(sorted(cursor.fetchall()))
    if claimed:
        for digest_id, title, body, urgent, address in (
            Notification.objects.filter(digest_id__in=list(claimed))
            .order_by("-urgent", "at", "id")
            .values_list("digest_id", "title", "body", "urgent", "recipient__email")
        ):
            items.setdefault(digest_id, []).append((title, body, urgent))
            email[digest_id] = address
    return claimed, items, email


def _digest_message(pk: int, email: str, items: list[tuple[str, str, bool]]) -> Message:
    lines = [f"- {title}" + (f"：{body}" if body else "") for title, body, _urgent in items]
    subject = _("%(count)d new notifications") % {"count": len(items)}
    if any(urgent for _title, _body, urgent in items):
        subject = _("Urgent: ") + subject
    return Message(subject=subject, body="\n".join(lines), reference=f"digest-{pk}",
                   email=email)


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None,
                            now: dt.datetime | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())
