"""Streamlit router of the barometer app: `streamlit run app/main.py`.

The page scripts live in `app/views/` (not `pages/`, so Streamlit never runs one on its own,
outside this router). When `.streamlit/secrets.toml` has an ``[auth]`` section (an OIDC
provider), nothing but a "Sign in" button is shown until the user has signed in: the gate runs
here, before `st.navigation`, and again at the top of every page (`ui.warehouse`). The sidebar
holds the language switch (``st.session_state["lang"]``); pages read published tables only,
through the cached queries in `app/data.py`.
"""

import data
import streamlit as st
import ui
from i18n import LANGS, t

st.set_page_config(page_title="Social Trust Barometer", page_icon="📊", layout="wide")
# Captions, widget and tile labels in full-contrast ink (Streamlit's faded greys fall below
# WCAG's 4.5:1 on white); tile values and changes wrap instead of being cut ("18.3 p…") in a
# row of five tiles.
st.html(
    "<style>[data-testid='stCaptionContainer'], [data-testid='stMetricLabel'], "
    "[data-testid='stWidgetLabel'] p, [data-testid='stMetricLabel'] p "
    "{color: #3b3b4f !important; opacity: 1 !important;}"
    "[data-testid='stMetricValue'] {font-size: 1.7rem;}"
    "[data-testid='stMetricValue'], [data-testid='stMetricValue'] *, "
    "[data-testid='stMetricDelta'], [data-testid='stMetricDelta'] * {white-space: normal "
    "!important; text-overflow: clip !important; overflow: visible !important; "
    "height: auto !important;}</style>"
)


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

ui.require_sign_in()  # stops here, before any page is routed, until the user has signed in
if ui.auth_configured():
    st.sidebar.button(t("logout"), on_click=st.logout, key="logout")

PAGES = [  # (script, title key, Material icon, URL path)
    ("views/overview.py", "nav_overview", "map", "overview"),
    ("views/trends.py", "nav_trends", "show_chart", "trends"),
    ("views/drivers.py", "nav_drivers", "explore", "drivers"),
    ("views/impact.py", "nav_impact", "target", "impact"),
    ("views/models.py", "nav_models", "balance", "models"),
    ("views/quality.py", "nav_quality", "fact_check", "quality"),
]
pages = [
    st.Page(script, title=t(title), icon=f":material/{icon}:", url_path=path, default=i == 0)
    for i, (script, title, icon, path) in enumerate(PAGES)
]
try:
    st.navigation(pages).run()
finally:
    data.close_snapshot()  # the render is over: the next one reads the newest publish
