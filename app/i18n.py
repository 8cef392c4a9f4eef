"""The app's one translation table: every label in English and Swedish.

Pages call ``t("key")`` (or ``t("key", name=...)`` for labels with placeholders); the language
is the sidebar's choice in ``st.session_state["lang"]``. Indicator names come from the published
catalogue (``label_en`` / ``label_sv``); :func:`indicator_label` covers the names it lacks.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

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
    "interval": ("95% interval", "95 %-intervall"),
    "source": ("Source", "Källa"),
    "rows": ("Rows", "Rader"),
    "no_value": ("no value", "inget värde"),
    # overview
    "index": ("Index", "Index"),
    "rank": ("Rank", "Rang"),
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
        "{label}, {month}: 95% interval {lower} to {upper}. The change is from the previous "
        "published value ({previous}); it is called better or worse only when it is larger "
        "than the uncertainty of the two values.",
        "{label}, {month}: 95 %-intervall {lower} till {upper}. Förändringen är från "
        "föregående publicerade värde ({previous}); den kallas bättre eller sämre bara när den "
        "är större än osäkerheten i de två värdena.",
    ),
    "spark_alt": (
        "Trend from {first_month} to {last_month}: from {first} to {last}; lowest {low}, "
        "highest {high}.",
        "Utvecklingen från {first_month} till {last_month}: från {first} till {last}; lägst "
        "{low}, högst {high}.",
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
        "Alerts from the three months up to {month}: a clear rise or fall against the months "
        "before, a steady trend, or a sudden shift.",
        "Larm från de tre månaderna fram till {month}: en tydlig ökning eller minskning mot "
        "månaderna innan, en stadig trend eller ett plötsligt skifte.",
    ),
    "no_alerts": (
        "No alerts in the three months up to {month}.",
        "Inga larm under de tre månaderna fram till {month}.",
    ),
    "kind": ("Kind", "Typ"),
    "message": ("Message", "Meddelande"),
    "kind_rise": ("rise", "ökning"),
    "kind_decline": ("decline", "minskning"),
    "kind_change_point": ("change point", "brytpunkt"),
    "trend": ("The index month by month", "Indexet månad för månad"),
    "trend_caption": (
        "Bands: 95% intervals. Dashed lines: an intercultural action starts (hover for its name).",
        "Band: 95 %-intervall. Streckade linjer: en interkulturell insats startar (håll "
        "muspekaren över för namnet).",
    ),
    "brief": (
        "Printable brief for {name} (open, then print to PDF)",
        "Utskrivbar sammanfattning för {name} (öppna och skriv ut som PDF)",
    ),
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
        "Band: 95 %-intervall. Streckade linjer: insatser startar. Trianglar: larm (brytpunkter, "
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
        "områdena (hela 95 %-intervallet över den, eller under för indikatorer där högre "
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
    "shift": ("Change (percentage points)", "Förändring (procentenheter)"),
    "term": ("Term", "Ord"),
    "change": ("Change", "Förändring"),
    "more": ("more", "mer"),
    "less": ("less", "mindre"),
    "change_caption": (
        "Change from the previous published month with an approximate 95% interval.",
        "Förändring från föregående publicerade månad med ett ungefärligt 95 %-intervall.",
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
        "Staplar och band: 95 %-intervall. Den streckade linjen markerar insatsens start.",
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
    "quarantine": ("Rows set aside (quarantine) and why", "Bortlagda rader (karantän) och varför"),
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
    "n_effective": ("Based on (effective number)", "Underlag (effektivt antal)"),
    "heatmap_caption": (
        "Darker = fewer rows; numbers are the row counts; blank = no rows.",
        "Mörkare = färre rader; talen är antalet rader; tomt = inga rader.",
    ),
}

TEXT |= {
    "the_model": ("the {task} model", "modellen för {task}"),
    "the_text_model": ("the text model", "textmodellen"),
    "in_language": (" in {language}", " på {language}"),
    # sign-in, banners, shared
    "no_warehouse_at": (
        "No published barometer at {path} yet.",
        "Ingen publicerad barometer i {path} än.",
    ),
    "banner_demo_key": (
        "This barometer was built with the public demo key: anyone can reverse its pseudonyms. "
        "Use it for the sample data only, never for real residents' data.",
        "Barometern är byggd med den offentliga demonyckeln: vem som helst kan räkna tillbaka "
        "dess pseudonymer. Använd den bara för exempeldata, aldrig för riktiga invånares data.",
    ),
    "banner_sources_missing": (
        "The last run had no data from {sources}: the figures that rest on them are missing.",
        "Den senaste körningen fick inga data från {sources}: siffrorna som bygger på dem saknas.",
    ),
    "and": ("and", "och"),
    "choose": ("Choose", "Välj"),
    "how_computed": ("How this is computed, and the numbers", "Så räknas det, och siffrorna"),
    "not_validated": ("Not validated: {reason}.", "Inte validerad: {reason}."),
    "component_not_validated": (
        "it includes {labels}, measured with a text model that is not validated",
        "det bygger på {labels}, som mäts med en textmodell som inte är validerad",
    ),
    "component_short": ("it includes {labels}", "det bygger på {labels}"),
    "not_validated_tile": (
        "Not validated: {models} (hover the ? for why).",
        "Inte validerad: {models} (håll muspekaren över ? för att se varför).",
    ),
    "n_month": ("{n} month", "{n} månad"),
    "n_months": ("{n} months", "{n} månader"),
    "kind_other": ("other", "annat"),
    "better": ("better", "bättre"),
    "worse": ("worse", "sämre"),
    "within_uncertainty": ("within the uncertainty", "inom osäkerheten"),
    "points": ("{n} points", "{n} poäng"),
    "pp": ("{n} percentage points", "{n} procentenheter"),
    "per100_change": ("{n} per 100", "{n} per 100"),
    "unit_index": ("0–100", "0–100"),
    "unit_scale10": ("scale 0–10", "skala 0–10"),
    "unit_share": ("% of authors", "% av skribenterna"),
    "unit_ratio": ("% of the usual level", "% av normal nivå"),
    "unit_per100": ("per 100", "per 100"),
    "unit_other": ("", ""),
    "alert": ("Alert", "Larm"),
    "action": ("Action", "Insats"),
    "starts": ("Starts", "Startar"),
    "dimension": ("Dimension", "Dimension"),
    # headlines
    "hl_no_index": (
        "No neighbourhood has a published index value for {month}.",
        "Inget område har ett publicerat indexvärde för {month}.",
    ),
    "hl_one_area": (
        "In {month}, the Social Trust Index in {name} is {value} of 100.",
        "I {month} är det sociala tillitsindexet i {name} {value} av 100.",
    ),
    "hl_lowest": (
        "In {month}, trust is lowest in {name} ({value} of 100){clearly}{streak}.",
        "I {month} är tilliten lägst i {name} ({value} av 100){clearly}{streak}.",
    ),
    "hl_clearly": (
        ", clearly below every other neighbourhood",
        ", tydligt lägre än i alla andra områden",
    ),
    "hl_not_clearly": (
        ", though not clearly below {other}",
        ", men inte tydligt lägre än i {other}",
    ),
    "hl_fallen": (", and it has fallen {months} in a row", ", och den har sjunkit {months} i rad"),
    "hl_risen": (", and it has risen {months} in a row", ", och den har stigit {months} i rad"),
    "hl_highest": ("It is highest in {name} ({value}).", "Den är högst i {name} ({value})."),
    "hl_trend": (
        "{label}, {months} up to {month}: {parts}.",
        "{label}, {months} fram till {month}: {parts}.",
    ),
    "hl_trend_down": ("fell in {areas}", "sjönk i {areas}"),
    "hl_trend_up": ("rose in {areas}", "steg i {areas}"),
    "hl_trend_flat": ("no clear change in {areas}", "ingen tydlig förändring i {areas}"),
    "hl_from_to": ("{name} (from {before} to {after})", "{name} (från {before} till {after})"),
    "hl_trend_none": (
        "Too few published months to describe how {label} moved.",
        "För få publicerade månader för att beskriva hur {label} har rört sig.",
    ),
    "alert_recent": (
        "{name}: {label} has {moved} by {size} in the last three months compared with the "
        "months before ({month}).",
        "{name}: {label} har {moved} med {size} de senaste tre månaderna jämfört med "
        "månaderna innan ({month}).",
    ),
    "alert_trend": (
        "{name}: {label} has been {moved_trend} steadily, by about {size} a year ({month}).",
        "{name}: {label} har {moved_trend} stadigt, med ungefär {size} per år ({month}).",
    ),
    "alert_shift": (
        "{name}: {label} {moved_shift} by {size} from {month} on.",
        "{name}: {label} {moved_shift} med {size} från och med {month}.",
    ),
    "alert_up": ("risen", "stigit"),
    "alert_down": ("fallen", "sjunkit"),
    "alert_rising": ("rising", "stigit"),
    "alert_falling": ("falling", "sjunkit"),
    "alert_jump_up": ("jumped up", "steg"),
    "alert_jump_down": ("dropped", "föll"),
    # overview
    "rank_plausible": ("Plausible ranks", "Möjliga placeringar"),
    "index_method": (
        "**How the index is built.** {method} Rank 1 is the most trusting neighbourhood; the "
        "plausible ranks come from recomputing the index under other reasonable choices "
        "(normalisation, weights, one component left out).",
        "**Så byggs indexet.** {method} Rang 1 är området med högst tillit; de möjliga "
        "placeringarna kommer från att indexet räknas om med andra rimliga val "
        "(normalisering, vikter, en komponent utelämnad).",
    ),
    "map_title": ("Social Trust Index, {month}", "Socialt tillitsindex, {month}"),
    "index_legend": ("Social Trust Index (0–100)", "Socialt tillitsindex (0–100)"),
    "sure_heading": (
        "How sure: the width of each 95% interval",
        "Hur säkert: bredden på varje 95 %-intervall",
    ),
    "sure_title": ("How sure (95% interval ±)", "Hur säkert (95 %-intervall ±)"),
    "interval_half": ("95% interval ±", "95 %-intervall ±"),
    "sure_high": ("±{hi} or less", "±{hi} eller mindre"),
    "sure_mid": ("±{lo}–{hi}", "±{lo}–{hi}"),
    "sure_low": ("more than ±{lo}", "mer än ±{lo}"),
    "map_alt": (
        "Map of the Social Trust Index by neighbourhood, {month}; every value is also in the "
        "table under “How this is computed”.",
        "Karta över det sociala tillitsindexet per område, {month}; alla värden finns också i "
        "tabellen under ”Så räknas det”.",
    ),
    "sure_alt": (
        "Map of how sure each neighbourhood's index value is (the half-width of its 95% interval).",
        "Karta över hur säkert varje områdes indexvärde är (halva bredden av dess 95 %-intervall).",
    ),
    "map_caption": (
        "Each area shows its name and index value; hover for the 95% interval. The right-hand "
        "map shows how sure each value is: dark = narrow interval, pale = wide; grey = no "
        "published value (too few people).",
        "Varje område visar namn och indexvärde; håll muspekaren över för 95 %-intervallet. "
        "Kartan till höger visar hur säkert varje värde är: mörkt = smalt intervall, ljust = "
        "brett; grått = inget publicerat värde (för få personer).",
    ),
    "index_axis": ("Index (0–100)", "Index (0–100)"),
    "trend_alt": (
        "Line chart of the index by month for the chosen neighbourhoods, with 95% bands.",
        "Linjediagram över indexet per månad för de valda områdena, med 95 %-band.",
    ),
    "method_line": ("**Method.** {method}", "**Metod.** {method}"),
    "clear_rule": (
        "A change counts as clear when it is larger than the combined uncertainty of the two "
        "values (the half-widths of their 95% intervals, added in quadrature); smaller "
        "changes are reported as no clear change.",
        "En förändring räknas som tydlig när den är större än den sammanlagda osäkerheten i de "
        "två värdena (halva bredden av deras 95 %-intervall, kvadratiskt adderade); mindre "
        "förändringar redovisas som ingen tydlig förändring.",
    ),
    "trends_alt": (
        "Line chart of {label} by month for the chosen neighbourhoods, with 95% bands, actions "
        "and alerts.",
        "Linjediagram över {label} per månad för de valda områdena, med 95 %-band, insatser "
        "och larm.",
    ),
    "source_alt": ("Line chart of {label} by month.", "Linjediagram över {label} per månad."),
    # drivers
    "not_validated_short": ("not validated", "inte validerad"),
    "hl_drivers_where": ("{name}, {month}:", "{name}, {month}:"),
    "hl_top_theme": (
        "the theme most written about is {theme} ({share} of authors).",
        "temat som flest skriver om är {theme} ({share} av skribenterna).",
    ),
    "hl_hostile": (
        "{share} of authors wrote hostile or offensive posts",
        "{share} av skribenterna skrev fientliga eller kränkande inlägg",
    ),
    "hl_not_validated_tail": (
        "(not validated: read with care).",
        "(inte validerat: tolka med försiktighet).",
    ),
    "hl_drivers_none": (
        "{name}, {month}: too few authors for published shares.",
        "{name}, {month}: för få skribenter för publicerade andelar.",
    ),
    "share_of_authors": ("Share of authors", "Andel av skribenterna"),
    "bars_alt": ("Bar chart: {title}.", "Stapeldiagram: {title}."),
    "numbers": ("The numbers", "Siffrorna"),
    "validity": ("Validity", "Validitet"),
    "language_col": ("Language", "Språk"),
    "share_recent": ("Share of authors, recent", "Andel skribenter, senaste"),
    "share_before": ("Share of authors, before", "Andel skribenter, innan"),
    # impact
    "method_did": ("difference-in-differences", "skillnad-i-skillnader"),
    "method_its": ("interrupted time series", "avbruten tidsserie"),
    "method_synth": ("synthetic control", "syntetisk kontroll"),
    "method_cs": ("staggered difference-in-differences", "förskjuten skillnad-i-skillnader"),
    "method_event": ("event study", "händelsestudie"),
    "method_sdid": ("synthetic difference-in-differences", "syntetisk skillnad-i-skillnader"),
    "method_sts": ("structural time series", "strukturell tidsseriemodell"),
    "method_other": ("another method", "en annan metod"),
    "verdict_numbers": (
        "{method}: {estimate}, 95% interval {lower} to {upper}",
        "{method}: {estimate}, 95 %-intervall {lower} till {upper}",
    ),
    "a_rise": ("rise", "ökning"),
    "a_fall": ("fall", "minskning"),
    "moved_up": ("rose", "steg"),
    "moved_down": ("fell", "sjönk"),
    "verdict_agree": (
        "The methods agree: {outcome} {moved} after the action compared with the other "
        "neighbourhoods ({numbers}).",
        "Metoderna är eniga: {outcome} {moved} efter insatsen jämfört med de andra områdena "
        "({numbers}).",
    ),
    "verdict_none": (
        "No method finds a clear change in {outcome} after the action ({numbers}): the change "
        "cannot be told apart from chance.",
        "Ingen metod finner en tydlig förändring i {outcome} efter insatsen ({numbers}): "
        "förändringen går inte att skilja från slumpen.",
    ),
    "verdict_untested": (
        "The methods point to a {direction} in {outcome} after the action ({numbers}), but "
        "{why}, so the barometer does not call it a proven effect. Read it as a likely "
        "{direction} to follow up.",
        "Metoderna pekar på en {direction} i {outcome} efter insatsen ({numbers}), men {why}, "
        "så barometern kallar det inte en belagd effekt. Läs det som en trolig {direction} "
        "att följa upp.",
    ),
    "why_not_calibrated": (
        "no method has been tested on simulated cities for this outcome",
        "ingen metod har prövats på simulerade kommuner för detta utfall",
    ),
    "why_no_method_qualified": (
        "no method passed its test on simulated cities for this outcome",
        "ingen metod klarade sitt prov på simulerade kommuner för detta utfall",
    ),
    "verdict_opposite": (
        "The methods disagree about {outcome}: {agree} point one way, {disagree} the other. "
        "No conclusion can be drawn.",
        "Metoderna är oeniga om {outcome}: {agree} pekar åt ett håll, {disagree} åt det andra. "
        "Ingen slutsats kan dras.",
    ),
    "verdict_partial": (
        "The methods only partly agree about {outcome}: {agree} find a clear {direction} "
        "({numbers}), while {disagree} cannot tell it apart from chance. Read it as a likely "
        "{direction}, not a proven one.",
        "Metoderna är bara delvis eniga om {outcome}: {agree} finner en tydlig {direction} "
        "({numbers}), medan {disagree} inte kan skilja den från slumpen. Läs det som en "
        "trolig {direction}, inte en bevisad.",
    ),
    "verdict_mde": (
        "With this data, effects smaller than about {mde} would probably go unnoticed.",
        "Med dessa data skulle effekter mindre än ungefär {mde} troligen inte upptäckas.",
    ),
    "calibration": (
        "{method}: on {n} simulated cities like this one, its 95% interval covered the true "
        "effect {coverage} of the time.",
        "{method}: i {n} simulerade kommuner som denna täckte dess 95 %-intervall den sanna "
        "effekten {coverage} av gångerna.",
    ),
    "verdict_rule": (
        "**How the methods are reconciled.** Each method compares the neighbourhood of the "
        "action with the others, before and after it started. A method finds a clear effect "
        "when its 95% interval excludes zero and its p-value is below 0.10 (synthetic "
        "control's smallest possible p-value with nine comparison areas). "
        "Difference-in-differences leads, with its most cautious interval (one value per "
        "neighbourhood).",
        "**Så vägs metoderna samman.** Varje metod jämför insatsens område med de andra, före "
        "och efter starten. En metod finner en tydlig effekt när dess 95 %-intervall utesluter "
        "noll och dess p-värde är under 0,10 (det minsta möjliga för syntetisk kontroll med nio "
        "jämförelseområden). Skillnad-i-skillnader leder, med sitt försiktigaste intervall "
        "(ett värde per område).",
    ),
    "verdict_rule_published": (
        "**How the methods are reconciled.** Each method compares the neighbourhood of the "
        "action with the others, before and after it started. Every method was first tried on "
        "simulated cities with a known effect; only those whose 95% interval held the true "
        "effect at least 90% of the time, found an effect in at most 7% of cities without one, "
        "and were not biased get a vote, and the most powerful of them leads. The verdict is "
        "a rise or a fall when the lead's 95% interval excludes zero and no voting method "
        "points the other way.",
        "**Så vägs metoderna samman.** Varje metod jämför insatsens område med de andra, före "
        "och efter starten. Alla metoder prövades först på simulerade kommuner med känd "
        "effekt; bara de vars 95 %-intervall täckte den sanna effekten minst 90 % av gångerna, "
        "som fann en effekt i högst 7 % av kommunerna utan någon och som inte var snedvridna "
        "får rösta, och den med störst styrka leder. Utslaget blir en ökning eller minskning "
        "när den ledande metodens 95 %-intervall utesluter noll och ingen röstande metod "
        "pekar åt andra hållet.",
    ),
    "impact_where": ("{title}, started {start}.", "{title}, startade {start}."),
    "clear_effect": ("clear effect", "tydlig effekt"),
    "not_clear_effect": ("not clear (could be chance)", "inte tydlig (kan vara slump)"),
    "method": ("Method", "Metod"),
    "effect_axis": ("Effect on {label}", "Effekt på {label}"),
    "gap_axis": ("Gap in {label}", "Skillnad i {label}"),
    "methods_alt": (
        "Dot-and-interval chart: each method's estimate of the effect on {label}.",
        "Punkt- och intervalldiagram: varje metods skattning av effekten på {label}.",
    ),
    "event_study_help": (
        "The effect month by month around the start (0 = the first month of the action); "
        "before the start the dots should sit near zero.",
        "Effekten månad för månad kring starten (0 = insatsens första månad); före starten bör "
        "punkterna ligga nära noll.",
    ),
    "event_alt": (
        "Event-study chart of the effect on {label} by months since the start.",
        "Händelsestudie: effekten på {label} per månad sedan starten.",
    ),
    "synth_alt": (
        "Line chart of the gap between the neighbourhood and its synthetic comparison, with "
        "the placebo neighbourhoods.",
        "Linjediagram över skillnaden mellan området och dess syntetiska jämförelse, med "
        "placeboområdena.",
    ),
    "for_researchers": ("For researchers: every estimate", "För forskare: alla skattningar"),
    "inference": ("Inference", "Inferens"),
    "estimand": ("Estimand", "Skattat mått"),
    "p_value": ("p-value", "p-värde"),
    "note": ("Note", "Anmärkning"),
    "inference_collapsed": ("one value per neighbourhood", "ett värde per område"),
    "inference_wild": ("wild cluster bootstrap", "vild klusterbootstrap"),
    "inference_cluster": ("cluster-robust", "klusterrobust"),
    "inference_newey": ("Newey-West", "Newey-West"),
    "inference_placebo": ("placebo neighbourhoods", "placeboområden"),
    "inference_other": ("other", "annan"),
    "estimand_att": ("average effect after the start", "genomsnittlig effekt efter starten"),
    "estimand_level": ("change in level", "nivåförändring"),
    "estimand_slope": ("change in slope (per month)", "lutningsförändring (per månad)"),
    "estimand_mean": ("average gap after the start", "genomsnittlig skillnad efter starten"),
    "estimand_other": ("other", "annat"),
    # models
    "hl_models_all": (
        "All {n} model–language pairs are validated.",
        "Alla {n} kombinationer av modell och språk är validerade.",
    ),
    "hl_models_some": (
        "{bad} of {n} model–language pairs are not validated: {items}. Figures that rest on "
        "them are marked “not validated” across the app.",
        "{bad} av {n} kombinationer av modell och språk är inte validerade: {items}. Siffror "
        "som bygger på dem är märkta ”inte validerad” i hela appen.",
    ),
    "hl_models_none": ("No text models are published.", "Inga textmodeller är publicerade."),
    "hl_models_cards": (
        "{n} text models are in use ({tasks}); their test results per language and bias "
        "audits are below.",
        "{n} textmodeller används ({tasks}); deras testresultat per språk och granskningar av "
        "snedvridning finns nedan.",
    ),
    "language_code": ("the language “{code}”", "språket ”{code}”"),
    "hl_models_grouped": (
        "{bad} of {n} model–language pairs are not validated: {items}. The most common reason: "
        "{reason} ({k} of {bad}). Figures that rest on them are marked “not validated” across "
        "the app; the table below gives every reason.",
        "{bad} av {n} kombinationer av modell och språk är inte validerade: {items}. Det "
        "vanligaste skälet: {reason} ({k} av {bad}). Siffror som bygger på dem är märkta "
        "”inte validerad” i hela appen; tabellen nedan ger alla skäl.",
    ),
    "task_in_n_languages": ("{task} in {n} languages", "{task} på {n} språk"),
    "model_in_language": ("{task} in {language}", "{task} på {language}"),
    "validity_table": ("Validity per model and language", "Validitet per modell och språk"),
    "version": ("Version", "Version"),
    "n_test": ("Test texts", "Testtexter"),
    "functional": ("Functional tests passed", "Klarade funktionstester"),
    "neutral": ("Neutral texts flagged", "Flaggade neutrala texter"),
    "validated": ("Validated", "Validerad"),
    "audit_pass": ("passed", "godkänd"),
    "audit_fail": ("failed", "underkänd"),
    "audit_not_run": ("not run", "inte gjord"),
    "yes": ("yes", "ja"),
    "no": ("no", "nej"),
    "metric_alt": ("Chart of {metric} per language.", "Diagram över {metric} per språk."),
    "audit_english": (
        "Bias audit (the technical report, in English)",
        "Granskning av snedvridning (den tekniska rapporten, på engelska)",
    ),
    "card_english": (
        "Model card (the technical document, in English)",
        "Modellkort (det tekniska dokumentet, på engelska)",
    ),
    "invariance": (
        "Can origin groups be compared on the trust scale?",
        "Går ursprungsgrupper att jämföra på tillitsskalan?",
    ),
    "invariance_holds": (
        "Yes: the trust scale measures the same thing in every origin group ({groups}), so "
        "their averages can be compared.",
        "Ja: tillitsskalan mäter samma sak i alla ursprungsgrupper ({groups}), så deras "
        "medelvärden går att jämföra.",
    ),
    "invariance_fails_configural": (
        "No: the trust questions do not hang together the same way in every origin group "
        "({groups}); comparisons between these groups are not valid.",
        "Nej: tillitsfrågorna hänger inte ihop på samma sätt i alla ursprungsgrupper "
        "({groups}); jämförelser mellan grupperna är inte giltiga.",
    ),
    "invariance_fails_metric": (
        "No: the trust questions weigh differently in different origin groups ({groups}); "
        "comparisons between these groups are not valid.",
        "Nej: tillitsfrågorna väger olika i olika ursprungsgrupper ({groups}); jämförelser "
        "mellan grupperna är inte giltiga.",
    ),
    "invariance_fails_scalar": (
        "Not for averages: the scale's starting points differ between origin groups "
        "({groups}), so comparing their average trust is not valid (changes within a group "
        "can still be compared).",
        "Inte för medelvärden: skalans nollpunkter skiljer sig mellan ursprungsgrupper "
        "({groups}), så att jämföra deras genomsnittliga tillit är inte giltigt (förändringar "
        "inom en grupp går fortfarande att jämföra).",
    ),
    "level_configural": ("same structure (configural)", "samma struktur (konfigural)"),
    "level_metric": ("same weights (metric)", "samma vikter (metrisk)"),
    "level_scalar": ("same starting points (scalar)", "samma nollpunkter (skalär)"),
    "level_col": ("Level", "Nivå"),
    "holds": ("Holds", "Håller"),
    "n_people": ("Respondents", "Svarande"),
    "nowcast_sentence": (
        "Checked against {n} survey waves it had not seen, the nowcast missed the survey by "
        "{rmse} points on average (root mean square error), against {baseline} for simply "
        "using each neighbourhood's average; its 95% intervals held the survey value "
        "{coverage} of the time.",
        "Prövad mot {n} enkätomgångar den inte sett missade nulägesskattningen enkäten med "
        "{rmse} poäng i genomsnitt (kvadratiskt medelfel), mot {baseline} för att bara "
        "använda varje områdes medelvärde; dess 95 %-intervall rymde enkätvärdet {coverage} "
        "av gångerna.",
    ),
    "nowcast_not_fitted": (
        "The nowcast is not fitted yet: it needs at least four survey waves.",
        "Nulägesskattningen är inte anpassad än: den behöver minst fyra enkätomgångar.",
    ),
    "nowcast_alt": (
        "Scatter chart of the nowcast against the survey values it did not see.",
        "Punktdiagram över nulägesskattningen mot enkätvärden den inte sett.",
    ),
    # quality
    "hl_quality": (
        "The last run ({when}) holds {held}.",
        "Den senaste körningen ({when}) innehåller {held}.",
    ),
    "hl_quarantine": (
        "{n} rows were set aside because they could not be read, most often because of {reason}.",
        "{n} rader lades åt sidan för att de inte gick att läsa, oftast på grund av {reason}.",
    ),
    "count_posts": ("{n} posts", "{n} inlägg"),
    "count_survey_responses": ("{n} survey answers", "{n} enkätsvar"),
    "count_sensor_readings": ("{n} sensor hours", "{n} sensortimmar"),
    "count_observations": ("{n} observation sessions", "{n} observationstillfällen"),
    "reason_time": (
        "a missing or unreadable date or time",
        "ett saknat eller oläsligt datum eller klockslag",
    ),
    "reason_json": ("a line that is not valid JSON", "en rad som inte är giltig JSON"),
    "reason_no_text": ("a post without text", "ett inlägg utan text"),
    "reason_no_id": ("a row without an identifier", "en rad utan identitet"),
    "reason_range": ("a value outside the allowed range", "ett värde utanför tillåtna gränser"),
    "reason_unknown_code": (
        "a code that is not in the codebook or site list",
        "en kod som inte finns i kodboken eller platslistan",
    ),
    "reason_inconsistent": (
        "numbers or times that contradict each other",
        "siffror eller tider som motsäger varandra",
    ),
    "reason_duplicate": ("a duplicate", "en dubblett"),
    "reason_missing": ("a missing value", "ett saknat värde"),
    "reason_other": ("another reading error", "ett annat läsfel"),
    "reason_detail": ("Detail", "Detalj"),
    "unplaced": (
        "{n} rows ({share}) could not be placed in a neighbourhood; they are left out of the "
        "map below so that they do not swamp its scale.",
        "{n} rader ({share}) gick inte att placera i ett område; de är utelämnade ur kartan "
        "nedan så att de inte dominerar skalan.",
    ),
    "heatmap_alt": (
        "Heat map of rows per neighbourhood and month.",
        "Värmekarta över rader per område och månad.",
    ),
    "quarantine_alt": (
        "Bar chart of set-aside rows by reason.",
        "Stapeldiagram över bortlagda rader per orsak.",
    ),
    "runs_table": ("Every run", "Alla körningar"),
    "run": ("Run", "Körning"),
    "started": ("Started", "Startade"),
    "finished": ("Finished", "Klar"),
    "code_version": ("Code version", "Kodversion"),
    "no_quarantine": ("No rows were set aside.", "Inga rader lades åt sidan."),
    "file": ("File", "Fil"),
    "field": ("Field", "Fält"),
    "cells": ("Cells", "Celler"),
    "suppressed_cells": ("Suppressed", "Undertryckta"),
    "share": ("Share", "Andel"),
    "brief_trend": ("{name}, month by month", "{name}, månad för månad"),
}

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
}  # fmt: skip
MONTHS_SHORT = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
}  # fmt: skip

DIMENSIONS = {
    "composite": ("Social Trust Index", "Socialt tillitsindex"),
    "survey": ("Survey", "Enkät"),
    "digital": ("Digital", "Digitalt"),
    "sensing": ("Sensing", "Sensorer"),
    "observation": ("Observation", "Observation"),
    "social": ("Social media", "Sociala medier"),
    "x": ("X (Twitter)", "X (Twitter)"),
    "mastodon": ("Mastodon", "Mastodon"),
    "reddit": ("Reddit", "Reddit"),
    "telegram": ("Telegram", "Telegram"),
    "crowdtangle": ("CrowdTangle (Facebook, Instagram)", "CrowdTangle (Facebook, Instagram)"),
    "tabular": ("Posts from a table file", "Inlägg från en tabellfil"),
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


_LAST = ["en"]  # the language of the last script run (see :func:`lang`)
_FORCED: list[str] = []  # a language forced by :func:`using` (tests, the printable brief)
THIN = "\u202f"  # narrow no-break space: Swedish thousands separator and "12 %"
MINUS = "\u2212"


def lang() -> str:
    """The chosen language code: ``"en"`` or ``"sv"``."""
    if _FORCED:
        return _FORCED[-1]
    if get_script_run_ctx(suppress_warning=True) is None:
        # outside a script run (a widget's format_func called by AppTest, a plain script):
        # the language of the last run in this process
        return _LAST[0]
    value = st.session_state.get("lang") or st.session_state.get("language", "en")
    _LAST[0] = value if value in LANGS else "en"
    return _LAST[0]


@contextmanager
def using(code: str) -> Iterator[None]:
    """Render in ``code`` ("en"/"sv") inside the block, whatever the sidebar says."""
    _FORCED.append(code)
    try:
        yield
    finally:
        _FORCED.pop()


def pick(pair: tuple[str, str]) -> str:
    """The English or Swedish member of ``pair``."""
    return pair[0] if lang() == "en" else pair[1]


_pick = pick


def t(key: str, **values: object) -> str:
    """The label ``key`` in the chosen language, with ``{placeholders}`` filled in."""
    text = _pick(TEXT[key])
    return text.format(**values) if values else text


# --- numbers -------------------------------------------------------------------------------


def num(value: object, digits: int = 1, signed: bool = False) -> str:
    """A number in the chosen language: ``1,234.5`` / ``1\u202f234,5``, '–' when missing.

    Swedish uses the decimal comma, a narrow no-break space between thousands and the true
    minus sign; ``signed`` writes a leading ``+`` for positive values.
    """
    if value is None or not _finite(value):
        return "–"
    number = round(float(value), digits) + 0.0  # +0.0: never "-0"
    text = f"{abs(number):,.{digits}f}"
    if lang() == "sv":
        text = text.replace(",", THIN).replace(".", ",")
    sign = MINUS if number < 0 else ("+" if signed and number > 0 else "")
    if sign == MINUS and lang() == "en":
        sign = "-"
    return sign + text


def pct(share: object, digits: int | None = None, signed: bool = False) -> str:
    """A share (0-1) as a percentage: ``12%`` / ``12 %``; one decimal under 1 % (never
    ``0.000000%``), '–' when missing."""
    if share is None or not _finite(share):
        return "–"
    value = 100 * float(share)
    if digits is None:
        digits = 1 if 0 < abs(value) < 9.95 else 0
    return num(value, digits, signed) + (f"{THIN}%" if lang() == "sv" else "%")


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


NUMBER_WORDS = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven", "twelve"),
    "sv": ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
           "elva", "tolv"),
}  # fmt: skip


def count_words(n: int) -> str:
    """Small whole numbers in words (``three`` / ``tre``), larger ones in digits."""
    return NUMBER_WORDS[lang()][n] if 0 <= n < len(NUMBER_WORDS["en"]) else num(n, 0)


def months_word(n: int) -> str:
    """``three months`` / ``tre månader`` (``one month`` / ``en månad``)."""
    return t("n_month" if n == 1 else "n_months", n=count_words(n))


# --- dates ---------------------------------------------------------------------------------


def month(day: date, short: bool = False) -> str:
    """``December 2025`` / ``december 2025`` (``Dec 2025`` / ``dec. 2025`` when ``short``)."""
    names = MONTHS_SHORT if short else MONTHS
    return f"{names[lang()][day.month - 1]} {day.year}"


def day(value: date) -> str:
    """``2 December 2026`` / ``2 december 2026``."""
    return f"{value.day} {MONTHS[lang()][value.month - 1]} {value.year}"


def vega_month_expr() -> str:
    """A Vega expression that labels a time axis with this language's short month names."""
    names = ",".join(f"'{m}'" for m in MONTHS_SHORT[lang()])
    return f"[{names}][month(datum.value)] + ' ' + year(datum.value)"


