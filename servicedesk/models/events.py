"""The one shape of a history row: who (`actor`, none for the system), when (`at`), what
(`kind`, a step of the record's flow), why (`reason`) and the particulars (`data`, e.g.
`{"from": "new", "to": "in_progress"}` for a change of status).

Abstract: each capability keeps its own table (case timeline, SLA events, registration
history, filing timelines) with its owner's foreign key, its own `kind` choices and its
constraints; one partial (`templates/partials/history.html`) and one serializer
(`servicedesk.api.events.EventSerializer`) read every one of them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    # Each table narrows this to its own choices (and checks them where it did before).
    kind = models.CharField(_("kind"), max_length=20)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @property
    def change(self) -> tuple[Any, Any] | None:
        """(from, to) when the step moved a value (a status, a grade), else None."""
        data = self.data or {}
        if "from" in data or "to" in data:
            return data.get("from", ""), data.get("to", "")
        return None


def change_data(from_value: Any, to_value: Any, **data: Any) -> dict[str, Any]:
    """`data` of a step that moved a value from `from_value` to `to_value` (an empty side is
    left out: an opening has no "from")."""
    if from_value not in ("", None):
        data["from"] = from_value
    if to_value not in ("", None):
        data["to"] = to_value
    return data
