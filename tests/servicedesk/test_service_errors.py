"""The kernel's two translations of a service's refusal for pages: `FieldErrors` (how a
service collects them) and `service_errors` (how a page shows them)."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory

from servicedesk.errors import FieldErrors, StepRefused
from servicedesk.pages import service_errors


class NoteForm(forms.Form):
    note = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def _valid_form() -> NoteForm:
    form = NoteForm({"note": "已回电", "version": "3"})
    assert form.is_valid()
    return form


def _refuse(errors):
    raise ValidationError(errors)


def test_field_errors_collect_messages_per_field_and_raise_them_together():
    errors = FieldErrors()
    errors.raise_if_any()  # nothing collected: no error
    errors.add("note", "请填写备注。")
    errors.add("note", "备注太长。")
    errors.add("amount", "金额须大于零。")
    assert "note" in errors
    with pytest.raises(ValidationError) as refused:
        errors.raise_if_any()
    assert refused.value.message_dict == {"note": ["请填写备注。", "备注太长。"],
                                          "amount": ["金额须大于零。"]}


def test_a_refusal_puts_each_message_on_its_field_and_skips_the_rest_of_the_block():
    form = _valid_form()
    reached = []
    with service_errors(form):
        _refuse({"note": ["请填写备注。"]})
        reached.append("after")
    assert reached == []
    assert form.errors == {"note": ["请填写备注。"]}


def test_unknown_hidden_and_fieldless_messages_become_non_field_errors():
    form = _valid_form()
    with service_errors(form):
        _refuse({"status": ["已被他人处理。"], "version": ["已过期。"],
                 NON_FIELD_ERRORS: ["不可操作。"]})
    assert form.non_field_errors() == ["已被他人处理。", "已过期。", "不可操作。"]
    assert "version" not in form.errors


def test_a_message_without_fields_is_a_non_field_error():
    form = _valid_form()
    with service_errors(form):
        raise StepRefused("已被他人处理。", current="closed", field="note")
    assert form.errors == {"note": ["已被他人处理。"]}
    with service_errors(form):
        _refuse("此工单已被他人修改。")
    assert form.non_field_errors() == ["此工单已被他人修改。"]


def test_success_runs_the_whole_block_and_leaves_the_form_valid():
    form = _valid_form()
    with service_errors(form):
        result = "saved"
    assert result == "saved"
    assert form.is_valid()


def test_a_page_without_a_form_shows_the_messages_as_error_messages():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    with service_errors(request=request):
        _refuse({"reason": ["改级需要理由。"], "grade": ["请选择 A 到 D 级。"]})
    shown = [(m.level_tag, m.message) for m in get_messages(request)]
    assert shown == [("error", "改级需要理由。"), ("error", "请选择 A 到 D 级。")]


def test_other_errors_pass_through():
    form = _valid_form()
    with pytest.raises(PermissionError), service_errors(form):
        raise PermissionError
    with pytest.raises(TypeError):
        with service_errors():
            pass
