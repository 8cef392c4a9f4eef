"""Names the app writes for published codes: tasks, languages, test sets, metrics, origin
groups, the reasons a model is not validated, and the Swedish method texts of indicators.

Part of the app's translation table (:mod:`i18n` reads these): code -> (English, Swedish),
except :data:`METHODS_SV` (indicator or name prefix -> Swedish; the English is the
catalogue's).
"""

from __future__ import annotations

from barometer.read import catalogue

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
    catalogue.COMPOSITE_INDEX: "Normaliserat, viktat sammanvägt mått av dimensionerna enkät, "
    "digitalt, sensorer och observation; intervallet från en Monte Carlo-simulering.",
    catalogue.SURVEY_TRUST: "Designbaserat viktat medelvärde, Taylor-linjäriserat standardfel, "
    "t-intervall.",
    catalogue.SURVEY_TRUST_SMALL_AREA: "Fay-Herriot-skattning för små områden (EBLUP, REML) per "
    "enkätomgång, Prasad-Rao-MSE; hjälpvariabel: andelen negativa inlägg.",
    "survey_": "Designbaserat viktat medelvärde, Taylor-linjäriserat standardfel, t-intervall.",
    "nowcast_": "Ridge-regression av enkättilliten på månadens digitala, sensor- och "
    "observationsindikatorer; prognosintervall från korsvalidering över enkätomgångar.",
    catalogue.HOSTILITY_PREFIX: "Andel per skribent av inlägg som fientlighetsmodellen märker som "
    "fientliga, klusterbootstrap över skribenter.",
    catalogue.IMMIGRATION_PREFIX: "Andel per skribent av svenska inlägg som attitydmodellen läser "
    "som negativa till invandring, klusterbootstrap över skribenter.",
    catalogue.RUMOUR_PREFIX: "Andel per skribent av inlägg som liknar ryktekatalogen, "
    "klusterbootstrap över skribenter.",
    catalogue.THEME_PREFIX: "Andel per skribent av inlägg om temat (ordlistor per språk), "
    "klusterbootstrap över skribenter.",
    "digital_": "Andel per skribent (varje skribent räknas en gång), klusterbootstrap över "
    "skribenter.",
    "sensing_": "Kvot mellan uppmätta och förväntade besökare (sensorns normalnivå per "
    "veckotimme och månad), dagar som kluster, flaggade mätningar utelämnade.",
    "observation_": "Sammanvägd kvot × 100, kvasi-Poisson-intervall (spridning mellan "
    "observationstillfällen).",
}
TEST_SETS = {  # published test-set ids -> their names as their authors write them
    "davidson2017": ("Davidson et al. 2017", "Davidson m.fl. 2017"), "mlma": ("MLMA", "MLMA"),
    "absabank_imm": ("ABSAbank-Imm", "ABSAbank-Imm"),
    "offenseval2020_tr": ("OffensEval 2020", "OffensEval 2020"),
    "all": ("all test sets", "alla testmängder"),
}  # fmt: skip
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
ORIGIN_GROUPS = {
    "born_in_sweden": ("born in Sweden", "födda i Sverige"),
    "born_abroad": ("born abroad", "födda utomlands"),
}