def vega_number_expr(digits: int = 1, percent: bool = False) -> str:
    """A Vega expression that writes an axis' numbers in this language (decimal comma)."""
    spec = f".{digits}~%" if percent else f",.{digits}~f"
    expr = f"format(datum.value, '{spec}')"
    if lang() == "sv":
        expr = f"replace(replace(replace({expr}, ',', ' '), '.', ','), '%', ' %')"
    return expr


def kind_label(kind: str) -> str:
    """An alert's kind (rise, decline, change_point) in the chosen language."""
    key = f"kind_{kind}"
    return t(key) if key in TEXT else t("kind_other")


def dimension(name: str) -> str:
    return _pick(DIMENSIONS.get(name, (name.replace("_", " "), name.replace("_", " "))))


SWEDISH_LABELS = {  # catalogue labels whose Swedish still carries an English word
    "nowcast_ppltrst": "Generell tillit, nulägesskattning mellan enkätomgångar",
}


def indicator_label(name: str, labels: dict[str, tuple[str, str]]) -> str:
    """A readable label: from the catalogue (``labels``), else from the name's pattern."""
    if lang() == "sv" and name in SWEDISH_LABELS:
        return SWEDISH_LABELS[name]
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
    return name.replace("_", " ")


TASKS = {
    "hostility": ("hostility", "fientlighet"),
    "hostility_target": ("hostility target group", "fientlighetens målgrupp"),
    "immigration_attitude": ("attitude to immigration", "attityd till invandring"),
    "sentiment": ("sentiment", "sentiment"),
    "trust": ("trust expressions", "uttryck för tillit"),
    "trust_expression": ("trust expressions", "uttryck för tillit"),
    "theme": ("themes", "teman"),
    "rumour": ("rumours", "rykten"),
    "rumours": ("rumours", "rykten"),
    "themes": ("themes", "teman"),
    "language": ("language identification", "språkidentifiering"),
}
LANGUAGES = {
    "sv": ("Swedish", "svenska"), "en": ("English", "engelska"), "ar": ("Arabic", "arabiska"),
    "tr": ("Turkish", "turkiska"), "so": ("Somali", "somaliska"), "fi": ("Finnish", "finska"),
    "es": ("Spanish", "spanska"), "de": ("German", "tyska"), "fa": ("Persian", "persiska"),
    "pl": ("Polish", "polska"), "it": ("Italian", "italienska"), "fr": ("French", "franska"),
    "da": ("Danish", "danska"), "no": ("Norwegian", "norska"), "nb": ("Norwegian", "norska"),
    "ru": ("Russian", "ryska"), "uk": ("Ukrainian", "ukrainska"), "ku": ("Kurdish", "kurdiska"),
    "ti": ("Tigrinya", "tigrinja"), "am": ("Amharic", "amhariska"), "ps": ("Pashto", "pashto"),
    "bs": ("Bosnian", "bosniska"), "hr": ("Croatian", "kroatiska"), "sr": ("Serbian", "serbiska"),
    "el": ("Greek", "grekiska"), "ro": ("Romanian", "rumänska"), "syc": ("Syriac", "syriska"),
    "all": ("all languages", "alla språk"), "*": ("all languages", "alla språk"),
    "und": ("posts of unknown language", "inlägg på okänt språk"),
    "other": ("other languages", "övriga språk"),
}  # fmt: skip
VALIDITY_REASONS = {
    "audit_failed": ("it fails its bias audit", "den klarar inte sin granskning av snedvridning"),
    "audit_not_run": (
        "its bias audit has not been run",
        "dess granskning av snedvridning har inte gjorts",
    ),
    "not_run": ("it has not been tested", "den har inte testats"),
    "no_test_set": ("it has no test data in this language", "den saknar testdata på språket"),
    "no_test_data": ("it has no test data in this language", "den saknar testdata på språket"),
    "not_evaluated": (
        "it has not been evaluated in this language",
        "den har inte utvärderats på språket",
    ),
    "below_threshold": (
        "its accuracy is below the required level",
        "dess träffsäkerhet är under kravnivån",
    ),
    "metric_below_threshold": (
        "its accuracy is below the required level",
        "dess träffsäkerhet är under kravnivån",
    ),
    "functional_failed": ("it fails its functional tests", "den klarar inte sina funktionstester"),
    "functional_tests_failed": (
        "it fails its functional tests",
        "den klarar inte sina funktionstester",
    ),
    "neutral_flags": ("it flags too many neutral texts", "den flaggar för många neutrala texter"),
    "too_many_neutral_flags": (
        "it flags too many neutral texts",
        "den flaggar för många neutrala texter",
    ),
    "language_not_supported": ("the language is not supported", "språket stöds inte"),
    "unsupported_language": ("the language is not supported", "språket stöds inte"),
}  # fmt: skip
#: the reasons that name "the language", for several languages at once
VALIDITY_REASONS_PLURAL = {
    "no_test_set": ("it has no test data in these languages", "den saknar testdata på språken"),
    "no_test_data": ("it has no test data in these languages", "den saknar testdata på språken"),
    "not_evaluated": (
        "it has not been evaluated in these languages",
        "den har inte utvärderats på dessa språk",
    ),
    "language_not_supported": ("these languages are not supported", "språken stöds inte"),
    "unsupported_language": ("these languages are not supported", "språken stöds inte"),
}  # fmt: skip
METHODS_SV = {  # indicator (or name prefix) -> Swedish method text (English: the catalogue's)
    "composite_trust_index": "Normaliserat, viktat sammanvägt mått av dimensionerna enkät, "
    "digitalt, sensorer och observation; intervallet från en Monte Carlo-simulering.",
    "survey_ppltrst_mean": "Designbaserat viktat medelvärde, Taylor-linjäriserat standardfel, "
    "t-intervall.",
    "survey_ppltrst_fh": "Fay-Herriot-skattning för små områden (EBLUP, REML) per enkätomgång, "
    "Prasad-Rao-MSE; hjälpvariabel: andelen negativa inlägg.",
    "survey_": "Designbaserat viktat medelvärde, Taylor-linjäriserat standardfel, t-intervall.",
    "nowcast_": "Ridge-regression av enkättilliten på månadens digitala, sensor- och "
    "observationsindikatorer; prognosintervall från korsvalidering över enkätomgångar.",
    "digital_hostility": "Andel per skribent av inlägg som fientlighetsmodellen märker som "
    "fientliga, klusterbootstrap över skribenter.",
    "digital_immigration": "Andel per skribent av svenska inlägg som attitydmodellen läser som "
    "negativa till invandring, klusterbootstrap över skribenter.",
    "digital_rumour": "Andel per skribent av inlägg som liknar ryktekatalogen, "
    "klusterbootstrap över skribenter.",
    "digital_theme": "Andel per skribent av inlägg om temat (ordlistor per språk), "
    "klusterbootstrap över skribenter.",
    "digital_": "Andel per skribent (varje skribent räknas en gång), klusterbootstrap över "
    "skribenter.",
    "sensing_": "Kvot mellan uppmätta och förväntade besökare (sensorns normalnivå per "
    "veckotimme och månad), dagar som kluster, flaggade mätningar utelämnade.",
    "observation_": "Sammanvägd kvot × 100, kvasi-Poisson-intervall (spridning mellan "
    "observationstillfällen).",
}


