"""Customers registered at the same moment from several connections get distinct,
consecutive codes (PostgreSQL: the counter's row lock; SQLite: IMMEDIATE transactions on
the file test database, waiting out the busy timeout as production does)."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from tests.factories import StaffFactory
from tickets.customers.models import Customer
from tickets.customers.services import customer_create

THREADS = 8
NOW = dt.datetime(2026, 11, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_consecutive_codes():
    agent = StaffFactory().user
    start = threading.Barrier(THREADS)
    codes: list[str] = []
    errors: list[BaseException] = []

    def register(n: int) -> None:
        try:
            start.wait(timeout=10)
            customer = customer_create(
                name=f"客户{n}", phone=f"1380000{n:04d}", by=agent, now=NOW
            )
            codes.append(customer.code)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(codes) == [f"C202611{n:03d}" for n in range(1, THREADS + 1)]
    assert Customer.objects.count() == THREADS
