"""The hourly job: registered with the kernel (`servicedesk.registry.periodic_job`, so on
Celery beat by its name, with an expiry), a thin task that runs the check for the current
and the previous Beijing month."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from complaints.checks.models import PersonMonthCheck
from complaints.checks.tasks import person_checks_task
from servicedesk.months import month_of, month_shift
from servicedesk.registry import registry
from tests.complaints.checks.factories import bj, complaints_for, person_in


def test_the_job_is_registered_with_the_kernel_and_on_beat():
    entry = registry.beat_schedule()["person-checks"]
    assert entry == {"task": person_checks_task.name, "schedule": 3600.0,
                     "options": {"expires": 3000}}
    assert django_settings.CELERY_BEAT_SCHEDULE["person-checks"] == entry
    assert person_checks_task.name == "complaints.checks.tasks.person_checks_task"


@pytest.mark.django_db
def test_the_task_flags_this_month_and_last_month():
    now = timezone.now()
    this_month = month_of(now)
    last_month = month_shift(this_month, -1)
    now_person, last_person = person_in(), person_in()
    # the month's first minutes (Beijing): what counts is the month, not whether it is past
    complaints_for(now_person, 3, month_day=bj(this_month.year, this_month.month, 1, 0, 1))
    complaints_for(last_person, 3, month_day=bj(last_month.year, last_month.month, 28, 8))
    summary = person_checks_task()
    assert summary.count("flagged=1") == 2
    assert set(PersonMonthCheck.objects.values_list("person_id", "month")) == {
        (now_person.pk, this_month), (last_person.pk, last_month)}
    assert person_checks_task().count("flagged=0") == 2
