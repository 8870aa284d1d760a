"""Company → departments → teams, and the staff profile that gives a user a role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.roles import Role


class Company(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Customer service")
        BUSINESS = "business", _("Business department")

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="departments", verbose_name=_("company")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head"),
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True,
        help_text=_("The number a customer is given to reach the department (with its head "
                    "as the contact person), e.g. when a complaint is passed to it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["company__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="department_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=100)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team lead"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["department__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department.name} / {self.name}"


class StaffProfile(models.Model):
    """One per staff user: the role decides the permission group and the navigation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    display_name = models.CharField(_("display name"), max_length=50)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("team"),
    )
    work_calendar = models.ForeignKey(
        "servicedesk.BusinessCalendar",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("working hours"),
        help_text=_("Decides when this person is on duty (for notifications)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="staffprofile_role_valid"
            ),
        ]
        permissions = [
            ("view_personal_data", _("Can see unmasked phone and ID numbers")),
            ("view_system_health", _("Can see the system health page")),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"
