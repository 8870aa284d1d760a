"""The penalty ledger and the SLA excuses in the browser: the ledger with the API's filters,
the totals of the filtered rows and their CSV / Excel export; an entry's page with its
evidence, history and a manager's waiver or adjustment; the excuses with the supervisor's
request and the manager's approval. Rules live in `complaints.penalties.services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from complaints.handling.models import Verdict
from complaints.penalties.api import PenaltyFilter
from complaints.penalties.forms import (
    AdjustForm,
    ExcuseDecisionForm,
    ExcuseRequestForm,
    WaiveForm,
)
from complaints.penalties.models import EntryState, PenaltyEntry, PenaltyRule, SlaExcuse
from complaints.penalties.selectors import (
    entry_actions_for,
    entry_history,
    excusable_timers,
    excuse_actions_for,
    excuse_rows,
    excuses_visible_to,
    get_entry_for_user,
    get_excuse_for_user,
    is_decider,
    is_excuse_requester,
    ledger_people,
    ledger_rows,
    ledger_totals,
    may_export_ledger,
    may_waive,
    penalties_visible_to,
)
from complaints.penalties.services import (
    entry_adjust,
    entry_waive,
    excuse_decide,
    excuse_request,
)
from servicedesk.actions import Action, Actions
from servicedesk.api.filtering import filterset_apply
from servicedesk.exports import DATETIME, NUMBER, Column, export_response
from servicedesk.history import history_rows
from servicedesk.models import Department, ExportLog
from servicedesk.pages import service_errors
from servicedesk.presenters import person_name_from
from servicedesk.roles import MANAGEMENT_ROLES
from servicedesk.selectors import staff_profile_of
from servicedesk.types import AuthenticatedHttpRequest
from tickets.cases.selectors import cases_visible_to
from tickets.exports.api import export_filters
from tickets.sla.models import TimerKind

LEDGER_LIMIT = 200
EXCUSE_LIMIT = 200


# --- the ledger --------------------------------------------------------------------------------


def _department_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """The departments the user may filter by: all for management, else none (a
    supervisor sees their own department's entries anyway)."""
    profile = staff_profile_of(request.user)
    if profile is None or profile.role not in MANAGEMENT_ROLES:
        return []
    return list(Department.objects.order_by("name", "pk").values_list("pk", "name"))


@login_required
@permission_required("complaints.view_penaltyentry", raise_exception=True)
@require_GET
def ledger_page(request: HttpRequest) -> HttpResponse:
    """The entries the user may see, newest first, filtered like the API list, with the
    totals of every filtered row."""
    visible = penalties_visible_to(user=request.user)
    queryset, filterset = filterset_apply(PenaltyFilter, request, visible)
    entries: list[PenaltyEntry] = []
    totals = None
    if queryset is not None:
        entries = list(ledger_rows(queryset)[:LEDGER_LIMIT])
        totals = ledger_totals(queryset)
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "complaints/penalties/ledger.html", {
        "entries": entries,
        "totals": totals,
        "filter": filterset,
        "limit": LEDGER_LIMIT,
        "query": query.urlencode(),
        "people": ledger_people(visible),
        "departments": _department_choices(request),
        "rules": PenaltyRule.choices,
        "states": EntryState.choices,
        "selected": {"rule": request.GET.getlist("rule"),
                     "state": request.GET.getlist("state"),
                     "person": request.GET.get("person", ""),
                     "department": request.GET.get("department", ""),
                     "month": request.GET.get("month", ""),
                     "complaint": request.GET.get("complaint", "")},
        "can_export": may_export_ledger(request.user),
    }, status=200 if queryset is not None else 400)


def _labels(choices: Any) -> Any:
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value or "")