def task_label(task: str) -> str:
    """A text model's task in words (``immigration_attitude`` -> attitude to immigration)."""
    return _pick(TASKS.get(task, (task.replace("_", " "), task.replace("_", " "))))


def language_name(code: str) -> str:
    """A language code in words (``sv`` -> Swedish / svenska); a code the table lacks is named
    as a code (``the language “xx”``)."""
    if code in LANGUAGES:
        return _pick(LANGUAGES[code])
    return t("language_code", code=code)


TEST_SETS = {  # published test-set ids -> their names as their authors write them
    "davidson2017": ("Davidson et al. 2017", "Davidson m.fl. 2017"), "mlma": ("MLMA", "MLMA"),
    "absabank_imm": ("ABSAbank-Imm", "ABSAbank-Imm"),
    "offenseval2020_tr": ("OffensEval 2020", "OffensEval 2020"),
    "all": ("all test sets", "alla testmängder"),
}  # fmt: skip


def test_set_name(code: object) -> str:
    """A test set's name (``davidson2017`` -> Davidson et al. 2017; others without ``_``)."""
    text = str(code or "")
    return _pick(TEST_SETS[text]) if text in TEST_SETS else text.replace("_", " ")


METRICS = {  # published metric names -> words
    "macro_f1": ("macro-F1", "makro-F1"), "binary_macro_f1": ("binary macro-F1", "binär makro-F1"),
    "weighted_f1": ("weighted F1", "viktad F1"), "micro_f1": ("micro-F1", "mikro-F1"),
    "false_positive_rate": ("false-alarm rate", "andel falsklarm"),
    "false_negative_rate": ("miss rate", "andel missade"),
    "accuracy": ("accuracy", "träffsäkerhet"), "auc": ("AUC", "AUC"),
    "precision_hostile": ("precision (hostile)", "precision (fientlig)"),
    "recall_hostile": ("recall (hostile)", "täckning (fientlig)"),
    "precision": ("precision", "precision"), "recall": ("recall", "täckning"),
    "brier": ("Brier score", "Brier-poäng"), "ece": ("calibration error", "kalibreringsfel"),
}  # fmt: skip


