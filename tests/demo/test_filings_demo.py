"""The demo filings can be seeded at any hour: the Beijing date of an instant, not of the
seed's end, decides what is already delivered."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from demo.filings import seed_filings
from tickets.filings.models import DelayFiling, DelayStatus, FeedbackFiling

pytestmark = pytest.mark.django_db


def test_filings_seed_minutes_after_midnight_in_beijing(seeded_demo):
    # The last Beijing midnight (within a day of the real now, so every service's window
    # holds), six minutes later: the seed's end is on a new date, two hours earlier is not.
    beijing = ZoneInfo("Asia/Shanghai")
    midnight = dt.datetime.now(beijing).replace(hour=0, minute=0, second=0, microsecond=0)
    DelayFiling.objects.all().delete()
    FeedbackFiling.objects.all().delete()

    counts = seed_filings(now=midnight + dt.timedelta(minutes=6))

    assert counts["delays"] > 0
    delivered = DelayFiling.objects.filter(status=DelayStatus.DELIVERED)
    assert delivered.exists()
    for filing in delivered:
        delivered_event = filing.events.get(kind="delivered")
        assert filing.delivered_on <= delivered_event.at.astimezone(beijing).date()
