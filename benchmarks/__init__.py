"""Benchmarks of the journey toolkit: a synthetic project generator and a timing harness."""