def ledger_export_columns() -> list[Column]:
    """The ledger's columns in a download (Chinese headers; amounts as numbers)."""
    yes, no = _("Yes"), _("No")
    return [
        Column(gettext_lazy("Charged at"), "created_at", kind=DATETIME, width=20),
        Column(gettext_lazy("Month"), "month", convert=lambda d: d.strftime("%Y-%m"),
               width=9),
        Column(gettext_lazy("Person"), ("person__first_name", "person__username"),
               convert=person_name_from, width=12),
        Column(gettext_lazy("Department"), "department__name", width=14),
        Column(gettext_lazy("Case"), "complaint__case__number", width=16),
        Column(gettext_lazy("Rule"), "rule", convert=_labels(PenaltyRule.choices), width=18),
        Column(gettext_lazy("Rule version"), "rule_set__version", kind=NUMBER, width=8),
        Column(gettext_lazy("Amount by the rule"), "quoted_amount", kind=NUMBER, width=12),
        Column(gettext_lazy("Amount charged"), "amount", kind=NUMBER, width=12),
        Column(gettext_lazy("Administrative sanction"), "administrative_sanction",
               convert=lambda value: yes if value else no, width=8),
        Column(gettext_lazy("State"), "state", convert=_labels(EntryState.choices), width=10),
        Column(gettext_lazy("Key"), "key", width=28),
    ]