def metric_label(name: object) -> str:
    """A published metric name in words (``binary_macro_f1`` -> binary macro-F1); others
    without underscores."""
    text = str(name)
    if text in METRICS:
        return _pick(METRICS[text])
    return text.replace("_", " ").replace("macro f1", "macro-F1")


ORIGIN_GROUPS = {
    "born_in_sweden": ("born in Sweden", "födda i Sverige"),
    "born_abroad": ("born abroad", "födda utomlands"),
}


def origin_groups(groups: str) -> str:
    """``born_in_sweden|born_abroad`` -> ``born in Sweden and born abroad``."""
    names = [_pick(ORIGIN_GROUPS.get(g, (g.replace("_", " "),) * 2)) for g in groups.split("|")]
    return _and([n for n in names if n]) if names else ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {t('and')} " + items[-1]


def parse_validity(code: object) -> tuple[str, str, str]:
    """``(task, language, reason)`` of a ``validity_note`` code ``task:version:language:reason``
    (empty strings where a part is missing)."""
    parts = str(code or "").split(":")
    task = parts[0] if parts and parts[0] else ""
    language = parts[2] if len(parts) > 2 else ""
    reason = parts[-1] if len(parts) > 1 else ""
    return task, language, reason


def model_name(task: str) -> str:
    """``the sentiment model`` / ``modellen för sentiment`` (``the text model`` without one)."""
    return t("the_model", task=task_label(task)) if task else t("the_text_model")


