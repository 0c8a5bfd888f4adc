"""Benchmarks runnable as ``python -m benchmarks.<name>`` (no Django needed)."""
