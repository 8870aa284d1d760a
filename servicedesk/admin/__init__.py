"""Admin for the shared kernel, one module per sub-domain."""

from . import calendars, exports, org

__all__ = ["calendars", "exports", "org"]
