"""The home page's reading of the overview facts (queries.common.overview)."""

from __future__ import annotations


def active_share(facts: dict) -> float | None:
    """Active customers as a share of all buyers (None without buyers)."""
    return facts["active"] / facts["buyers"] if facts["buyers"] else None
