"""Complaint grading, handling flow, escalation, penalty rules and the penalty ledger."""
