"""Typed, cached report functions: simple hashable arguments in, polars frames out."""
