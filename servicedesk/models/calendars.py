"""Business calendars: weekly working periods plus the official Chinese holidays and
adjusted working days (调休). The arithmetic lives in `servicedesk.worktime`; these models
are its editable source."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value}) from exc


class BusinessCalendar(models.Model):
    name = models.SlugField(
        _("name"), max_length=50, unique=True, help_text=_("Stable code used by policies.")
    )
    label = models.CharField(_("label"), max_length=100)
    timezone = models.CharField(
        _("time zone"), max_length=50, default="Asia/Shanghai", validators=[validate_timezone]
    )
    follows_official_days = models.BooleanField(
        _("follows official holidays"),
        default=False,
        help_text=_(
            "Official holidays are off and adjusted working days (调休) are worked."
        ),
    )
    adjusted_day_weekday = models.PositiveSmallIntegerField(
        _("adjusted working day works like"),
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("An adjusted working Saturday or Sunday has this weekday's periods."),
    )
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.label} ({self.name})"


class WorkingPeriod(models.Model):
    """One span of working time on a weekday. An end at or before the start runs past
    midnight into the next day (07:00–02:00); 00:00–00:00 is the whole day."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="periods",
        verbose_name=_("calendar"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "weekday", "start"], name="workingperiod_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="workingperiod_weekday"
            ),
        ]

    def __str__(self) -> str:
        # gettext outside the f-strings: xgettext does not look inside them
        if self.start == self.end == dt.time(0):
            all_day = _("all day")
            return f"{self.get_weekday_display()} {all_day}"
        if self.end <= self.start:
            next_day = _("next day")
            return (f"{self.get_weekday_display()} {self.start:%H:%M}–"
                    f"{next_day} {self.end:%H:%M}")
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def length(self) -> dt.timedelta:
        start = dt.timedelta(hours=self.start.hour, minutes=self.start.minute)
        end = dt.timedelta(hours=self.end.hour, minutes=self.end.minute)
        if end <= start:
            end += dt.timedelta(days=1)
        return end - start


class OfficialYear(models.Model):
    """A year whose official holidays and adjusted working days are on file. A year
    without this row is computed on the weekly pattern alone, with a warning."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("Loaded from the chinesecalendar package")
        MANUAL = "manual", _("Entered by hand")

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class OfficialDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Official holiday (off)")
        WORKDAY = "workday", _("Adjusted working day (worked)")

    year = models.ForeignKey(
        OfficialYear, on_delete=models.CASCADE, related_name="days", verbose_name=_("year")
    )
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("official day")
        verbose_name_plural = _("official days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if self.year_id and self.date and self.date.year != self.year.year:
            raise ValidationError({"date": _("The date must fall in the selected year.")})
