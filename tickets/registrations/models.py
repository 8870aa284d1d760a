"""Customer registrations (客户报备): a prospective customer filed with the desk before the
visit, so that the first filer owns them for a while. The numbers live in one admin-edited
settings row."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from servicedesk.models.events import Event


class RegistrationSettings(models.Model):
    """The one row (pk=1) of registration rules; `load()` creates it with the defaults."""

    protection_hours = models.PositiveIntegerField(
        _("protection (hours)"),
        default=48,
        help_text=_("How long a normal filing protects its owner."),
    )
    conversion_days = models.PositiveIntegerField(
        _("conversion window (days)"),
        default=30,
        help_text=_("A registration without a deal this many days after the visit expires."),
    )
    relative_lead_days = models.PositiveIntegerField(
        _("relative filing lead (days)"),
        default=60,
        help_text=_("Relative filings must be made this many days before the visit."),
    )
    dispute_days = models.PositiveIntegerField(
        _("dispute window (days)"),
        default=7,
        help_text=_("Ownership disputes must be raised this many days after the deal."),
    )
    event_day_cutoff = models.TimeField(
        _("event-day cutoff"),
        default=dt.time(9, 0),
        help_text=_("Filings for a visit today close at this time (Beijing time)."),
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="registrationsettings_singleton"),
        ]

    def __str__(self) -> str:
        return str(_("Registration settings"))

    @classmethod
    def load(cls) -> RegistrationSettings:
        return cls.objects.get_or_create(pk=1)[0]


class RegistrationStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    PROTECTED = "protected", _("Protected")
    EXPIRED = "expired", _("Expired")
    CONVERTED = "converted", _("Converted")
    DISPUTED = "disputed", _("Disputed")
    REJECTED = "rejected", _("Rejected")


# Registrations that still hold the person: a second filing of the same phone or ID number
# is refused while one of these exists.
ACTIVE_REGISTRATION_STATUSES = (
    RegistrationStatus.PENDING_APPROVAL,
    RegistrationStatus.PROTECTED,
    RegistrationStatus.CONVERTED,
)


class CustomerRegistration(models.Model):
    """One filing of a prospective customer. Written only by the services in
    `tickets.registrations.services`."""

    Status = RegistrationStatus

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    department = models.ForeignKey(
        "servicedesk.Department",
        on_delete=models.PROTECT,
        related_name="customer_registrations",
        verbose_name=_("department"),
        help_text=_("The filer's department when the registration was filed."),
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    expected_visit_at = models.DateTimeField(_("expected visit"))
    is_relative = models.BooleanField(_("relative filing"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices
    )
    filed_at = models.DateTimeField(_("filed at"))
    protected_until = models.DateTimeField(_("protected until"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disputed by"),
    )
    disputed_at = models.DateTimeField(_("disputed at"), null=True, blank=True)
    dispute_reason = models.TextField(_("dispute reason"), blank=True)

    class Meta:
        verbose_name = _("customer registration")
        verbose_name_plural = _("customer registrations")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["department", "filed_at"], name="registration_dept_filed_idx"),
            models.Index(
                fields=["protected_until"],
                condition=Q(status="protected"),
                name="registration_protected_idx",
            ),
        ]
        constraints = [
            # First filing wins: one active registration per phone and per ID number.
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(status__in=ACTIVE_REGISTRATION_STATUSES),
                name="registration_active_phone_unique",
            ),
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(status__in=ACTIVE_REGISTRATION_STATUSES),
                name="registration_active_id_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="registration_status_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="registration_name_not_blank"),
            models.CheckConstraint(condition=~Q(phone=""), name="registration_phone_not_blank"),
            models.CheckConstraint(
                condition=~Q(id_number=""), name="registration_id_number_not_blank"
            ),
            models.CheckConstraint(
                condition=~Q(status="protected") | Q(protected_until__isnull=False),
                name="registration_protected_has_until",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["converted", "disputed"])
                | Q(converted_at__isnull=False),
                name="registration_converted_has_at",
            ),
            models.CheckConstraint(
                condition=Q(is_relative=True) | ~Q(status="pending_approval"),
                name="registration_pending_only_relatives",
            ),
            models.CheckConstraint(
                condition=Q(converted_at__isnull=True) | Q(converted_at__gte=F("filed_at")),
                name="registration_converted_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.filed_at:%Y-%m-%d %H:%M}"


class RegistrationEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CONVERTED = "converted", _("Converted")
    DISPUTED = "disputed", _("Disputed")
    EXPIRED = "expired", _("Expired")


class RegistrationEvent(Event):
    """The history of a registration: who did what, when and why. Expiry is the system's
    (no actor)."""

    Kind = RegistrationEventKind

    registration = models.ForeignKey(
        CustomerRegistration, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("registration"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=RegistrationEventKind.choices)

    class Meta(Event.Meta):
        verbose_name = _("registration event")
        verbose_name_plural = _("registration events")
        constraints = [
            # A registration's life has no loops: each step happens at most once, so a
            # sweep that runs twice cannot record an expiry twice.
            models.UniqueConstraint(fields=["registration", "kind"], name="regevent_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
