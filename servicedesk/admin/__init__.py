"""Admin for the shared kernel, one module per sub-domain."""

from . import calendars, org

__all__ = ["calendars", "org"]
