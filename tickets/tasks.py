"""The tickets app's Celery tasks, gathered so that `autodiscover_tasks()` (which imports
each app's `tasks` module) registers all of them in the worker."""

from tickets.registration_tasks import registration_expire_task
from tickets.sla_tasks import sla_sweep_task

__all__ = ["registration_expire_task", "sla_sweep_task"]
