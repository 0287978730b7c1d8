"""Retention dashboard library: data layer, metrics, charts and the CLI."""
