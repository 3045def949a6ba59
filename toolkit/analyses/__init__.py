"""Analyses: warnings, coverage, diffs and the self-check computed from the graph."""
