"""The API's exception handler (`servicedesk.api.errors.exception_handler`): a service's
refusal becomes 400 with field keys, a stale version 409 with the current version, a
PermissionDenied 403, whatever the view; the view only calls the service."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework import permissions, viewsets
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory

from servicedesk.errors import StaleVersion, StepRefused
from servicedesk.roles import Role
from tests.factories import StaffFactory
from tests.tickets.cases.factories import case_open_for_test
from tickets.cases.services import case_feedback_record


class RefusingViewSet(viewsets.ViewSet):
    """Each action raises what a service would raise."""

    permission_classes = [permissions.AllowAny]
    service_error_fields = {"move": {"status": "to_status"}}
    error: Exception | None = None

    def move(self, request):
        raise self.error

    def other(self, request):
        raise self.error


def _answer(error: Exception, action: str = "other") -> Response:
    view = RefusingViewSet.as_view({"post": action}, error=error)
    request = APIRequestFactory().post("/", {}, format="json")
    request.user = AnonymousUser()
    return view(request)


def test_service_field_errors_are_400_with_the_same_keys():
    errors = {"subject": ["请填写主题。"], "team": ["此组属于其他部门。"]}
    response = _answer(ValidationError(errors))
    assert response.status_code == 400
    assert response.data == errors


def test_a_message_without_a_field_is_under_non_field_errors():
    response = _answer(ValidationError("不可操作。"))
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["不可操作。"]}


def test_a_refused_step_is_400_on_the_api_field_the_viewset_names():
    refused = StepRefused("此状态不能转为已关闭。", current="new")
    assert _answer(refused, action="move").data == {"to_status": ["此状态不能转为已关闭。"]}
    assert _answer(refused, action="other").data == {"status": ["此状态不能转为已关闭。"]}


def test_a_stale_version_is_409_with_the_current_version():
    response = _answer(StaleVersion("已被他人修改。", current_version=7))
    assert response.status_code == 409
    assert response.data == {"detail": "已被他人修改。", "code": "conflict", "current_version": 7}


def test_a_service_permission_denied_is_403_with_its_message():
    response = _answer(PermissionDenied("只有总经理可以审批。"))
    assert response.status_code == 403
    assert response.data == {"detail": "只有总经理可以审批。"}


@pytest.mark.django_db
def test_case_feedback_on_a_stale_version_gets_the_409_body():
    agent = StaffFactory(role=Role.TIER2).user
    case = case_open_for_test(by=agent)
    case_feedback_record(case=case, by=agent, expected_version=1, note="已电话告知")
    api = APIClient()
    api.force_authenticate(agent)
    response = api.post(f"/api/v1/cases/{case.pk}/feedback/",
                        {"note": "再次告知", "version": 1}, format="json",
                        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "此工单已被他人修改，请刷新后重试。",
        "code": "conflict",
        "current_version": 2,
    }
