"""Admin of the penalty rules (versioned: a saved version is never edited; "add" starts from
the latest version's values with the next version number, administrators only) and
read-only views of the ledger and the SLA excuses, which only the services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.utils import timezone

from complaints.penalties.models import PenaltyEntry, PenaltyEvent, PenaltyRuleSet, SlaExcuse
from complaints.penalties.selectors import (
    excuses_visible_to,
    penalties_visible_to,
    rule_set_latest,
)
from complaints.penalties.services import RULE_SET_FIELDS, rule_set_add, rule_set_check
from servicedesk.admin.readonly import ReadOnlyModelAdmin
from servicedesk.admin.scoping import ScopedAdminMixin
from servicedesk.errors import FieldErrors


def next_midnight(now: dt.datetime) -> dt.datetime:
    """The next Beijing midnight: when a new version takes effect unless the
    administrator chooses another instant."""
    local = timezone.localtime(now)
    return (local + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


class PenaltyRuleSetForm(forms.ModelForm):
    class Meta:
        model = PenaltyRuleSet
        fields = ["effective_from", *RULE_SET_FIELDS]

    def clean(self):
        cleaned = super().clean()
        errors = FieldErrors()
        rule_set_check(effective_from=cleaned.get("effective_from"), now=timezone.now(),
                       errors=errors)
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return cleaned


@admin.register(PenaltyRuleSet)
class PenaltyRuleSetAdmin(admin.ModelAdmin):
    form = PenaltyRuleSetForm
    list_display = ["version", "effective_from", "fine_d", "fine_c", "fine_b", "fine_a",
                    "loss_grades", "sanction_grades", "late_completion_grade",
                    "repeat_multiplier", "late_acceptance_per_day", "created_by", "created_at"]
    ordering = ["-version"]
    readonly_fields = ["version", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["effective_from", *RULE_SET_FIELDS]
        return ["version", "effective_from", *RULE_SET_FIELDS, "created_by", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A saved version is never edited: an entry names the version it used.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_changeform_initial_data(self, request):
        """A new version starts from the latest one's values, from the next midnight."""
        initial = super().get_changeform_initial_data(request)
        latest = rule_set_latest()
        if latest is not None:
            for name in RULE_SET_FIELDS:
                initial.setdefault(name, getattr(latest, name))
            initial["note"] = ""
        initial.setdefault("effective_from", next_midnight(timezone.now()))
        return initial

    def save_model(self, request, obj, form, change):
        saved = rule_set_add(
            by=request.user, effective_from=form.cleaned_data["effective_from"],
            values={name: form.cleaned_data[name] for name in RULE_SET_FIELDS},
        )
        obj.pk, obj.version, obj.created_at = saved.pk, saved.version, saved.created_at
        obj.created_by = saved.created_by
        obj._state.adding = False


class PenaltyEventInline(admin.TabularInline):
    model = PenaltyEvent
    fields = ["at", "kind", "actor", "reason", "data"]
    readonly_fields = ["at", "kind", "actor", "reason", "data"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PenaltyEntry)
class PenaltyEntryAdmin(ScopedAdminMixin, ReadOnlyModelAdmin):
    visible_to = staticmethod(penalties_visible_to)
    list_display = ["key", "person", "department", "rule", "quoted_amount", "amount",
                    "state", "month", "created_at"]
    list_filter = ["rule", "state", "month"]
    list_select_related = ["person", "department"]
    search_fields = ["key", "complaint__case__number"]
    inlines = [PenaltyEventInline]
    show_full_result_count = False


@admin.register(SlaExcuse)
class SlaExcuseAdmin(ScopedAdminMixin, ReadOnlyModelAdmin):
    visible_to = staticmethod(excuses_visible_to)
    list_display = ["case", "timer", "reason_kind", "state", "requested_by", "requested_at",
                    "decided_by", "decided_at"]
    list_filter = ["state", "reason_kind"]
    list_select_related = ["case", "timer", "requested_by", "decided_by"]
    search_fields = ["case__number"]
    show_full_result_count = False
