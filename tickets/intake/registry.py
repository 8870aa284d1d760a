"""What the intake package contributes to the kernel (servicedesk.registry)."""

from django.utils.translation import gettext_lazy as _

from servicedesk.registry import registry

registry.nav_entry(_("Incoming call"), "tickets:incoming", permission="tickets.add_customer",
                   order=100)
