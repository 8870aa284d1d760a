"""Exports of the tickets lists (customers, cases, contacts) as CSV or Excel.

Who may export: whoever holds the dataset's `tickets.export_<model>` permission (by role:
supervisors, managers, general managers and administrators; agents and floor leads do not
bulk-export). Which rows: the caller's scoped and filtered queryset, exactly the rows the
list shows. Phone and ID numbers are masked as on the page and in the API unless the caller
holds `servicedesk.view_personal_data`. Every export is written to the export log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.exports import DATETIME, NUMBER, Column, export_response
from servicedesk.presenters import (
    PersonalData,
    person_name_from,
    personal_data_for,
)
from servicedesk.types import AnyUser, User
from tickets.cases.models import Case, SlaState
from tickets.cases.selectors import cases_visible_to
from tickets.contacts.models import Contact
from tickets.contacts.selectors import contacts_visible_to
from tickets.customers.models import Customer
from tickets.customers.selectors import customers_visible_to
from tickets.sla.selectors import sla_state_at, with_sla_warn_at


def _verbose(model: type[Model], field: str):
    # a concrete field of the model, never a reverse relation
    return model._meta.get_field(field).verbose_name  # type: ignore[union-attr]


def _labels(choices) -> Callable[[str | None], str]:
    """A converter from a stored choice to its label, translated once per export."""
    labels = {value: str(label) for value, label in choices}
    return lambda value: labels.get(value, value or "")


def _yes_no() -> Callable[[bool | None], str]:
    yes, no = _("Yes"), _("No")
    return lambda value: "" if value is None else (yes if value else no)


def _sla_state_now() -> Callable[[str, dt.datetime | None, dt.datetime | None], str]:
    """The case's SLA state as the pages show it at the moment of the export (the recorded
    state moved on by the warning and due instants that have passed since the sweep)."""
    now = timezone.now()
    labels = {value: str(label) for value, label in SlaState.choices}
    return lambda state, warn_at, due_at: labels[
        sla_state_at(state=state, warn_at=warn_at, due_at=due_at, now=now)]


def customer_export_columns(*, shown: PersonalData) -> list[Column]:
    return [
        Column(gettext_lazy("Customer code"), "code", width=14),
        Column(gettext_lazy("Name"), "name", width=12),
        Column(_verbose(Customer, "phone"), "phone", convert=shown.phone, width=16),
        Column(_verbose(Customer, "id_number"), "id_number", convert=shown.id_number, width=22),
        Column(_verbose(Customer, "company"), "company", width=24),
        Column(_verbose(Customer, "notes"), "notes", width=30),
        Column(_verbose(Customer, "created_at"), "created_at", kind=DATETIME, width=20),
    ]


def case_export_columns(*, shown: PersonalData) -> list[Column]:
    return [
        Column(_verbose(Case, "number"), "number", width=16),
        Column(_verbose(Case, "kind"), "kind", convert=_labels(Case.Kind.choices), width=10),
        Column(_verbose(Case, "category"), "category__name", width=16),
        Column(gettext_lazy("Customer code"), "customer__code", width=14),
        Column(gettext_lazy("Customer name"), "customer__name", width=12),
        Column(gettext_lazy("Customer phone"), "customer__phone", convert=shown.phone, width=16),
        Column(_verbose(Case, "subject"), "subject", width=30),
        Column(_verbose(Case, "status"), "status", convert=_labels(Case.Status.choices),
               width=12),
        Column(_verbose(Case, "sla_state"), ("sla_state", "sla_warn_at", "sla_due_at"),
               convert=_sla_state_now(), width=10),
        Column(_verbose(Case, "sla_due_at"), "sla_due_at", kind=DATETIME, width=20),
        Column(_verbose(Case, "grade"), "grade", width=6),
        Column(_verbose(Case, "assignee"),
               ("assignee__first_name", "assignee__username"),
               convert=person_name_from, width=12),
        Column(_verbose(Case, "team"), "team__name", width=12),
        Column(_verbose(Case, "department"), "department__name", width=14),
        Column(_verbose(Case, "first_contact_owner"),
               ("first_contact_owner__first_name", "first_contact_owner__username"),
               convert=person_name_from, width=12),
        Column(_verbose(Case, "promised_callback_at"), "promised_callback_at", kind=DATETIME,
               width=20),
        Column(_verbose(Case, "opened_at"), "opened_at", kind=DATETIME, width=20),
        Column(_verbose(Case, "resolved_at"), "resolved_at", kind=DATETIME, width=20),
        Column(_verbose(Case, "closed_at"), "closed_at", kind=DATETIME, width=20),
    ]


def contact_export_columns(*, shown: PersonalData) -> list[Column]:
    return [
        Column(_verbose(Contact, "queued_at"), "queued_at", kind=DATETIME, width=20),
        Column(_verbose(Contact, "channel"), "channel",
               convert=_labels(Contact.Channel.choices), width=10),
        Column(gettext_lazy("Customer code"), "customer__code", width=14),
        Column(gettext_lazy("Customer name"), "customer__name", width=12),
        Column(gettext_lazy("Customer phone"), "customer__phone", convert=shown.phone, width=16),
        Column(_verbose(Contact, "agent"),
               ("agent__first_name", "agent__username"),
               convert=person_name_from, width=12),
        Column(_verbose(Contact, "department"), "department__name", width=14),
        Column(_verbose(Contact, "case"), "case__number", width=16),
        Column(_verbose(Contact, "category"), "category__name", width=16),
        Column(_verbose(Contact, "answered_at"), "answered_at", kind=DATETIME, width=20),
        Column(_verbose(Contact, "ended_at"), "ended_at", kind=DATETIME, width=20),
        Column(_verbose(Contact, "answered"), "answered", convert=_yes_no(), width=8),
        Column(_verbose(Contact, "first_response_seconds"), "first_response_seconds",
               kind=NUMBER, width=10),
        Column(_verbose(Contact, "transferred"), "transferred", convert=_yes_no(), width=8),
        Column(_verbose(Contact, "summary"), "summary", width=40),
    ]


@dataclass(frozen=True)
class ExportDataset:
    name: str
    permission: str
    sheet_name: object
    columns: Callable[..., list[Column]]
    ordering: tuple[str, ...]
    visible_to: Callable[..., QuerySet]  # the list's scope: the rows `user` may see
    # what the columns read beyond the model's fields (annotations), applied to every export
    prepare: Callable[[QuerySet], QuerySet] = lambda queryset: queryset


CUSTOMERS = ExportDataset(
    name="customers", permission="tickets.export_customer",
    sheet_name=gettext_lazy("Customers"), columns=customer_export_columns,
    ordering=("-id",), visible_to=customers_visible_to,
)
CASES = ExportDataset(
    name="cases", permission="tickets.export_case",
    sheet_name=gettext_lazy("Cases"), columns=case_export_columns,
    ordering=("-opened_at", "-id"), visible_to=cases_visible_to, prepare=with_sla_warn_at,
)
CONTACTS = ExportDataset(
    name="contacts", permission="tickets.export_contact",
    sheet_name=gettext_lazy("Contacts"), columns=contact_export_columns,
    ordering=("-queued_at", "-id"), visible_to=contacts_visible_to,
)
DATASETS = {d.name: d for d in (CUSTOMERS, CASES, CONTACTS)}


def can_export(*, user: AnyUser, dataset: ExportDataset) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(dataset.permission)


def tickets_export(
    *,
    dataset: ExportDataset,
    queryset: QuerySet,
    user: User,
    fmt: str,
    channel: str,
    filters: dict,
) -> StreamingHttpResponse:
    """The download of `queryset` (already scoped to `user` and filtered) as `fmt`, masked
    unless `user` may see personal data. The caller has checked `can_export`."""
    shown = personal_data_for(user)
    return export_response(
        queryset=dataset.prepare(queryset).order_by(*dataset.ordering),
        columns=dataset.columns(shown=shown),
        fmt=fmt,
        dataset=dataset.name,
        user=user,
        channel=channel,
        filters=filters,
        personal_data_unmasked=shown.unmasked,
        sheet_name=str(dataset.sheet_name),
    )
