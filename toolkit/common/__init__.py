"""Shared helpers below everything: diagnostics, failures of the machine, languages."""
