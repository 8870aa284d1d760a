"""Factories of the tickets app. Customers are registered through `customer_create`, so
they get real codes and normalised numbers."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from tests.factories import StaffFactory
from tickets.customers.models import Customer
from tickets.customers.services import customer_create


def _mobile(n: int) -> str:
    return f"139{n:08d}"


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(_mobile)
    id_number = ""
    company = ""
    notes = ""
    by = factory.LazyFunction(lambda: StaffFactory().user)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return customer_create(**kwargs)
