"""The indicator catalogue: every published indicator declared once.

Each :class:`Indicator` says which dimension it belongs to, its unit, its direction (+1 when a
higher value means more trust), the minimum number of units (authors, respondents, days,
sessions) below which a cell is suppressed, and the method that computes its interval.
"""

from __future__ import annotations

from dataclasses import dataclass

DIMENSIONS: tuple[str, ...] = ("survey", "digital", "sensing", "observation")

#: theme taxonomy of ``barometer/data/themes.toml``, with Swedish and English labels
THEMES: dict[str, tuple[str, str]] = {
    "safety": ("Safety", "Trygghet"),
    "schools": ("Schools", "Skolor"),
    "housing": ("Housing", "Boende"),
    "police": ("Police", "Polis"),
    "public_services": ("Public services", "Offentlig service"),
    "events": ("Events", "Evenemang"),
    "transport": ("Transport", "Kollektivtrafik och resor"),
    "neighbours": ("Neighbours", "Grannar"),
}

#: target groups of the hostility_target model (MLMA's target attribute)
TARGET_GROUPS: dict[str, tuple[str, str]] = {
    "origin": ("origin", "ursprung"),
    "religion": ("religion", "religion"),
    "gender": ("gender", "kön"),
    "sexual_orientation": ("sexual orientation", "sexuell läggning"),
    "disability": ("disability", "funktionsnedsättning"),
    "other": ("other groups", "andra grupper"),
}


@dataclass(frozen=True)
class Indicator:
    name: str
    dimension: str
    unit: str
    direction: int  # +1: higher = more trust; -1: higher = less trust; 0: descriptive
    min_cell: int
    method: str
    label_en: str
    label_sv: str
    in_composite: bool = False
    #: the total this indicator is a part of (its cells are guarded against differencing)
    part_of: str | None = None

    @property
    def counted(self) -> str:
        """What ``n_effective`` counts for this indicator (and the cell-size rule applies to)."""
        return COUNTED[self.dimension]

    @property
    def inputs(self) -> tuple[str, ...]:
        """The canonical tables (or, for the composite, the indicators) it is computed from."""
        if self.dimension == "composite":
            return tuple(i.name for i in CATALOGUE.values() if i.in_composite)
        return INPUTS[self.dimension]

    @property
    def protects_people(self) -> bool:
        """Whether a small cell could point at people (respondents or authors), so the
        pipeline's privacy floor ``[privacy] min_cell_size`` applies."""
        return self.counted in ("respondents", "authors")

    @property
    def cell_rule(self) -> str:
        """When a cell of this indicator is suppressed, in words (``k``: ``min_cell``, raised
        to the pipeline's ``[privacy] min_cell_size`` for indicators counting people)."""
        rule = f"fewer than k {self.counted} in the cell"
        if self.dimension == "digital":
            rule += (
                ", or fewer than k authors with a flagged post (numerator), or fewer than k "
                "with a post not flagged (complement)"
            )
        if self.part_of:
            rule += (
                f"; also when {self.part_of} minus its published parts would rest on fewer "
                "than k authors (secondary suppression)"
            )
        return f"suppressed when {rule}" if self.min_cell else "never suppressed"


COUNTED = {
    "survey": "respondents",
    "digital": "authors",
    "sensing": "days",
    "observation": "sessions",
    "composite": "components",
}
INPUTS = {
    "survey": ("survey_responses",),
    "digital": ("posts", "post_scores"),
    "sensing": ("sensor_readings",),
    "observation": ("observations",),
}

