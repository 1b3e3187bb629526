"""Proxima's benchmark: `make bench` (python -m bench.run) measures pages and API under load."""
