"""Admin for the shared kernel, one module per sub-domain."""

from . import calendars, notifications, org

__all__ = ["calendars", "notifications", "org"]
