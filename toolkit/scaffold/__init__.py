"""Scaffold: `journey init` project templates."""
