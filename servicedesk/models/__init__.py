from .api import IdempotencyKey
from .calendars import BusinessCalendar, OfficialDay, OfficialYear, Weekday, WorkingPeriod
from .health import Heartbeat
from .notifications import DigestStatus, Notification, NotificationDigest
from .org import Company, Department, StaffProfile, Team

__all__ = [
    "BusinessCalendar",
    "Company",
    "Department",
    "DigestStatus",
    "Heartbeat",
    "IdempotencyKey",
    "Notification",
    "NotificationDigest",
    "OfficialDay",
    "OfficialYear",
    "StaffProfile",
    "Team",
    "Weekday",
    "WorkingPeriod",
]