@login_required
@require_GET
def ledger_download(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered entries as CSV (UTF-8 with BOM) or Excel, recorded in the export log."""
    if not may_export_ledger(request.user):
        raise PermissionDenied
    fmt = request.GET.get("format") or "csv"
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest("format: csv or xlsx")
    queryset, filterset = filterset_apply(
        PenaltyFilter, request, penalties_visible_to(user=request.user))
    if queryset is None:
        return HttpResponseBadRequest(
            "\n".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
            or "invalid filter", content_type="text/plain; charset=utf-8")
    return export_response(
        queryset=queryset.order_by("-created_at", "-id"), columns=ledger_export_columns(),
        fmt=fmt, dataset="penalties", user=request.user, channel=ExportLog.Channel.PAGE,
        filters=export_filters(request.GET), personal_data_unmasked=False,
        sheet_name=_("Penalty ledger"),
    )


# --- one entry ---------------------------------------------------------------------------------


def _waive(*, entry: PenaltyEntry, by: Any, reason: str,
           expected_version: int | None) -> PenaltyEntry:
    return entry_waive(entry=entry, by=by, reason=reason, expected_version=expected_version)


def _adjust(*, entry: PenaltyEntry, by: Any, amount: Any, reason: str,
            expected_version: int | None) -> PenaltyEntry:
    return entry_adjust(entry=entry, by=by, amount=amount, reason=reason,
                        expected_version=expected_version)


def _may_change(user: Any, entry: PenaltyEntry) -> bool:
    return may_waive(user)


ENTRY_PAGE_ACTIONS = Actions(
    Action("waive", gettext_lazy("Waive"), _waive, form=WaiveForm, may=_may_change,
           heading=gettext_lazy("Waive this charge"),
           success=gettext_lazy("The charge was waived.")),
    Action("adjust", gettext_lazy("Adjust"), _adjust, form=AdjustForm, may=_may_change,
           heading=gettext_lazy("Adjust the amount charged"),
           success=gettext_lazy("The amount was adjusted.")),
    url_name="complaints:penalty-action", record_arg="entry",
)


def _when(value: str | None) -> str:
    if not value:
        return "—"
    return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")


def _yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def _names(ids: set[int]) -> dict[int, str]:
    users = get_user_model().objects.filter(pk__in=ids)
    return {pk: person_name_from(first, username)
            for pk, first, username in users.values_list("pk", "first_name", "username")}


def evidence_lines(entry: PenaltyEntry) -> list[tuple[str, str]]:
    """The entry's evidence as (label, value) lines for its page."""
    evidence = entry.evidence or {}
    people = _names({pk for pk in (evidence.get("responsible"), evidence.get("acceptor"))
                     if isinstance(pk, int)})
    lines: list[tuple[str, str]] = [
        (_("Rule"), entry.get_rule_display()),
        (_("Rule version"), f"v{evidence.get('rule_version', entry.rule_set.version)}"),
    ]
    if evidence.get("applies") is False:
        lines.append((_("Applies"), _("No longer: the facts no longer call for it.")))
    if evidence.get("grade"):
        lines.append((_("Grade"), str(evidence["grade"])))
    if evidence.get("verdict"):
        verdict = evidence["verdict"]
        lines.append((_("Verdict"), str(Verdict(verdict).label)
                      if verdict in Verdict.values else verdict))
    if "loss_yuan" in evidence:
        lines.append((_("Economic loss (yuan)"), str(evidence["loss_yuan"])))
    if evidence.get("responsible"):
        lines.append((_("Responsible person"), people.get(evidence["responsible"], "")))
    if evidence.get("acceptor"):
        lines.append((_("Should have accepted it"), people.get(evidence["acceptor"], "")))
    if "multiplier" in evidence:
        lines.append((_("Grade fine × multiplier"),
                      f"{evidence.get('fine')} × {evidence['multiplier']}"))
    if evidence.get("repeat_by_neglect"):
        lines.append((_("Repeat complaint caused by neglect"), _yes_no(True)))
    clock = evidence.get("clock")
    if isinstance(clock, dict):
        kind = clock.get("kind", "")
        lines += [
            (_("SLA clock"), str(TimerKind(kind).label) if kind in TimerKind.values else kind),
            (_("Due at"), _when(clock.get("due_at"))),
            (_("Breached at"), _when(clock.get("breached_at"))),
            (_("Stopped at"), _when(clock.get("stopped_at")) if not clock.get("running")
             else _("Still running")),
            (_("Days late"), str(clock.get("days_late", ""))),
        ]
    if evidence.get("excuse"):
        lines.append((_("Excused by"), f"#{evidence['excuse']}"))
    return lines


def _event_details(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    lines = []
    if "quoted_from" in data and data.get("quoted_from") != data.get("quoted_to"):
        lines.append(("quoted", _("By the rule: %(from)s → %(to)s") % {
            "from": data["quoted_from"], "to": data["quoted_to"]}))
    if "amount" in data:
        lines.append(("amount", _("Amount: %(amount)s (by the rule %(quoted)s)") % {
            "amount": data["amount"], "quoted": data.get("quoted_amount", "")}))
    if data.get("state_to"):
        labels = dict(EntryState.choices)
        lines.append(("state", f"{labels.get(data.get('state_from') or '', '')} → "
                               f"{labels.get(data['state_to'], data['state_to'])}"))
    if data.get("person_to"):
        lines.append(("person", _("Charged to another person (the facts changed).")))
    return lines


def _entry_detail(request: HttpRequest, entry: PenaltyEntry, *, bound: dict | None = None,
                  status: int = 200) -> HttpResponse:
    allowed = entry_actions_for(entry=entry, user=request.user)
    return render(request, "complaints/penalties/entry_detail.html", {
        "entry": entry,
        "evidence": evidence_lines(entry),
        "actions": ENTRY_PAGE_ACTIONS.offered(entry, allowed, bound=bound),
        "errors": ENTRY_PAGE_ACTIONS.errors(allowed, bound=bound),
        "timeline": history_rows(entry_history(entry=entry), details=_event_details),
    }, status=status)


@login_required
@permission_required("complaints.view_penaltyentry", raise_exception=True)
@require_GET
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _entry_detail(request, get_entry_for_user(user=request.user, entry_id=entry_id))


@login_required
@require_POST
def entry_action(request: HttpRequest, entry_id: int, action: str) -> HttpResponse:
    ENTRY_PAGE_ACTIONS.get(action)  # 404 for an unknown step
    entry = get_entry_for_user(user=request.user, entry_id=entry_id)
    bound = ENTRY_PAGE_ACTIONS.take(request, entry, action)
    if bound is None:
        return redirect("complaints:penalty", entry_id=entry.pk)
    return _entry_detail(request, get_entry_for_user(user=request.user, entry_id=entry_id),
                         bound=bound, status=400)


# --- SLA excuses ---------------------------------------------------------------------------------


def _excuse_request_from(request: AuthenticatedHttpRequest,
                         form: ExcuseRequestForm) -> SlaExcuse | None:
    """The excuse asked for by a valid request form, or None with the errors on it."""
    data = form.cleaned_data
    case = cases_visible_to(user=request.user).filter(
        number=data["case_number"].strip().upper()).first()
    if case is None:
        form.add_error("case_number", _("You see no case with this number."))
        return None
    timers = [t for t in excusable_timers(case=case, now=timezone.now())
              if t.kind == data["clock"]]
    if not timers:
        form.add_error("clock", _("This case has no late clock of this kind without an "
                                  "excuse."))
        return None
    excuse = None
    with service_errors(form):
        excuse = excuse_request(timer=timers[-1], by=request.user,
                                reason_kind=data["reason_kind"], note=data["note"])
    return excuse


@login_required
@permission_required("complaints.view_slaexcuse", raise_exception=True)
@require_http_methods(["GET", "POST"])
def excuses_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    may_request = is_excuse_requester(request.user) and request.user.has_perm(
        "complaints.add_slaexcuse")
    form = ExcuseRequestForm(request.POST or None)
    if request.method == "POST":
        if not may_request:
            raise PermissionDenied
        if form.is_valid():
            excuse = _excuse_request_from(request, form)
            if excuse is not None:
                messages.success(request, _("Excuse requested; it waits for a manager."))
                return redirect("complaints:sla-excuse", excuse_id=excuse.pk)
    state = request.GET.get("state", "")
    excuses = excuse_rows(excuses_visible_to(user=request.user))
    if state in SlaExcuse.State.values:
        excuses = excuses.filter(state=state)
    return render(request, "complaints/penalties/excuses.html", {
        "form": form if may_request else None,
        "excuses": list(excuses[:EXCUSE_LIMIT]),
        "states": SlaExcuse.State.choices,
        "state": state,
        "limit": EXCUSE_LIMIT,
    }, status=400 if request.method == "POST" else 200)


def _decide(approve: bool):
    def run(*, excuse: SlaExcuse, by: Any, note: str) -> SlaExcuse:
        return excuse_decide(excuse=excuse, by=by, approve=approve, note=note)
    return run


def _may_decide(user: Any, excuse: SlaExcuse) -> bool:
    """Whether `user` may decide excuses at all (an excuse already decided is the
    service's refusal, shown on the page)."""
    return is_decider(user) and excuse.requested_by_id != user.pk


EXCUSE_PAGE_ACTIONS = Actions(
    Action("approve", gettext_lazy("Approve"), _decide(True), form=ExcuseDecisionForm,
           may=_may_decide, heading=gettext_lazy("Approve the excuse"), primary=True,
           success=gettext_lazy("Excuse approved: the clock's charges are excused.")),
    Action("reject", gettext_lazy("Reject"), _decide(False), form=ExcuseDecisionForm,
           may=_may_decide, heading=gettext_lazy("Reject the excuse"),
           success=gettext_lazy("Excuse rejected.")),
    url_name="complaints:sla-excuse-action", record_arg="excuse",
)


def _excuse_detail(request: HttpRequest, excuse: SlaExcuse, *, bound: dict | None = None,
                   status: int = 200) -> HttpResponse:
    allowed = excuse_actions_for(excuse=excuse, user=request.user)
    entries = ledger_rows(penalties_visible_to(user=request.user).filter(
        complaint__case_id=excuse.case_id))
    return render(request, "complaints/penalties/excuse_detail.html", {
        "excuse": excuse,
        "entries": list(entries),
        "actions": EXCUSE_PAGE_ACTIONS.offered(excuse, allowed, bound=bound),
        "errors": EXCUSE_PAGE_ACTIONS.errors(allowed, bound=bound),
    }, status=status)


@login_required
@permission_required("complaints.view_slaexcuse", raise_exception=True)
@require_GET
def excuse_detail(request: HttpRequest, excuse_id: int) -> HttpResponse:
    return _excuse_detail(request, get_excuse_for_user(user=request.user, excuse_id=excuse_id))


@login_required
@require_POST
def excuse_action(request: HttpRequest, excuse_id: int, action: str) -> HttpResponse:
    EXCUSE_PAGE_ACTIONS.get(action)  # 404 for an unknown step
    excuse = get_excuse_for_user(user=request.user, excuse_id=excuse_id)
    bound = EXCUSE_PAGE_ACTIONS.take(request, excuse, action)
    if bound is None:
        return redirect("complaints:sla-excuse", excuse_id=excuse.pk)
    return _excuse_detail(request, get_excuse_for_user(user=request.user,
                                                       excuse_id=excuse_id),
                          bound=bound, status=400)
