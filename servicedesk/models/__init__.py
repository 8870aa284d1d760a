from .api import IdempotencyKey
from .calendars import BusinessCalendar, OfficialDay, OfficialYear, Weekday, WorkingPeriod
from .exports import ExportLog
from .health import Heartbeat, JobFailure
from .notifications import DigestStatus, Notification, NotificationDigest
from .org import Company, Department, StaffProfile, Team

__all__ = [
    "BusinessCalendar",
    "Company",
    "Department",
    "DigestStatus",
    "ExportLog",
    "Heartbeat",
    "IdempotencyKey",
    "JobFailure",
    "Notification",
    "NotificationDigest",
    "OfficialDay",
    "OfficialYear",
    "StaffProfile",
    "Team",
    "Weekday",
    "WorkingPeriod",
]
