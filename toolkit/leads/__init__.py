"""Leads: prospect judgment of real leads with a project's qualification rules."""
