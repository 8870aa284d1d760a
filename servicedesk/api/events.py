"""One serializer for every history row (`servicedesk.models.events.Event`): the case
timeline, the registration history and the filing timelines all answer `at`, `actor`,
`actor_name`, `kind`, `reason` and `data`.

Timelines whose rows had columns of their own before the tables shared one shape keep
those field names as `aliases` (old name → `reason` or `data.<key>`), so API clients read
what they read before: the case timeline's `from_value` / `to_value`, the feedback
timeline's `from_status` / `to_status` / `note`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from servicedesk.api.fields import DateTimeField
from servicedesk.presenters import person_name


class EventSerializer(serializers.Serializer):
    at = DateTimeField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_name = serializers.SerializerMethodField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    # DRF's metaclass moves declared fields off the class: no clash with Serializer.data
    data = serializers.JSONField()  # type: ignore[assignment]

    def __init__(self, *args: Any, aliases: dict[str, str] | None = None, **kwargs: Any):
        self.aliases = aliases or {}
        super().__init__(*args, **kwargs)

    def get_actor_name(self, event) -> str | None:
        return person_name(event.actor) if event.actor is not None else None

    def to_representation(self, event) -> dict[str, Any]:
        row = super().to_representation(event)
        for name, source in self.aliases.items():
            if source.startswith("data."):
                row[name] = (event.data or {}).get(source.removeprefix("data."), "")
            else:
                row[name] = row[source]
        return row

