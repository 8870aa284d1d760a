"""Masked display of personal data for staff who may not see it in full.

Whoever holds `servicedesk.view_personal_data` sees phone and ID numbers unmasked.
"""

from __future__ import annotations

from servicedesk.types import AnyUser

PERSONAL_DATA_PERMISSION = "servicedesk.view_personal_data"


def can_see_personal_data(user: AnyUser) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        PERSONAL_DATA_PERMISSION
    )


def mask_phone(value: str) -> str:
    """`138****5678` for a mobile; `010-******78` for a landline (area code and the last
    two digits stay, an extension is masked too). Anything else keeps its last 4."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit() and value.startswith("1"):
        return f"{value[:3]}****{value[-4:]}"
    parts = value.split("-")
    if len(parts) in (2, 3) and value[0] == "0" and all(p.isdigit() for p in parts):
        area, number, *extension = parts
        masked = [area, "*" * (len(number) - 2) + number[-2:], *("*" * len(e) for e in extension)]
        return "-".join(masked)
    return _mask_keeping(value, head=0, tail=4)


def mask_id_number(value: str) -> str:
    """`110105********123X`: the first 6 (region) and last 4 characters stay."""
    if not value:
        return ""
    return _mask_keeping(value, head=6, tail=4)


def _mask_keeping(value: str, *, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]
