"""One presenter per concern (`servicedesk.presenters`): personal data in full only for the
personal-data permission, masked in one format for everyone else; a person's name by one
rule, the same on pages, in the API, the admin and exports."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from servicedesk.presenters import (
    id_number_for,
    person_name,
    person_name_from,
    personal_data_for,
    phone_for,
)
from servicedesk.roles import Role
from servicedesk.templatetags.people import person
from tests.factories import StaffFactory, UserFactory

ID_NUMBER = "11010519491231002X"


@pytest.mark.django_db
def test_personal_data_is_in_full_only_with_the_permission():
    allowed = StaffFactory(role=Role.TIER2).user
    agent = StaffFactory(role=Role.TIER1).user
    assert phone_for(allowed, "13812345678") == "13812345678"
    assert id_number_for(allowed, ID_NUMBER) == ID_NUMBER
    for viewer in (agent, AnonymousUser(), None):
        assert phone_for(viewer, "13812345678") == "138****5678"
        assert phone_for(viewer, "010-12345678") == "010-******78"
        assert id_number_for(viewer, ID_NUMBER) == "110105********002X"


@pytest.mark.django_db
def test_a_list_decides_once_and_shows_missing_values_as_empty():
    shown = personal_data_for(StaffFactory(role=Role.TIER1).user)
    assert not shown.unmasked
    assert [shown.phone(p) for p in ("13912345678", "", None)] == ["139****5678", "", ""]
    assert shown.id_number(None) == ""


@pytest.mark.django_db
def test_a_person_is_named_by_first_name_else_user_name():
    assert person_name(UserFactory(username="wang", first_name="王芳")) == "王芳"
    assert person_name(UserFactory(username="li", first_name="")) == "li"
    assert person_name(None) == ""
    assert person_name_from("王芳", "wang") == "王芳"
    assert person_name_from("", "li") == "li"
    assert person_name_from(None, None) == ""


@pytest.mark.django_db
def test_pages_show_the_same_name_and_a_dash_for_no_one():
    user = UserFactory(username="wang", first_name="王芳")
    assert person(user) == person_name(user) == "王芳"
    assert person(None) == "—"


@pytest.mark.django_db
def test_a_staff_members_name_is_their_display_name():
    profile = StaffFactory(display_name="李四")
    assert person_name(profile.user) == "李四"
