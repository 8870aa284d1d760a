"""How people and their personal data are shown, the same on pages, in the API, the admin
and exports: one function per concern.

- Phone and ID numbers: whoever holds `servicedesk.view_personal_data` sees them in full,
  anyone else (and no one: an anonymous or missing viewer) masked: `phone_for`,
  `id_number_for`, or `personal_data_for` where many rows are shown to one viewer.
- A person (a staff user): `person_name`, the first name, else the user name.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.types import AnyUser

PERSONAL_DATA_PERMISSION = "servicedesk.view_personal_data"


def can_see_personal_data(user: AnyUser) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        PERSONAL_DATA_PERMISSION
    )


@dataclass(frozen=True)
class PersonalData:
    """Phone and ID numbers as one viewer sees them, decided once for a list or an export."""

    unmasked: bool

    def phone(self, value: str | None) -> str:
        return (value or "") if self.unmasked else mask_phone(value or "")

    def id_number(self, value: str | None) -> str:
        return (value or "") if self.unmasked else mask_id_number(value or "")


def personal_data_for(user) -> PersonalData:
    return PersonalData(unmasked=can_see_personal_data(user))


def phone_for(user, value: str | None, *, typed: str = "") -> str:
    """`value` in full if `user` may see personal data, else masked (`138****5678`) —
    unless `typed` is that same number (normalised): the agent on the call typed it, so
    showing it back reveals nothing they do not know."""
    if typed and value and typed == value:
        return value
    return personal_data_for(user).phone(value)


def id_number_for(user, value: str | None) -> str:
    """`value` in full if `user` may see personal data, else masked (`110105********123X`)."""
    return personal_data_for(user).id_number(value)


def person_name(user) -> str:
    """A person's display name: the first name (staff are created with their display name
    as first name), else the user name; "" for no one."""
    if user is None:
        return ""
    return person_name_from(user.first_name, user.get_username())


def person_name_from(first_name: str | None, username: str | None) -> str:
    """`person_name` from the two stored values (a `values_list` export row)."""
    return first_name or username or ""


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