def validity_reason(code: object, languages: list[str] | None = None) -> str:
    """A ``validity_note`` code (``task:version:language:reason``) in words; ``languages``:
    every language code the same reason applies to (default: the code's own), named together
    ("the sentiment model in Arabic and English: it has no test data in these languages")."""
    task, language, reason = parse_validity(code)
    codes = [c for c in (languages if languages is not None else [language]) if c]
    pair = VALIDITY_REASONS.get(reason, ("it has not passed validation",
                                         "den har inte klarat valideringen"))  # fmt: skip
    if len(codes) > 1:
        pair = VALIDITY_REASONS_PLURAL.get(reason, pair)
    where = t("in_language", language=_and([language_name(c) for c in codes])) if codes else ""
    return f"{model_name(task)}{where}: {_pick(pair)}"


def method_text(indicator: str, english: str) -> str:
    """An indicator's method: the catalogue's (English) text, or its Swedish description."""
    if lang() == "en":
        return english[:1].upper() + english[1:] + ("" if english.endswith(".") else ".")
    for prefix in sorted(METHODS_SV, key=len, reverse=True):
        if indicator == prefix or (prefix.endswith("_") and indicator.startswith(prefix)):
            return METHODS_SV[prefix]
        if indicator.startswith(prefix):
            return METHODS_SV[prefix]
    return "Se indikatorkatalogen."
