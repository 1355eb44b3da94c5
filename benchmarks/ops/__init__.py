"""Benchmark operations, one module per topic; each defines `operations(ctx) -> list[Operation]`
(see benchmarks/harness.py)."""
