"""Benchmarks, run as modules: `DEBUG=1 .venv/bin/python -m bench.calendar_bench`."""
