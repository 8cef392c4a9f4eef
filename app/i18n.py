"""The app's one translation table: every label in English and Swedish.

Pages call ``t("key")`` (or ``t("key", name=...)`` for labels with placeholders); the language
is the sidebar's choice in ``st.session_state["lang"]``. Indicator names come from the published
catalogue (``label_en`` / ``label_sv``); :func:`indicator_label` covers the names it lacks.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

LANGS = {"en": "English", "sv": "Svenska"}

TEXT: dict[str, tuple[str, str]] = {
    # key: (English, Swedish)
    "app_title": ("Social Trust Barometer", "Social tillitsbarometer"),
    "language": ("Language / Språk", "Språk / Language"),
    "nav_overview": ("Overview", "Översikt"),
    "nav_trends": ("Trends", "Trender"),
    "nav_drivers": ("Drivers", "Drivkrafter"),
    "nav_impact": ("Impact", "Effekter"),
    "nav_models": ("Models & fairness", "Modeller & rättvisa"),
    "nav_quality": ("Data quality", "Datakvalitet"),
    "login_needed": (
        "This barometer is for signed-in staff. Sign in to continue.",
        "Barometern är för inloggad personal. Logga in för att fortsätta.",
    ),
    "login": ("Sign in", "Logga in"),
    "logout": ("Sign out", "Logga ut"),
    # empty states and errors
    "no_warehouse": (
        "Build the sample municipality's barometer with",
        "Bygg barometern för exempelkommunen med",
    ),
    "no_warehouse_after": (
        "(or `make demo`), then reload this page.",
        "(eller `make demo`) och ladda sedan om sidan.",
    ),
    "no_index": (
        "The barometer has no index values yet: every cell is suppressed or missing.",
        "Barometern har inga indexvärden än: alla celler är undertryckta eller saknas.",
    ),
    "not_published": (
        "Nothing published for this selection: {what}. Cells below the minimum size are "
        "suppressed, and a table appears after a pipeline run that produces it.",
        "Inget publicerat för detta urval: {what}. Celler under minsta storlek undertrycks, "
        "och en tabell visas efter en körning som tar fram den.",
    ),
    "read_error": ("Could not read the barometer: {error}", "Kunde inte läsa barometern: {error}"),
    "nothing_selected": ("Choose at least one neighbourhood.", "Välj minst ett område."),
    # shared widgets
    "month": ("Month", "Månad"),
    "neighbourhood": ("Neighbourhood", "Område"),
    "neighbourhoods_4": ("Neighbourhoods (up to four)", "Områden (högst fyra)"),
    "indicator": ("Indicator", "Indikator"),
    "download_csv": ("Download CSV", "Ladda ner CSV"),
    "value": ("Value", "Värde"),
    "lower": ("Lower", "Nedre"),
    "upper": ("Upper", "Övre"),
    "interval": ("95% interval", "95 % intervall"),
    "source": ("Source", "Källa"),
    "rows": ("Rows", "Rader"),
    "no_value": ("no value", "inget värde"),
    # overview
    "index": ("Index", "Index"),
    "rank": ("Rank (interval)", "Rang (intervall)"),
    "map_caption": (
        "{label} ({unit}), {month}. Method: {method}. Intervals are 95%; the map colours the "
        "central value.",
        "{label} ({unit}), {month}. Metod: {method}. Intervallen är 95 %; kartan färgar det "
        "centrala värdet.",
    ),
    "legend": (
        "Legend: {bins} (dark purple = lowest trust, yellow = highest); grey = no value.",
        "Teckenförklaring: {bins} (mörklila = lägst tillit, gul = högst); grått = inget värde.",
    ),
    "kpis": ("Key figures for {name}", "Nyckeltal för {name}"),
    "kpi_help": (
        "Latest value at or before the chosen month, its 95% interval, and the change from the "
        "previous published value ({previous}) with an approximate 95% interval.",
        "Senaste värde till och med vald månad, dess 95 % intervall och förändringen från "
        "föregående publicerade värde ({previous}) med ett ungefärligt 95 % intervall.",
    ),
    "kpi_interval": (
        "{month} · interval {lower} to {upper}",
        "{month} · intervall {lower} till {upper}",
    ),
    "kpi_change": ("{change} ({lower} to {upper})", "{change} ({lower} till {upper})"),
    "no_kpis": (
        "No published values for this neighbourhood yet.",
        "Inga publicerade värden för området än.",
    ),
    "alerts": ("Active alerts", "Aktiva larm"),
    "alerts_help": (
        "Alerts dated in the three months up to {month}: significant rises and declines, and "
        "change points.",
        "Larm daterade de tre månaderna fram till {month}: signifikanta ökningar och "
        "minskningar samt brytpunkter.",
    ),
    "no_alerts": ("No alerts in these three months.", "Inga larm under dessa tre månader."),
    "kind": ("Kind", "Typ"),
    "message": ("Message", "Meddelande"),
    "kind_rise": ("rise", "ökning"),
    "kind_decline": ("decline", "minskning"),
    "kind_change_point": ("change point", "brytpunkt"),
    "trend": ("Trend", "Trend"),
    "trend_caption": (
        "Shaded bands: 95% intervals. Dashed lines: intercultural actions starting.",
        "Skuggade band: 95 % intervall. Streckade linjer: interkulturella insatser startar.",
    ),
    "brief": ("Printable brief for {name} (HTML)", "Utskrivbar sammanfattning för {name} (HTML)"),
    "brief_title": ("Neighbourhood brief: {name}", "Områdesrapport: {name}"),
    "brief_note": (
        "Aggregates only, small cells suppressed. Intervals are 95%. Printed from the Social "
        "Trust Barometer, run {run}.",
        "Endast aggregat, små celler undertryckta. Intervallen är 95 %. Utskrivet från den "
        "sociala tillitsbarometern, körning {run}.",
    ),
    # trends
    "trends_compare": ("Compare neighbourhoods", "Jämför områden"),
    "trends_caption": (
        "Bands: 95% intervals. Dashed lines: actions starting. Triangles: alerts (change "
        "points, significant rises or declines); hover for the message.",
        "Band: 95 % intervall. Streckade linjer: insatser startar. Trianglar: larm (brytpunkter, "
        "signifikanta ökningar eller minskningar); håll muspekaren över för meddelandet.",
    ),
    "sources": ("Sources side by side", "Källorna sida vid sida"),
    "sources_help": (
        "Each panel is one source in its own units. **Sources disagree** in a month when one "
        "source places the neighbourhood clearly on the more-trusting side of that month's "
        "median across neighbourhoods (its 95% interval wholly above it, or below for "
        "indicators where higher means less trust) while another places it clearly on the "
        "less-trusting side. Such months are marked with a red rule and listed below: read "
        "them with care.",
        "Varje panel är en källa i sina egna enheter. **Källorna är oeniga** en månad då en "
        "källa placerar området tydligt på den mer tillitsfulla sidan av månadens median över "
        "områdena (hela 95 % intervallet över den, eller under för indikatorer där högre "
        "betyder mindre tillit) medan en annan placerar det tydligt på den mindre tillitsfulla "
        "sidan. Sådana månader markeras med en röd linje och listas nedan: tolka dem varsamt.",
    ),
    "disagree": ("Sources disagree", "Källorna är oeniga"),
    "disagree_months": ("Months where sources disagree", "Månader då källorna är oeniga"),
    "no_disagreement": (
        "The sources do not disagree in any month for this selection.",
        "Källorna är inte oeniga någon månad för detta urval.",
    ),
    "position": ("Position vs median", "Läge mot median"),
    "above": ("more trusting", "mer tillitsfull"),
    "below": ("less trusting", "mindre tillitsfull"),
    "level": ("not distinguishable", "går ej att skilja"),
    "no_sources": (
        "No source series published for this selection.",
        "Inga källserier publicerade för detta urval.",
    ),
    # drivers
    "themes": (
        "Themes: share of authors' posts and change",
        "Teman: andel av inläggen och förändring",
    ),
    "hostility": ("Hostility by target group", "Fientlighet per målgrupp"),
    "rumours": ("Rumour prevalence", "Förekomst av rykten"),
    "word_shift": ("Terms that shifted most", "Ord som ändrats mest"),
    "word_shift_help": (
        "Share of authors using a term in the recent period against the period before "
        "(aggregates above the suppression threshold only; no post is shown). Blue: used more, "
        "orange: used less.",
        "Andel skribenter som använder ett ord under den senaste perioden jämfört med perioden "
        "innan (endast aggregat över undertryckningsgränsen; inga inlägg visas). Blått: används "
        "mer, orange: används mindre.",
    ),
    "shift": ("Shift (share points)", "Förändring (andelsenheter)"),
    "term": ("Term", "Ord"),
    "change": ("Change", "Förändring"),
    "more": ("more", "mer"),
    "less": ("less", "mindre"),
    "change_caption": (
        "Change from the previous published month with an approximate 95% interval.",
        "Förändring från föregående publicerade månad med ett ungefärligt 95 % intervall.",
    ),
    # impact
    "action": ("Action", "Insats"),
    "outcome": ("Outcome", "Utfall"),
    "no_impact": (
        "No impact estimates are published yet.",
        "Inga effektskattningar är publicerade än.",
    ),
    "estimates": ("Estimates by method", "Skattningar per metod"),
    "summary": ("In plain words", "Med enkla ord"),
    "event_study": (
        "Event study: effect by months since start",
        "Händelsestudie: effekt per månad sedan start",
    ),
    "synth_gap": (
        "Synthetic control: gap to the synthetic comparison, with placebos",
        "Syntetisk kontroll: skillnad mot den syntetiska jämförelsen, med placebo",
    ),
    "event_time": ("Months since start", "Månader sedan start"),
    "effect": ("Effect", "Effekt"),
    "gap": ("Gap", "Skillnad"),
    "treated": ("treated neighbourhood", "område med insats"),
    "placebo": ("placebo (other neighbourhoods)", "placebo (andra områden)"),
    "impact_error": (
        "The impact module could not estimate this: {error}",
        "Effektmodulen kunde inte skatta detta: {error}",
    ),
    "impact_caption": (
        "Bars and bands: 95% intervals. The dashed line marks the start of the action.",
        "Staplar och band: 95 % intervall. Den streckade linjen markerar insatsens start.",
    ),
    # models
    "model_cards": ("Model cards", "Modellkort"),
    "task": ("Model", "Modell"),
    "active": ("active", "aktiv"),
    "metric": ("Metric", "Mått"),
    "per_language": ("Metrics per language", "Mått per språk"),
    "audit": ("Bias audit", "Granskning av snedvridning"),
    "no_audit": (
        "No audit results recorded for this model.",
        "Inga granskningsresultat finns för modellen.",
    ),
    "nowcast": (
        "Nowcast of survey trust: validation",
        "Nulägesskattning av enkättillit: validering",
    ),
    "nowcast_help": (
        "Out-of-sample predictions against the survey waves they did not see; points on the "
        "diagonal are perfect.",
        "Prognoser utanför urvalet mot enkätomgångar de inte sett; punkter på diagonalen är "
        "perfekta.",
    ),
    "observed": ("Observed (survey)", "Observerat (enkät)"),
    "predicted": ("Predicted (nowcast)", "Skattat (nulägesskattning)"),
    # quality
    "coverage": (
        "Coverage: rows per source, neighbourhood and month",
        "Täckning: rader per källa, område och månad",
    ),
    "freshness": ("Freshness", "Aktualitet"),
    "last_run": (
        "Last run finished {when} (code {code}).",
        "Senaste körning klar {when} (kod {code}).",
    ),
    "tasks_not_scored": (
        "The last run could not score {tasks}, so the indicators built on it are missing: {why}",
        "Den senaste körningen kunde inte bedöma {tasks}, så indikatorerna som bygger på det "
        "saknas: {why}",
    ),
    "quarantine": ("Quarantined rows and why", "Rader i karantän och varför"),
    "reason": ("Reason", "Orsak"),
    "suppressed": (
        "Suppressed cells (below the minimum cell size)",
        "Undertryckta celler (under minsta cellstorlek)",
    ),
    "outages": (
        "Sensor outages: flagged hours per neighbourhood and month",
        "Sensoravbrott: flaggade timmar per område och månad",
    ),
    "no_outages": ("No sensor hours were flagged.", "Inga sensortimmar flaggades."),
    "unassigned": ("(no neighbourhood)", "(inget område)"),
    "first_month": ("First month", "Första månad"),
    "latest_month": ("Latest month", "Senaste månad"),
    "n_effective": ("Effective n", "Effektivt n"),
    "heatmap_caption": (
        "Darker = fewer rows; numbers are the row counts; blank = no rows.",
        "Mörkare = färre rader; talen är antalet rader; tomt = inga rader.",
    ),
}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
}  # fmt: skip

DIMENSIONS = {
    "composite": ("Social Trust Index", "Socialt tillitsindex"),
    "survey": ("Survey", "Enkät"),
    "digital": ("Digital", "Digitalt"),
    "sensing": ("Sensing", "Sensorer"),
    "observation": ("Observation", "Observation"),
    "social": ("Social media", "Sociala medier"),
    "sensing_ok_hours": ("Sensor hours (ok)", "Sensortimmar (ok)"),
    "sensing_flagged_hours": ("Sensor hours (flagged)", "Sensortimmar (flaggade)"),
}

# Indicators the lead publishes beyond the catalogue (labels until the catalogue has them).
EXTRA_INDICATORS = {
    "nowcast_ppltrst": (
        "Generalised trust (nowcast, 0-10)",
        "Generell tillit (nulägesskattning, 0-10)",
    ),
    "digital_rumour_share": (
        "Posts repeating a rumour (share)",
        "Inlägg som sprider rykten (andel)",
    ),
    "digital_hostility_share": ("Hostile posts (share)", "Fientliga inlägg (andel)"),
}
THEME = ("Theme: {name} (share)", "Tema: {name} (andel)")
HOSTILITY = ("Hostility towards {name} (share)", "Fientlighet mot {name} (andel)")
RUMOUR = ("Rumour: {name} (share)", "Rykte: {name} (andel)")


def lang() -> str:
    """The chosen language code: ``"en"`` or ``"sv"``."""
    value = st.session_state.get("lang") or st.session_state.get("language", "en")
    return value if value in LANGS else "en"


def _pick(pair: tuple[str, str]) -> str:
    return pair[0] if lang() == "en" else pair[1]


def t(key: str, **values: object) -> str:
    """The label ``key`` in the chosen language, with ``{placeholders}`` filled in."""
    text = _pick(TEXT[key])
    return text.format(**values) if values else text


def month(day: date, short: bool = False) -> str:
    """``December 2025`` / ``december 2025`` (``2025-12`` when ``short``)."""
    if short:
        return f"{day:%Y-%m}"
    return f"{MONTHS[lang()][day.month - 1]} {day.year}"


def kind_label(kind: str) -> str:
    """An alert's kind (rise, decline, change_point) in the chosen language."""
    key = f"kind_{kind}"
    return t(key) if key in TEXT else str(kind)


def dimension(name: str) -> str:
    return _pick(DIMENSIONS.get(name, (name, name)))


def indicator_label(name: str, labels: dict[str, tuple[str, str]]) -> str:
    """A readable label: from the catalogue (``labels``), else from the name's pattern."""
    if name in labels:
        return _pick(labels[name])
    if name in EXTRA_INDICATORS:
        return _pick(EXTRA_INDICATORS[name])
    for prefix, pattern in (
        ("digital_theme_", THEME),
        ("digital_hostility_", HOSTILITY),
        ("digital_rumour_", RUMOUR),
    ):
        if name.startswith(prefix) and name.endswith("_share"):
            inner = name.removeprefix(prefix).removesuffix("_share").replace("_", " ")
            return _pick(pattern).format(name=inner)
    return name
