"""How a page shows a service's refusal: the one place where a service's ValidationError
becomes form errors (or, on a page without a form, error messages). The API's counterpart
is `servicedesk.api.errors.exception_handler`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest

from servicedesk.selectors import staff_profile_of

T = TypeVar("T")


@contextmanager
def service_errors(
    form: BaseForm | None = None, *, request: HttpRequest | None = None
) -> Iterator[None]:
    """Run a service call in the block. If it refuses (a ValidationError), the block ends
    there and the errors go onto `form` (see `form_add_service_errors`) or, for a page
    without a form, become error messages of `request`; the rest of the block runs only when
    the service succeeded:

        if form.is_valid():
            with service_errors(form):
                filing = feedback_file(by=request.user, **form.cleaned_data)
                return redirect("tickets:feedback-filing", filing_id=filing.pk)
        return render(request, "tickets/feedback_filings.html", {"form": form}, status=400)
    """
    if (form is None) == (request is None):
        raise TypeError("service_errors() takes either a form or a request")
    try:
        yield
    except ValidationError as exc:
        if form is not None:
            form_add_service_errors(form, exc)
        elif request is not None:
            for message in exc.messages:
                messages.error(request, message)


def form_add_service_errors(form: BaseForm, exc: ValidationError) -> None:
    """Each field's messages on the form's field of that name; a message for a field the
    form does not have or does not show (hidden), or for no field, as a non-field error."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, field_messages in exc.message_dict.items():
        shown = field in form.fields and not form.fields[field].widget.is_hidden
        for message in field_messages:
            form.add_error(field if shown else None, message)


def form_post_create(
    request: HttpRequest, form: BaseForm, *, permission: str, service: Callable[..., T]
) -> T | None:
    """The filing form of a list page: on a POST, 403 without `permission` or without a
    staff profile (a superuser who only administers); a valid form is handed to
    `service(by=request.user, **cleaned_data)`, whose refusal goes onto the form. The
    created record, or None (not a POST, an invalid form, a refusal: the caller renders
    the page again, with 400 after a POST)."""
    if request.method != "POST":
        return None
    # records are worked by staff only, as through the API (WriteNeedsPermission)
    if staff_profile_of(request.user) is None or not request.user.has_perm(permission):
        raise PermissionDenied
    if not form.is_valid():
        return None
    created: Any = None
    with service_errors(form):
        created = service(by=request.user, **form.cleaned_data)
    return created
