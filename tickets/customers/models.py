"""Customers and the counter that hands out their codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A person who calls us. `code` is C + yyyymm + a sequence restarting each month."""

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(
        _("phone"),
        max_length=30,
        db_index=True,
        help_text=_("Mobile 13812345678 or landline 010-12345678(-extension)."),
    )
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("export_customer", _("Can export customers"))]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(id_number=""),
                name="customer_id_number_unique",
                violation_error_message=_("A customer with this ID number exists already."),
            ),
            models.CheckConstraint(condition=~Q(name=""), name="customer_name_not_blank"),
            models.CheckConstraint(condition=~Q(phone=""), name="customer_phone_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CustomerCodeCounter(models.Model):
    """The last sequence number handed out in a month (yyyymm)."""

    month = models.CharField(_("month"), max_length=6, primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("customer code counter")
        verbose_name_plural = _("customer code counters")

    def __str__(self) -> str:
        return f"{self.month}: {self.last}"
