"""Sentences of the banners, headlines, overview and drivers pages, in English and Swedish.

Part of the app's translation table (:mod:`i18n` joins the parts into ``TEXT``): key ->
(English, Swedish). Placeholders in braces are filled by ``t(key, name=...)``.
"""

SENTENCES: dict[str, tuple[str, str]] = {
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
}
