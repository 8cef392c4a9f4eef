"""Streamlit router of the barometer app: `streamlit run app/main.py`.

The sidebar holds the language switch (``st.session_state["lang"]``); pages read published
tables only, through the cached queries in `app/data.py`. When `.streamlit/secrets.toml` has an
``[auth]`` section (an OIDC provider), every page requires ``st.login`` first.
"""

import streamlit as st
from i18n import LANGS, t

st.set_page_config(page_title="Social Trust Barometer", page_icon="📊", layout="wide")


def _keep_language() -> None:
    st.session_state["language"] = st.session_state["lang"]


# The widget key "lang" is re-seeded from the plain key "language" on every run, so the choice
# survives page switches (Streamlit drops a widget's state when a run does not render it).
st.session_state["lang"] = st.session_state.get("language", "en")
st.sidebar.radio(
    "Language / Språk",
    options=list(LANGS),
    format_func=LANGS.get,
    key="lang",
    horizontal=True,
    on_change=_keep_language,
)


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


if _auth_configured():
    if not st.user.get("is_logged_in", False):
        st.title(t("app_title"))
        st.info(t("login_needed"))
        st.button(t("login"), on_click=st.login, key="login")
        st.stop()
    st.sidebar.button(t("logout"), on_click=st.logout, key="logout")

PAGES = [  # (script, title key, Material icon, URL path)
    ("pages/overview.py", "nav_overview", "map", "overview"),
    ("pages/trends.py", "nav_trends", "show_chart", "trends"),
    ("pages/drivers.py", "nav_drivers", "explore", "drivers"),
    ("pages/impact.py", "nav_impact", "target", "impact"),
    ("pages/models.py", "nav_models", "balance", "models"),
    ("pages/quality.py", "nav_quality", "fact_check", "quality"),
]
pages = [
    st.Page(script, title=t(title), icon=f":material/{icon}:", url_path=path, default=i == 0)
    for i, (script, title, icon, path) in enumerate(PAGES)
]
st.navigation(pages).run()
