"""Words of the impact, models and data-quality pages, in English and Swedish.

Part of the app's translation table (:mod:`i18n` joins the parts into ``TEXT``): key ->
(English, Swedish). Placeholders in braces are filled by ``t(key, name=...)``.
"""

FINDINGS: dict[str, tuple[str, str]] = {
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
