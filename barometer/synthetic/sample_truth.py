"""The ground-truth document of the sample municipality (``GROUND_TRUTH.json``).

:func:`ground_truth` assembles, from what the generator's parts drew, the seed, the period, the
neighbourhoods, every parameter of the simulation, the latent trust with and without the
action, the planted action and placebo with their expected effects, the defects planted in
each source and the counts of every file. Trust values are rounded to 4 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from barometer.synthetic import municipality, observation, sensing, social, survey
from barometer.synthetic._common import PERIOD_END, PERIOD_START, TIMEZONE, months
from barometer.synthetic.truth import expected_effects


@dataclass
class Drawn:
    """What the generator's parts drew, as the ground truth describes it."""

    margins: pd.DataFrame
    trust: pd.DataFrame
    trust0: pd.DataFrame
    authors: pd.DataFrame
    posts: pd.DataFrame
    x_record: dict[str, Any]
    mastodon_counts: Any
    answers: pd.DataFrame
    sensors: pd.DataFrame
    footfall: pd.DataFrame
    sites: pd.DataFrame
    sessions: pd.DataFrame
    defects: dict[str, Any]


def ground_truth(seed: int, drawn: Drawn) -> dict[str, Any]:
    """The ground truth of one generated sample (without its file hashes)."""
    trust, trust0, margins = drawn.trust, drawn.trust0, drawn.margins
    return {
        "seed": seed,
        "generator": "barometer.synthetic.generate_sample",
        "period": {
            "start": PERIOD_START,
            "end": PERIOD_END,
            "months": len(months()),
            "timezone": TIMEZONE,
        },
        "neighbourhoods": _neighbourhoods(margins),
        "parameters": _parameters(drawn.sites),
        "latent_trust": _as_dict(trust),
        "latent_trust_without_action": _as_dict(trust0),
        "declining": {"neighbourhood_id": "hallunda", "slope_per_year": -0.6},
        "action": {
            **municipality.ACTION,
            "expected_effect": expected_effects(
                trust, trust0, margins, municipality.ACTION["neighbourhood_id"]
            ),
        },
        "placebo": {
            **municipality.PLACEBO,
            "expected_effect": expected_effects(
                trust, trust0, margins, municipality.PLACEBO["neighbourhood_id"]
            ),
        },
        "defects": {"social": social_defects(drawn.posts, drawn.x_record), **drawn.defects},
        "counts": _counts(drawn),
    }


def social_defects(posts: pd.DataFrame, x_record: dict[str, Any]) -> dict[str, Any]:
    """The defects planted in the social-media files: bad posts, duplicates, cut lines, PII."""
    return {
        "missing_created_at": int((posts["defect"] == "missing_created_at").sum()),
        "bad_created_at": int((posts["defect"] == "bad_created_at").sum()),
        "empty_text": int((posts["defect"] == "empty_text").sum()),
        "duplicate_tweets": x_record["duplicates"],
        "truncated_lines": [
            {"file": f, **r["truncated_line"]}
            for f, r in x_record["files"].items()
            if r["truncated_line"]
        ],
        "pii_posts": {
            k: int((posts["pii"] == k).sum()) for k in ("email", "phone", "personnummer")
        },
    }


def _parameters(sites: pd.DataFrame) -> dict[str, Any]:
    return {
        "latent_trust": "T = base + season + decline * years_since_start + effect * active",
        "season": "0.4 * cos(2 * pi * (month_of_year - 7) / 12)",
        "years_since_start": "months since 2023-01 / 12",
        "social": social.PARAMS,
        "survey": survey.PARAMS,
        "sensing": {
            "formula": (sensing.__doc__ or "").strip().split("\n\n")[1].strip(),
            "trust_elasticity": sensing.TRUST_ELASTICITY,
            "sensors": {
                s[0]: {"neighbourhood_id": s[3], "site_type": s[2], "base_per_hour": s[4]}
                for s in sensing.SENSORS
            },
        },
        "observation": {
            **observation.PARAMS,
            "sites": {
                r.site_id: {"neighbourhood_id": r.neighbourhood_id, "mean_people": r.mean_people}
                for r in sites.itertuples()
            },
        },
    }


def _counts(drawn: Drawn) -> dict[str, Any]:
    posts, authors, x_files = drawn.posts, drawn.authors, drawn.x_record["files"]
    answers = drawn.answers
    return {
        "posts": len(posts),
        "x_tweets": int((posts["platform"] == "x").sum()),
        "x_tweet_objects": sum(r["tweet_objects"] for r in x_files.values()),
        "x_lines": {f: r["lines"] for f, r in x_files.items()},
        "mastodon_statuses": drawn.mastodon_counts,
        "bot_posts": int(posts["is_bot"].sum()),
        "reposts": int((posts["repost_of"] >= 0).sum()),
        "authors": int((~authors["is_bot"]).sum()),
        "bots": int(authors["is_bot"].sum()),
        "posts_by_lang": {k: int(v) for k, v in posts["lang"].value_counts().sort_index().items()},
        "posts_by_geo_channel": {
            k: int(v) for k, v in posts["geo_channel"].value_counts().sort_index().items()
        },
        "survey_respondents": len(answers),
        "survey_by_wave": {m: int((answers["WAVE"] == m).sum()) for _, m in survey.WAVES},
        "sensors": len(drawn.sensors),
        "sensing_hours": len(drawn.footfall),
        "observation_sites": len(drawn.sites),
        "observation_sessions": len(drawn.sessions),
    }


def _neighbourhoods(margins: pd.DataFrame) -> list[dict[str, Any]]:
    adults = margins.groupby("neighbourhood_id")["population"].sum()
    return [
        {
            "neighbourhood_id": d.neighbourhood_id,
            "name": d.name,
            "centre_lat": d.lat,
            "centre_lon": d.lon,
            "population": d.population,
            "population_16plus": int(adults[d.neighbourhood_id]),
            "born_abroad_share": d.born_abroad,
            "base_trust": d.base_trust,
            "decline_per_year": d.decline,
            "aliases": list(d.aliases),
        }
        for d in municipality.DISTRICTS
    ]


def _as_dict(trust: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {
        str(n): {str(m): round(float(v), 4) for m, v in zip(trust.columns, row, strict=True)}
        for n, row in zip(trust.index, trust.to_numpy(dtype=float), strict=True)
    }
