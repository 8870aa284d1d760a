"""Live dashboards, monthly report snapshots and file exports."""
