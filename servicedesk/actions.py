"""One declared list of actions per detail page.

An `Action` is a step a user may take on a record from its page: its name (in the URL),
its button label, the form it needs (or none), the service call, and who may take it at
all (`may(user, record)`; False answers 403). `Actions` drives both halves of the page:

- the detail page shows, in declared order, the actions the capability's selector says
  this user may take on this record now (`offered`), each with its form, bound with its
  errors after a refused POST (`errors` lists those no shown form can carry);
- the POST handler takes one action (`take`): 404 for an unknown name, 403 when `may`
  says no, the form's and the service's field errors on the form, else the service's
  result and the success message.

The API's retrieve asks the same selectors for the steps it lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse

from servicedesk.pages import form_add_service_errors


def _anyone(user: Any, record: Any) -> bool:
    return True


class RecordForm(forms.Form):
    """An action's form whose choices depend on the record (e.g. who it may be handed
    to): `Actions` builds it with `record=`."""

    def __init__(self, *args: Any, record: Any, **kwargs: Any) -> None:
        self.record = record
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    # the service call: run(<record_arg>=record, by=user, **form.cleaned_data)
    run: Callable[..., Any]
    form: type[forms.Form] | None = None
    may: Callable[[Any, Any], bool] = _anyone
    heading: Any = ""
    success: Any = ""
    primary: bool = False


def _form(action: Action, record: Any, *args: Any, **kwargs: Any) -> forms.Form:
    assert action.form is not None  # noqa: S101 - callers check
    if issubclass(action.form, RecordForm):
        kwargs["record"] = record
    return action.form(*args, **kwargs)


class Actions:
    """The actions of one detail page: `url_name` takes the record's pk and the action's
    name; the services take the record as `record_arg`."""

    def __init__(self, *actions: Action, url_name: str, record_arg: str):
        self.actions = actions
        self.by_name = {action.name: action for action in actions}
        self.url_name = url_name
        self.record_arg = record_arg

    def get(self, name: str) -> Action:
        try:
            return self.by_name[name]
        except KeyError:
            raise Http404 from None

    def offered(
        self, record: Any, names: Iterable[str], *, bound: dict[str, forms.Form] | None = None
    ) -> list[dict[str, Any]]:
        """The actions in `names` (the selector's answer), in declared order, with their
        forms (the bound one of a refused POST, else a fresh one)."""
        names, bound = set(names), bound or {}
        return [
            {
                "name": action.name,
                "label": action.label,
                "heading": action.heading,
                "primary": action.primary,
                "url": reverse(self.url_name, args=[record.pk, action.name]),
                "form": (bound.get(action.name) if action.name in bound and action.form
                         else _form(action, record, auto_id=f"{action.name}_%s")
                         if action.form
                         else None),
            }
            for action in self.actions
            if action.name in names
        ]

    def errors(self, names: Iterable[str], *, bound: dict[str, forms.Form] | None) -> list[str]:
        """The errors of a refused POST that no form on the page shows: the action has no
        form, or it is no longer offered."""
        names = set(names)
        return [
            str(error)
            for name, form in (bound or {}).items()
            if name not in names or self.by_name[name].form is None
            for errors in form.errors.values()
            for error in errors
        ]

    def take(self, request: HttpRequest, record: Any, name: str) -> dict[str, forms.Form] | None:
        """Take action `name` on `record` for `request.user`: None when it was taken (the
        success message queued), else {name: the bound form with its errors}."""
        action = self.get(name)
        if not action.may(request.user, record):
            raise PermissionDenied
        form = (_form(action, record, request.POST, auto_id=f"{name}_%s") if action.form
                else forms.Form(request.POST))
        if form.is_valid():
            try:
                action.run(**{self.record_arg: record}, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                if action.success:
                    messages.success(request, str(action.success))
                return None
        return {name: form}
