"""Admin for the shared kernel, one module per sub-domain."""

from . import calendars, exports, notifications, org

__all__ = ["calendars", "exports", "notifications", "org"]
