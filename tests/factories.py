"""Factories build coherent objects; further state comes from the real services."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from servicedesk.models import Company, Department, StaffProfile, Team
from servicedesk.roles import Role
from servicedesk.services import staff_set_role


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("name",)

    name = "测试客服中心有限公司"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"客服{n}部")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"{n}组")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n:04d}")
    first_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("demo-pass-123")


class StaffFactory(DjangoModelFactory):
    """A staff member whose role groups are set by the real `staff_set_role` service.
    `password="..."` sets the user's password."""

    class Meta:
        model = StaffProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    display_name = factory.SelfAttribute("user.first_name")
    role = Role.TIER1
    department = factory.SubFactory(DepartmentFactory)
    team = factory.SubFactory(TeamFactory, department=factory.SelfAttribute("..department"))

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.user.set_password(extracted)
            obj.user.save(update_fields=["password"])

    @factory.post_generation
    def first_name_is_display_name(obj, create, extracted, **kwargs):  # noqa: N805
        """As `staff_create` does: the user's first name is the display name."""
        if create and obj.user.first_name != obj.display_name:
            obj.user.first_name = obj.display_name
            obj.user.save(update_fields=["first_name"])

    @factory.post_generation
    def role_groups(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            staff_set_role(profile=obj, role=obj.role)
