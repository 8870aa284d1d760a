"""The two other 报备 kinds (domain.md, "报备"):

- Feedback filings (问题与需求、意见与建议报备): what a customer asked, needed or suggested,
  classified, handed to a handler, followed up and closed. Each one is a case too: filing
  opens the linked `Case` in the same transaction.
- Delay filings (延期报备): an order that cannot ship on time, reviewed by its department,
  approved by leadership, the customer told, tracked until delivered, maybe compensated.

Rows are written only by `tickets.filings.services`; every step leaves an event row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event


def _user(verbose_name, *, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=null, blank=null,
        related_name="+", verbose_name=verbose_name,
    )


class FeedbackKind(models.TextChoices):
    ISSUE = "issue", _("Issue")
    NEED = "need", _("Need")
    SUGGESTION = "suggestion", _("Suggestion")


class FeedbackStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    HANDED_OVER = "handed_over", _("Handed over")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


class FeedbackFiling(models.Model):
    """One issue, need or suggestion of a customer, and the case it became."""

    Kind = FeedbackKind
    Status = FeedbackStatus

    customer = models.ForeignKey(
        "tickets.Customer", on_delete=models.PROTECT, related_name="feedback_filings",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FeedbackKind.choices)
    category = models.ForeignKey(
        "tickets.CaseCategory", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("category"),
    )
    description = models.TextField(_("description"))
    filed_by = _user(_("filed by"))
    department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, related_name="feedback_filings",
        verbose_name=_("department"),
    )
    handler = _user(_("handler"), null=True)
    status = models.CharField(_("status"), max_length=20, choices=FeedbackStatus.choices)
    case = models.OneToOneField(
        "tickets.Case", on_delete=models.PROTECT, related_name="feedback_filing",
        verbose_name=_("case"),
    )
    filed_at = models.DateTimeField(_("filed at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("feedback filing")
        verbose_name_plural = _("feedback filings")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["department", "-filed_at"], name="feedback_dept_filed_idx"),
            models.Index(fields=["-filed_at"], name="feedback_filed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values), name="feedback_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FeedbackStatus.values), name="feedback_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(description=""), name="feedback_description_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(status="filed") | Q(handler__isnull=False),
                name="feedback_handed_over_has_handler",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="feedback_closed_has_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filed_at:%Y-%m-%d %H:%M}"


class FeedbackEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    HANDED_OVER = "handed_over", _("Handed over")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", _("Closed")


class FeedbackEvent(Event):
    """A step of a feedback filing: who, when, what (status from → to, in `data`) and why
    (the note, in `reason`)."""

    Kind = FeedbackEventKind
    REASON_LABEL = ""  # the step's own note (what was done or told), shown as it is

    filing = models.ForeignKey(
        FeedbackFiling, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("feedback filing"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FeedbackEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("feedback event")
        verbose_name_plural = _("feedback events")

    def __str__(self) -> str:
        return f"{self.filing_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class DelayReason(models.TextChoices):
    PRODUCTION = "production", _("Production")
    STOCK = "stock", _("Stock")
    TRANSPORT = "transport", _("Transport")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")


class DelayStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    REVIEWED = "reviewed", _("Reviewed by the department")
    APPROVED = "approved", _("Approved by leadership")
    NOTIFIED = "notified", _("Customer notified")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", _("Rejected")


class CompensationKind(models.TextChoices):
    COUPON = "coupon", _("Coupon")
    DISCOUNT = "discount", _("Discount")


class DelayFiling(models.Model):
    """One order that cannot ship on time."""

    Reason = DelayReason
    Status = DelayStatus
    CompensationKind = CompensationKind

    customer = models.ForeignKey(
        "tickets.Customer", on_delete=models.PROTECT, related_name="delay_filings",
        verbose_name=_("customer"),
    )
    order_reference = models.CharField(_("order reference"), max_length=64)
    original_ship_date = models.DateField(_("original ship date"))
    new_promised_date = models.DateField(_("new promised date"))
    reason = models.CharField(_("reason"), max_length=20, choices=DelayReason.choices)
    reason_detail = models.TextField(_("reason detail"))
    filed_by = _user(_("filed by"))
    department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.PROTECT, related_name="delay_filings",
        verbose_name=_("department"),
    )
    status = models.CharField(_("status"), max_length=20, choices=DelayStatus.choices)
    filed_at = models.DateTimeField(_("filed at"))
    reviewed_by = _user(_("reviewed by"), null=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    approved_by = _user(_("approved by"), null=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    compensation_kind = models.CharField(
        _("compensation"), max_length=20, choices=CompensationKind.choices, blank=True
    )
    compensation_amount = models.DecimalField(
        _("compensation amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    compensation_note = models.TextField(_("compensation note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("delay filing")
        verbose_name_plural = _("delay filings")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["department", "-filed_at"], name="delay_dept_filed_idx"),
            models.Index(fields=["-filed_at"], name="delay_filed_idx"),
            models.Index(
                fields=["new_promised_date"],
                condition=Q(status__in=["approved", "notified"]),
                name="delay_undelivered_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=DelayReason.values), name="delay_reason_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DelayStatus.values), name="delay_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(order_reference=""), name="delay_order_reference_not_blank"
            ),
            models.CheckConstraint(
                condition=~Q(reason_detail=""), name="delay_reason_detail_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(new_promised_date__gt=F("original_ship_date")),
                name="delay_new_date_after_original",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "notified", "delivered"])
                | Q(reviewed_at__isnull=False, approved_at__isnull=False),
                name="delay_approved_was_reviewed",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_on__isnull=False),
                name="delay_delivered_has_date",
            ),
            models.CheckConstraint(
                condition=Q(compensation_kind="", compensation_amount__isnull=True)
                | Q(compensation_kind__in=CompensationKind.values, compensation_amount__gt=0),
                name="delay_compensation_amount_positive",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="delay_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.order_reference} → {self.new_promised_date:%Y-%m-%d}"


class DelayEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    REVIEWED = "reviewed", _("Reviewed by the department")
    REVIEW_REJECTED = "review_rejected", _("Rejected by the department")
    APPROVED = "approved", _("Approved by leadership")
    APPROVAL_REJECTED = "approval_rejected", _("Rejected by leadership")
    NOTIFIED = "notified", _("Customer notified")
    NOTICE_FAILED = "notice_failed", _("Customer notice failed")
    DELIVERED = "delivered", _("Delivered")
    COMPENSATED = "compensated", _("Compensated")


class DelayEvent(Event):
    """A step of a delay filing: who, when, what and why."""

    Kind = DelayEventKind

    filing = models.ForeignKey(
        DelayFiling, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("delay filing"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DelayEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("delay event")
        verbose_name_plural = _("delay events")
        constraints = [
            # The flow has no loops: each step happens once; only failed notices repeat.
            models.UniqueConstraint(
                fields=["filing", "kind"], condition=~Q(kind="notice_failed"),
                name="delayevent_once_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class DelayNoticeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DelayNotice(models.Model):
    """The customer's notice of an approved delay: one per filing (a filing is approved at
    most once), claimed by a conditional UPDATE before each send, so it is sent once."""

    Status = DelayNoticeStatus

    filing = models.OneToOneField(
        DelayFiling, on_delete=models.CASCADE, related_name="notice",
        verbose_name=_("delay filing"),
    )
    status = models.CharField(_("status"), max_length=20, choices=DelayNoticeStatus.choices)
    created_at = models.DateTimeField(_("created at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delay notice")
        verbose_name_plural = _("delay notices")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DelayNoticeStatus.values), name="delaynotice_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="delaynotice_sent_has_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.status}"


class DelayNoticeAttempt(models.Model):
    """One try to hand the notice to the customer channel, sent or failed."""

    notice = models.ForeignKey(
        DelayNotice, on_delete=models.CASCADE, related_name="attempts",
        verbose_name=_("delay notice"),
    )
    at = models.DateTimeField(_("at"))
    actor = _user(_("actor"))
    channel = models.CharField(_("channel"), max_length=40)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    sent = models.BooleanField(_("sent"))
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delay notice attempt")
        verbose_name_plural = _("delay notice attempts")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice"], condition=Q(sent=True), name="delaynoticeattempt_sent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.channel} {'sent' if self.sent else 'failed'}"
