"""Demo data for `make run` and the benchmarks: a believable service center, months of
contacts and cases, filings in every state and a live SLA picture. Kept outside the apps:
nothing in servicedesk, tickets, complaints, reporting or staffing imports it."""
