"""Use cases of the shared kernel that write: staff and roles, heartbeats, the export
log."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from servicedesk.models import Department, ExportLog, Heartbeat, StaffProfile, Team
from servicedesk.roles import Role, group_name
from servicedesk.types import User


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,
    display_name: str,
    employee_no: str,
    role: str,
    department: Department | None = None,
    team: Team | None = None,
    email: str = "",
) -> StaffProfile:
    """A user with a staff profile and the permission group of its role."""
    role = Role(role)
    if team is not None and department is None:
        department = team.department
    user = get_user_model()(username=username, email=email, first_name=display_name)
    user.is_staff = role == Role.ADMINISTRATOR
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    profile = StaffProfile.objects.create(
        user=user,
        employee_no=employee_no,
        display_name=display_name,
        role=role,
        department=department,
        team=team,
    )
    user.groups.add(Group.objects.get(name=group_name(role)))
    return profile


@transaction.atomic
def staff_set_role(*, profile: StaffProfile, role: str) -> StaffProfile:
    """Move a staff member to another role: the role groups follow, other groups stay."""
    role = Role(role)
    user = profile.user
    user.groups.remove(*Group.objects.filter(name__in=[group_name(r) for r in Role]))
    user.groups.add(Group.objects.get(name=group_name(role)))
    is_staff = role == Role.ADMINISTRATOR
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    profile.role = role
    profile.save(update_fields=["role", "updated_at"])
    return profile


def heartbeat_record(*, name: str, now: dt.datetime, worker: str = "") -> None:
    """Record that the named periodic job ran. One conditional UPDATE, an INSERT the first
    time; a concurrent first insert loses the race harmlessly and updates instead."""
    updated = Heartbeat.objects.filter(name=name).update(
        last_run_at=now, runs=F("runs") + 1, worker=worker[:200]
    )
    if updated:
        return
    _, created = Heartbeat.objects.get_or_create(
        name=name, defaults={"last_run_at": now, "runs": 1, "worker": worker[:200]}
    )
    if not created:
        Heartbeat.objects.filter(name=name).update(
            last_run_at=now, runs=F("runs") + 1, worker=worker[:200]
        )


PURGE_JOB = "idempotency-keys-purge"
PURGE_BATCH = 5000


def _purge_batch(ids: list[int]) -> int:
    from servicedesk.models import IdempotencyKey

    deleted, _ = IdempotencyKey.objects.filter(pk__in=ids).delete()
    return deleted


def idempotency_keys_purge(*, older_than: dt.datetime, now: dt.datetime | None = None) -> int:
    """Forget stored API responses older than the retry window. Safe to run twice. Deletes
    by id in batches; a row that cannot be deleted is isolated (`servicedesk.jobs`)."""
    from servicedesk.jobs import JobRun, job_run, row_key
    from servicedesk.models import IdempotencyKey

    def purge(run: JobRun) -> int:
        ids = list(IdempotencyKey.objects.filter(created_at__lt=older_than)
                   .order_by("pk").values_list("pk", flat=True))
        deleted = sum(run.each(ids, lambda batch: _purge_batch(batch),
                               key=lambda pk: row_key(IdempotencyKey, pk),
                               batch_size=PURGE_BATCH))
        run.resolve_unseen()
        return deleted

    deleted, _run = job_run(PURGE_JOB, purge, now=now or timezone.now())
    return deleted


def export_log_start(
    *,
    user: User,
    dataset: str,
    fmt: str,
    channel: str,
    filters: dict,
    personal_data_unmasked: bool,
    now: dt.datetime | None = None,
) -> ExportLog:
    """Record an export before its first row goes out: who, when, what, filtered how."""
    return ExportLog.objects.create(
        user=user,
        dataset=dataset,
        format=ExportLog.Format(fmt),
        channel=ExportLog.Channel(channel),
        filters=filters,
        personal_data_unmasked=personal_data_unmasked,
        started_at=now or timezone.now(),
    )


def export_log_finish(*, log: ExportLog, row_count: int, now: dt.datetime | None = None) -> None:
    """Record that the export's last row went out. Only the first call counts."""
    ExportLog.objects.filter(pk=log.pk, finished_at=None).update(
        row_count=row_count, finished_at=now or timezone.now()
    )
    log.row_count = row_count
