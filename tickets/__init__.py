"""Customers, 报备 registrations, the contact log, cases, the SLA clock and surveys."""
