"""Gap-free sequence numbers per period (customer codes per month, case numbers per day)."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F


@transaction.atomic(savepoint=False)
def counter_next(*, model: type[models.Model], **key: Any) -> int:
    """The next number of the counter row `key` of `model` (a model with a primary-key
    period field and `last`). Runs in the caller's transaction: the UPDATE row-locks the
    counter until that transaction ends (PostgreSQL; SQLite's IMMEDIATE transactions hold
    the write lock), so concurrent callers queue up, and a rollback gives the number back.
    A concurrent first insert of the period makes get_or_create read the winner's row."""
    counters = model._default_manager.filter(**key)
    if not counters.update(last=F("last") + 1):
        model._default_manager.get_or_create(**key)
        counters.update(last=F("last") + 1)
    return counters.values_list("last", flat=True).get()
