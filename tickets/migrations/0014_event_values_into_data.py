"""The five event tables take the shape of `servicedesk.models.events.Event` (step 2 of 3):
move the values, set-based (one UPDATE per column, whatever the row count).

- case events: `from_value` / `to_value` → `data["from"]` / `data["to"]` (only when set);
- feedback events: `from_status` / `to_status` → `data["from"]` / `data["to"]`, `note` →
  `reason`;
- SLA events: `detail` → `reason`.

The reverse moves them back (and takes "from" / "to" out of `data`)."""

from django.db import migrations

# (model, old column, data key); the table names come from the historical models.
CHANGES = [
    ("CaseEvent", "from_value", "from"),
    ("CaseEvent", "to_value", "to"),
    ("FeedbackEvent", "from_status", "from"),
    ("FeedbackEvent", "to_status", "to"),
]
TEXTS = [("FeedbackEvent", "note"), ("SlaEvent", "detail")]


def _json_put(vendor: str, key: str, column: str) -> str:
    if vendor == "postgresql":
        return f"data = data || jsonb_build_object('{key}', {column})"
    return f"data = json_set(data, '$.{key}', {column})"


def _json_take(vendor: str, key: str) -> tuple[str, str]:
    """(the value of `key` as text, '' when absent; `data` without `key`)."""
    if vendor == "postgresql":
        return f"COALESCE(data ->> '{key}', '')", f"data = data - '{key}'"
    return f"COALESCE(json_extract(data, '$.{key}'), '')", f"data = json_remove(data, '$.{key}')"


def _table(apps, schema_editor, model: str) -> str:
    return schema_editor.quote_name(apps.get_model("tickets", model)._meta.db_table)


# The SQL below is built from the constants above and the models' table names only.


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for model, column, key in CHANGES:
            cursor.execute(
                f"UPDATE {_table(apps, schema_editor, model)} "  # noqa: S608
                f"SET {_json_put(vendor, key, column)} WHERE {column} <> ''"
            )
        for model, column in TEXTS:
            cursor.execute(
                f"UPDATE {_table(apps, schema_editor, model)} SET reason = {column} "  # noqa: S608
                f"WHERE {column} <> ''"
            )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for model, column, key in CHANGES:
            value, remove = _json_take(vendor, key)
            cursor.execute(
                f"UPDATE {_table(apps, schema_editor, model)} SET {column} = {value}, "  # noqa: S608
                f"{remove}"
            )
        for model, column in TEXTS:
            cursor.execute(
                f"UPDATE {_table(apps, schema_editor, model)} SET {column} = reason, "  # noqa: S608
                f"reason = ''"
            )


class Migration(migrations.Migration):

    dependencies = [("tickets", "0013_event_columns_add")]

    operations = [migrations.RunPython(forward, backward)]
