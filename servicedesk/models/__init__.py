from .api import IdempotencyKey
from .calendars import BusinessCalendar, OfficialDay, OfficialYear, Weekday, WorkingPeriod
from .health import Heartbeat
from .org import Company, Department, StaffProfile, Team

__all__ = [
    "BusinessCalendar",
    "Company",
    "Department",
    "Heartbeat",
    "IdempotencyKey",
    "OfficialDay",
    "OfficialYear",
    "StaffProfile",
    "Team",
    "Weekday",
    "WorkingPeriod",
]
