"""Streamlit router of the barometer app: `streamlit run app/main.py`.

Pages read published tables only, through the cached queries in `app/data.py`.
"""

import streamlit as st

st.set_page_config(page_title="Social Trust Barometer", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon="🗺️", default=True),
]
st.navigation(pages).run()
