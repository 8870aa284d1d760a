from .api import IdempotencyKey
from .calendars import BusinessCalendar, OfficialDay, OfficialYear, Weekday, WorkingPeriod
from .exports import ExportLog
from .health import Heartbeat
from .org import Company, Department, StaffProfile, Team

__all__ = [
    "BusinessCalendar",
    "Company",
    "Department",
    "ExportLog",
    "Heartbeat",
    "IdempotencyKey",
    "OfficialDay",
    "OfficialYear",
    "StaffProfile",
    "Team",
    "Weekday",
    "WorkingPeriod",
]
