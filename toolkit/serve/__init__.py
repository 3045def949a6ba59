"""Serve: the live-reload server of `journey serve`."""