CATALOGUE: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator(
            "survey_ppltrst_mean",
            "survey",
            "points 0-10",
            +1,
            10,
            "design-based weighted mean, Taylor-linearised SE, t interval on design df",
            "Generalised trust (survey, 0-10)",
            "Generell tillit (enkät, 0-10)",
            in_composite=True,
        ),
        Indicator(
            "survey_ppltrst_fh",
            "survey",
            "points 0-10",
            +1,
            10,
            "Fay-Herriot EBLUP (REML) per wave across neighbourhoods, Prasad-Rao MSE, "
            "covariate: digital negative share of the wave month and the two before",
            "Generalised trust (survey, small-area model)",
            "Generell tillit (enkät, småområdesmodell)",
        ),
        Indicator(
            "nowcast_ppltrst",
            "survey",
            "points 0-10",
            +1,
            0,
            "ridge regression of survey trust on the month's digital, sensing and observation "
            "indicators, fitted at wave months; prediction interval from leave-one-wave-out "
            "cross-validated error (see nowcast_summary)",
            "Generalised trust, nowcast between survey waves",
            "Generell tillit, nowcast mellan enkätomgångar",
        ),
        Indicator(
            "survey_trust_neighbours_mean",
            "survey",
            "points 0-10",
            +1,
            10,
            "design-based weighted mean, Taylor-linearised SE, t interval on design df",
            "Trust in neighbours (survey, 0-10)",
            "Tillit till grannar (enkät, 0-10)",
        ),
        Indicator(
            "digital_negative_share",
            "digital",
            "share of authors' posts 0-1",
            -1,
            10,
            "author-weighted share (each author counts once), cluster bootstrap over authors",
            "Negative posts (author-weighted share)",
            "Negativa inlägg (andel per skribent)",
            in_composite=True,
        ),
        Indicator(
            "digital_trust_share",
            "digital",
            "share of authors' posts 0-1",
            +1,
            10,
            "author-weighted share, cluster bootstrap over authors",
            "Posts expressing trust",
            "Inlägg som uttrycker tillit",
        ),
        Indicator(
            "digital_distrust_share",
            "digital",
            "share of authors' posts 0-1",
            -1,
            10,
            "author-weighted share, cluster bootstrap over authors",
            "Posts expressing distrust",
            "Inlägg som uttrycker misstro",
        ),
        Indicator(
            "digital_rumour_share",
            "digital",
            "share of authors' posts 0-1",
            -1,
            10,
            "author-weighted share of posts matching the rumour catalogue (char n-gram "
            "similarity above a calibrated threshold), cluster bootstrap over authors",
            "Posts repeating a diversity rumour",
            "Inlägg som upprepar ett rykte om mångfald",
        ),
        Indicator(
            "digital_hostility_share",
            "digital",
            "share of authors' posts 0-1",
            -1,
            10,
            "author-weighted share of posts the hostility classifier labels hostile toward a "
            "group (derogation, dehumanisation, threats, exclusion, slurs), cluster bootstrap "
            "over authors; posts in languages it does not score are not counted",
            "Posts hostile toward a group",
            "Inlägg fientliga mot en grupp",
        ),
        *[
            Indicator(
                f"digital_hostility_{group}_share",
                "digital",
                "share of authors' posts 0-1",
                -1,
                10,
                "author-weighted share of posts labelled hostile whose target the target model "
                "assigns to this group, cluster bootstrap over authors",
                f"Hostile posts targeting {en}",
                f"Fientliga inlägg mot {sv}",
                part_of="digital_hostility_share",
            )
            for group, (en, sv) in TARGET_GROUPS.items()
        ],
        Indicator(
            "digital_immigration_negative_share",
            "digital",
            "share of authors' Swedish posts 0-1",
            -1,
            10,
            "author-weighted share of Swedish posts the immigration-attitude model reads as "
            "negative toward immigration, cluster bootstrap over authors",
            "Negative attitude toward immigration (Swedish posts)",
            "Negativ attityd till invandring (svenska inlägg)",
        ),
        *[
            Indicator(
                f"digital_theme_{theme}_share",
                "digital",
                "share of authors' posts 0-1",
                0,
                10,
                "author-weighted share of posts on the theme (keyword lists per language), "
                "cluster bootstrap over authors",
                f"Posts about: {en}",
                f"Inlägg om: {sv}",
            )
            for theme, (en, sv) in THEMES.items()
        ],
        Indicator(
            "sensing_footfall_index",
            "sensing",
            "ratio to the sensor's own hour-of-week baseline (1 = baseline)",
            +1,
            7,
            "ratio of observed to expected counts (sensor's hour-of-week x calendar-month "
            "baseline from its first 12 months), days as clusters, flagged readings excluded",
            "Footfall at meeting places (index)",
            "Besökare vid mötesplatser (index)",
            in_composite=True,
        ),
        Indicator(
            "observation_mixed_rate",
            "observation",
            "mixed interactions per 100 interactions",
            +1,
            3,
            "pooled ratio x 100, quasi-Poisson interval (dispersion across sessions)",
            "Interactions across groups (per 100)",
            "Möten över gruppgränser (per 100)",
            in_composite=True,
        ),
        Indicator(
            "observation_conflict_rate",
            "observation",
            "conflicts per 100 people observed",
            -1,
            3,
            "pooled rate x 100, quasi-Poisson interval (dispersion across sessions)",
            "Conflicts observed (per 100 people)",
            "Observerade konflikter (per 100 personer)",
        ),
        Indicator(
            "composite_trust_index",
            "composite",
            "index 0-100",
            +1,
            0,
            "normalised, weighted aggregate of the dimensions; Monte-Carlo interval",
            "Social Trust Index",
            "Socialt tillitsindex",
        ),
    )
}


def families() -> dict[str, list[str]]:
    """Totals and the indicators that are parts of them: total -> parts."""
    out: dict[str, list[str]] = {}
    for indicator in CATALOGUE.values():
        if indicator.part_of:
            out.setdefault(indicator.part_of, []).append(indicator.name)
    return out


def composite_spec() -> dict[str, tuple[str, int]]:
    """Indicators entering the composite index: name -> (dimension, direction)."""
    return {i.name: (i.dimension, i.direction) for i in CATALOGUE.values() if i.in_composite}


def catalogue_table() -> list[dict[str, object]]:
    """The catalogue as rows (published for the app and the model/indicator documentation)."""
    return [
        {
            "indicator": i.name,
            "dimension": i.dimension,
            "unit": i.unit,
            "direction": i.direction,
            "min_cell": i.min_cell,
            "method": i.method,
            "label_en": i.label_en,
            "label_sv": i.label_sv,
            "in_composite": i.in_composite,
            "counted": i.counted,
            "inputs": ", ".join(i.inputs),
            "part_of": i.part_of,
            "cell_rule": i.cell_rule,
        }
        for i in CATALOGUE.values()
    ]
