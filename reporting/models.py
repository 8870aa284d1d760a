"""Reporting owns no tables yet; this model only carries the permissions of its pages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportingAccess(models.Model):
    """Unmanaged and without a table: the content type the reporting permissions hang on
    (given to roles in `reporting.registry`)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_sla_dashboard", _("Can see the live SLA dashboard"))]
        verbose_name = _("reporting access")
        verbose_name_plural = _("reporting access")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
