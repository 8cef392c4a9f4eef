"""A seeded, documented generator of the sample municipality (synthetic Botkyrka).

``generate_sample(out_dir, seed)`` writes every file of the packaged sample
(``barometer/data/sample``, see its README) and returns the ground truth that it also writes to
``GROUND_TRUTH.json``. The same seed gives byte-identical files. Each part draws from its own
stream ``default_rng([seed, k])``. :func:`write_sample` (``barometer sample --out DIR``) copies
the packaged sample, or regenerates it, into a folder with a ready ``pipeline.toml``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from barometer.exceptions import ConfigError
from barometer.keys import SYNTHETIC_MARKER, SYNTHETIC_TEXT
from barometer.locations import sample_dir, shared_data_dir
from barometer.synthetic import municipality, observation, sensing, social, survey
from barometer.synthetic._common import Progress, dumps, stream, write_bytes, write_csv
from barometer.synthetic.sample_truth import Drawn, ground_truth
from barometer.synthetic.social_formats import (
    assign_ids,
    source_post_ids,
    write_mastodon,
    write_x,
)

__all__ = ["DEFAULT_SEED", "generate_sample", "polygons_path", "write_sample"]

DEFAULT_SEED = 20261127
#: Files of the packaged sample that the generator does not write (copied when regenerating).
SAMPLE_EXTRAS = ("pipeline.toml", "README.md")


def polygons_path(data: str | Path | None = None) -> Path:
    """The Swedish municipality polygons in the shared data folder (``data``, else
    ``$BAROMETER_DATA_DIR``): ``geo/swedish_municipalities.geojson``."""
    path = shared_data_dir(data) / "geo" / "swedish_municipalities.geojson"
    if not path.is_file():
        raise ConfigError(f"{path} not found: the generator needs Botkyrka's polygon from it")
    return path


def write_sample(
    out_dir: str | Path,
    *,
    regenerate: bool = False,
    data: str | Path | None = None,
    seed: int = DEFAULT_SEED,
) -> tuple[Path, dict[str, Any]]:
    """Write the sample municipality and a ready ``pipeline.toml`` into ``out_dir``.

    Copies the packaged sample, or with ``regenerate`` runs :func:`generate_sample` (which
    reads the municipality polygons from the shared data folder ``data``). Returns the path of
    the written ``pipeline.toml`` and the ground truth.
    """
    out_dir, packaged = Path(out_dir), sample_dir()
    same = out_dir.resolve() == packaged.resolve()
    if regenerate:
        truth = generate_sample(out_dir, seed, boundary_path=polygons_path(data))
        for name in SAMPLE_EXTRAS if not same else ():
            shutil.copyfile(packaged / name, out_dir / name)
    else:
        if not same:
            ignore = shutil.ignore_patterns("warehouse", "__pycache__")
            shutil.copytree(packaged, out_dir, ignore=ignore, dirs_exist_ok=True)
        truth = json.loads((out_dir / "GROUND_TRUTH.json").read_text(encoding="utf-8"))
    return out_dir / "pipeline.toml", truth


def _noop(message: str) -> None:
    return None


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
        :func:`polygons_path` (the shared data folder of ``$BAROMETER_DATA_DIR``).
    progress : callable, optional
        Called with a short message before each step; nothing is printed otherwise.

    Returns
    -------
    dict
        The ground truth, as written to ``GROUND_TRUTH.json``, plus the files' SHA-256 hashes.
    """
    say = progress or _noop
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    say("municipality: districts, polygons, margins, latent trust")
    polygons, margins = _write_municipality(out_dir, boundary_path or polygons_path())
    trust, trust0 = municipality.latent_trust(), municipality.latent_trust(with_action=False)
    say("social: authors, posts, X and Mastodon files")
    authors, posts, x_record, mastodon_counts = _write_social(
        out_dir, stream(seed, "social"), trust, polygons
    )
    say("survey: six waves")
    answers, survey_defects = survey.simulate_survey(stream(seed, "survey"), trust, margins)
    survey.write_survey(out_dir / "survey" / "botkyrka_trust_survey.sav", answers)
    write_bytes(out_dir / "survey" / "codebook.toml", survey.codebook_toml().encode("utf-8"))
    say("sensing: hourly footfall")
    rng = stream(seed, "sensing")
    sensors = sensing.sensor_sites(rng, polygons)
    footfall, sensing_defects = sensing.simulate_footfall(rng, trust, trust0)
    write_csv(out_dir / "sensing" / "sensors.csv", sensors.drop(columns="neighbourhood_id"))
    write_csv(out_dir / "sensing" / "footfall_hourly.csv.gz", footfall, compress=True)
    say("observation: sessions")
    rng = stream(seed, "observation")
    sites = observation.observation_sites(rng, polygons)
    sessions, obs_defects = observation.simulate_sessions(rng, trust, sites)
    columns = ["site_id", "name", "site_type", "lat", "lon"]
    write_csv(out_dir / "observation" / "sites.csv", sites[columns])
    write_csv(out_dir / "observation" / "observation_sessions.csv", sessions)

    say("ground truth")
    drawn = Drawn(
        margins, trust, trust0, authors, posts, x_record, mastodon_counts, answers, sensors,
        footfall, sites, sessions,
        {"survey": survey_defects, "sensing": sensing_defects, "observation": obs_defects},
    )  # fmt: skip
    truth = ground_truth(seed, drawn)
    write_bytes(out_dir / "GROUND_TRUTH.json", (_pretty(truth) + "\n").encode("utf-8"))
    write_bytes(out_dir / SYNTHETIC_MARKER, SYNTHETIC_TEXT.encode("utf-8"))
    truth["files"] = _hashes(out_dir)
    return truth


def _write_municipality(out_dir: Path, boundary_path: Path) -> tuple[Any, pd.DataFrame]:
    """Write the neighbourhood polygons and population margins; return (polygons, margins).
    The municipality is deterministic: it draws from no random stream."""
    polygons = municipality.district_polygons(municipality.load_botkyrka(boundary_path))
    geojson = dumps(municipality.neighbourhoods_geojson(polygons)) + "\n"
    write_bytes(out_dir / "neighbourhoods.geojson", geojson.encode("utf-8"))
    margins = municipality.population_margins()
    write_csv(out_dir / "population_margins.csv", margins)
    return polygons, margins


def _write_social(
    out_dir: Path, rng: np.random.Generator, trust: pd.DataFrame, polygons: Any
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], Any]:
    """Simulate authors and posts, write the X and Mastodon files and the per-post truth;
    return (authors, posts, the X files' record, the Mastodon counts)."""
    authors = social.simulate_authors(rng)
    posts = social.simulate_posts(rng, authors, trust, polygons)
    posts["post_id"] = assign_ids(rng, posts)
    posts["defect"] = ""
    x_record = write_x(out_dir, rng, posts, authors)
    mastodon_counts = write_mastodon(out_dir, rng, posts, authors)
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
    return authors, posts, x_record, mastodon_counts


def _pretty(obj: Any) -> str:
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
