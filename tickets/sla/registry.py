"""What the SLA package contributes to the kernel (servicedesk.registry): the minute sweep
on Celery beat, watched by the health page."""

from servicedesk.registry import registry
from tickets.sla.tasks import SWEEP_HEARTBEAT, sla_sweep_task

registry.periodic_job("sla-sweep", task=sla_sweep_task.name, schedule=60.0, expires=55)
registry.watched_job(SWEEP_HEARTBEAT, max_age_seconds=180)
