"""A seeded, documented generator of the sample municipality (synthetic Botkyrka).

``generate_sample(out_dir, seed)`` writes every file of ``data_samples/`` (see its README) and
returns the ground truth that it also writes to ``GROUND_TRUTH.json``. The same seed gives
byte-identical files. Each part draws from its own stream ``default_rng([seed, k])``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.keys import SYNTHETIC_MARKER, SYNTHETIC_TEXT
from barometer.synthetic import municipality, observation, sensing, social, survey
from barometer.synthetic._common import (
    PERIOD_END,
    PERIOD_START,
    TIMEZONE,
    Progress,
    dumps,
    months,
    stream,
    write_bytes,
    write_csv,
)
from barometer.synthetic.social_formats import (
    assign_ids,
    source_post_ids,
    write_mastodon,
    write_x,
)
from barometer.synthetic.truth import expected_effects

__all__ = ["DEFAULT_SEED", "default_boundary_path", "generate_sample"]

DEFAULT_SEED = 20261127


def default_boundary_path() -> Path:
    """``<repo>/../shared/data/geo/swedish_municipalities.geojson`` (the municipality polygons)."""
    return (
        Path(__file__).resolve().parents[2].parent
        / "shared"
        / "data"
        / "geo"
        / "swedish_municipalities.geojson"
    )


def _noop(message: str) -> None:
    return None


def _neighbourhood_truth(margins: pd.DataFrame) -> list[dict[str, Any]]:
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


def generate_sample(
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    *,
    boundary_path: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the sample municipality to ``out_dir`` and return its ground truth.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created if needed); existing files of the sample are replaced.
    seed : int
        Seed of every random stream; the same seed gives byte-identical files.
    boundary_path : Path, optional
        Swedish municipalities GeoJSON holding Botkyrka (id ``0127``); defaults to
        :func:`default_boundary_path`.
    progress : callable, optional
        Called with a short message before each step; nothing is printed otherwise.

    Returns
    -------
    dict
        The ground truth, as written to ``GROUND_TRUTH.json``.
    """
    say = progress or _noop
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    say("municipality: districts, polygons, margins, latent trust")
    rng = stream(seed, "municipality")
    boundary = municipality.load_botkyrka(boundary_path or default_boundary_path())
    polygons = municipality.district_polygons(boundary)
    write_bytes(
        out_dir / "neighbourhoods.geojson",
        (dumps(municipality.neighbourhoods_geojson(polygons)) + "\n").encode("utf-8"),
    )
    margins = municipality.population_margins()
    write_csv(out_dir / "population_margins.csv", margins)
    trust, trust0 = municipality.latent_trust(), municipality.latent_trust(with_action=False)
    del rng  # the municipality is deterministic; the stream is reserved for future use

    say("social: authors and posts")
    rng = stream(seed, "social")
    authors = social.simulate_authors(rng)
    posts = social.simulate_posts(rng, authors, trust, polygons)
    posts["post_id"] = assign_ids(rng, posts)
    posts["defect"] = ""
    say("social: X and Mastodon files")
    x_record = write_x(out_dir, rng, posts, authors)
    m_counts = write_mastodon(out_dir, rng, posts, authors)
    truth_posts = pd.DataFrame(
        {
            "source_post_id": source_post_ids(posts),
            "planted_sentiment": posts["sentiment"],
            "author_neighbourhood": posts["home"],
            "geo_channel": posts["geo_channel"],
            "neighbourhood_id": posts["neighbourhood"],
            "lang": posts["lang"],
            "month": posts["month"],
            "is_bot": posts["is_bot"],
            "is_repost": posts["repost_of"] >= 0,
            "pii": posts["pii"],
            "defect": posts["defect"],
        }
    ).sort_values("source_post_id", kind="stable")
    write_csv(out_dir / "ground_truth" / "post_truth.csv.gz", truth_posts, compress=True)

    say("survey: six waves")
    rng = stream(seed, "survey")
    answers, survey_defects = survey.simulate_survey(rng, trust, margins)
    survey.write_survey(out_dir / "survey" / "botkyrka_trust_survey.sav", answers)
    write_bytes(out_dir / "survey" / "codebook.toml", survey.codebook_toml().encode("utf-8"))

    say("sensing: hourly footfall")
    rng = stream(seed, "sensing")
    sensors = sensing.sensor_sites(rng, polygons)
    wide, sensing_defects = sensing.simulate_footfall(rng, trust, trust0)
    write_csv(out_dir / "sensing" / "sensors.csv", sensors.drop(columns="neighbourhood_id"))
    write_csv(out_dir / "sensing" / "footfall_hourly.csv.gz", wide, compress=True)

    say("observation: sessions")
    rng = stream(seed, "observation")
    sites = observation.observation_sites(rng, polygons)
    sessions, obs_defects = observation.simulate_sessions(rng, trust, sites)
    write_csv(
        out_dir / "observation" / "sites.csv", sites[["site_id", "name", "site_type", "lat", "lon"]]
    )
    write_csv(out_dir / "observation" / "observation_sessions.csv", sessions)

    say("ground truth")
    social_defects = {
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
    is_x = posts["platform"] == "x"
    truth: dict[str, Any] = {
        "seed": seed,
        "generator": "barometer.synthetic.generate_sample",
        "period": {
            "start": PERIOD_START,
            "end": PERIOD_END,
            "months": len(months()),
            "timezone": TIMEZONE,
        },
        "neighbourhoods": _neighbourhood_truth(margins),
        "parameters": {
            "latent_trust": "T = base + season + decline * years_since_start + effect * active",
            "season": "0.4 * cos(2 * pi * (month_of_year - 7) / 12)",
            "years_since_start": "months since 2023-01 / 12",
            "social": social.PARAMS,
            "survey": survey.PARAMS,
            "sensing": {
                "formula": sensing.__doc__.strip().split("\n\n")[1].strip(),
                "trust_elasticity": sensing.TRUST_ELASTICITY,
                "sensors": {
                    s[0]: {"neighbourhood_id": s[3], "site_type": s[2], "base_per_hour": s[4]}
                    for s in sensing.SENSORS
                },
            },
            "observation": {
                **observation.PARAMS,
                "sites": {
                    r.site_id: {
                        "neighbourhood_id": r.neighbourhood_id,
                        "mean_people": r.mean_people,
                    }
                    for r in sites.itertuples()
                },
            },
        },
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
        "defects": {
            "social": social_defects,
            "survey": survey_defects,
            "sensing": sensing_defects,
            "observation": obs_defects,
        },
        "counts": {
            "posts": len(posts),
            "x_tweets": int(is_x.sum()),
            "x_tweet_objects": sum(r["tweet_objects"] for r in x_record["files"].values()),
            "x_lines": {f: r["lines"] for f, r in x_record["files"].items()},
            "mastodon_statuses": m_counts,
            "bot_posts": int(posts["is_bot"].sum()),
            "reposts": int((posts["repost_of"] >= 0).sum()),
            "authors": int((~authors["is_bot"]).sum()),
            "bots": int(authors["is_bot"].sum()),
            "posts_by_lang": {
                k: int(v) for k, v in posts["lang"].value_counts().sort_index().items()
            },
            "posts_by_geo_channel": {
                k: int(v) for k, v in posts["geo_channel"].value_counts().sort_index().items()
            },
            "survey_respondents": len(answers),
            "survey_by_wave": {m: int((answers["WAVE"] == m).sum()) for _, m in survey.WAVES},
            "sensors": len(sensors),
            "sensing_hours": len(wide),
            "observation_sites": len(sites),
            "observation_sessions": len(sessions),
        },
    }
    write_bytes(out_dir / "GROUND_TRUTH.json", (_pretty(truth) + "\n").encode("utf-8"))
    write_bytes(out_dir / SYNTHETIC_MARKER, SYNTHETIC_TEXT.encode("utf-8"))
    truth["files"] = _hashes(out_dir)
    return truth


def _pretty(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, indent=1, default=_json_default)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _hashes(out_dir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out_dir.rglob("*"))
        if p.is_file() and p.name != "README.md"
    }
