"""The sample-municipality generator (barometer.synthetic) and the packaged sample."""

from __future__ import annotations

import gzip
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import SAMPLE_DIR, SHARED_DATA
from shapely.geometry import Point, shape

from barometer.schema import SURVEY_ITEMS
from barometer.synthetic import DEFAULT_SEED, generate_sample, municipality, social
from barometer.synthetic._common import luhn_digit, stream

SAMPLE = SAMPLE_DIR
BOUNDARIES = SHARED_DATA / "geo" / "swedish_municipalities.geojson"


@pytest.fixture(scope="module")
def botkyrka() -> Any:
    if not BOUNDARIES.is_file():
        pytest.skip(f"shared data not found at {BOUNDARIES} (checkout without ../shared/data)")
    return municipality.load_botkyrka(BOUNDARIES)


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    path = SAMPLE / "GROUND_TRUTH.json"
    if not path.is_file():
        pytest.skip("the packaged sample is missing; run `make sample`")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def post_truth() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "ground_truth" / "post_truth.csv.gz", keep_default_na=False)


# -- generator pieces -------------------------------------------------------------------------


def test_latent_trust_is_deterministic_with_planted_shape() -> None:
    t = municipality.latent_trust()
    pd.testing.assert_frame_equal(t, municipality.latent_trust())
    assert t.shape == (10, 36)
    assert t.columns[0] == "2023-01" and t.columns[-1] == "2025-12"
    # hallunda loses 0.6 points a year (same calendar month removes the season)
    assert t.at["hallunda", "2025-03"] - t.at["hallunda", "2023-03"] == pytest.approx(-1.2)
    assert t.at["tumba", "2025-03"] - t.at["tumba", "2023-03"] == pytest.approx(0.0)
    # fittja jumps by the action's effect at its start (plus the small season step)
    t0 = municipality.latent_trust(with_action=False)
    season_step = t0.at["fittja", "2024-06"] - t0.at["fittja", "2024-05"]
    jump = t.at["fittja", "2024-06"] - t.at["fittja", "2024-05"]
    assert jump - season_step == pytest.approx(1.0)
    assert (t.loc["fittja", :"2024-05"] == t0.loc["fittja", :"2024-05"]).all()
    # the placebo neighbourhood has no jump
    assert (t.loc["tullinge"] == t0.loc["tullinge"]).all()
    assert t.to_numpy().min() > 4.0 and t.to_numpy().max() < 8.0


def test_random_streams_follow_the_seed() -> None:
    a = social.simulate_authors(stream(DEFAULT_SEED, "social"))
    b = social.simulate_authors(stream(DEFAULT_SEED, "social"))
    c = social.simulate_authors(stream(DEFAULT_SEED + 1, "social"))
    pd.testing.assert_frame_equal(a, b)
    assert not a["username"].equals(c["username"])
    assert a["is_bot"].sum() == 3 and (~a["is_bot"]).sum() == 6000


def test_sentiment_probabilities_are_a_distribution() -> None:
    p = social.sentiment_probabilities(np.linspace(0, 10, 41))
    assert np.allclose(p.sum(axis=1), 1) and (p >= 0).all()
    assert np.all(np.diff(p[:, 0]) < 0) and np.all(np.diff(p[:, 2]) > 0)


def test_luhn_digit_matches_a_known_personnummer() -> None:
    # 811228-9874 is the Swedish Tax Agency's textbook example
    assert luhn_digit("811228987") == 4


def test_polygons_are_valid_disjoint_and_inside_botkyrka(botkyrka: Any) -> None:
    polygons = municipality.district_polygons(botkyrka)
    assert list(polygons) == list(municipality.IDS)
    for district in municipality.DISTRICTS:
        poly = polygons[district.neighbourhood_id]
        assert poly.is_valid and not poly.is_empty
        assert poly.contains(Point(district.lon, district.lat))
        assert botkyrka.buffer(1e-5).contains(poly)
    ids = list(polygons)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert polygons[a].intersection(polygons[b]).area < 1e-9, (a, b)
    union = shapely.union_all(list(polygons.values()))
    assert union.area == pytest.approx(botkyrka.area, rel=1e-4)


# -- committed sample files -------------------------------------------------------------------


def test_committed_geojson_matches_generator(botkyrka: Any, truth: dict[str, Any]) -> None:
    data = json.loads((SAMPLE / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    expected = municipality.neighbourhoods_geojson(municipality.district_polygons(botkyrka))
    assert data == expected
    props = [f["properties"] for f in data["features"]]
    assert {p["neighbourhood_id"] for p in props} == set(municipality.IDS)
    assert sum(p["population"] for p in props) == pytest.approx(95_000, rel=0.05)
    assert all(shape(f["geometry"]).is_valid for f in data["features"])


def test_posts_volume_languages_and_geo_channels(post_truth: pd.DataFrame) -> None:
    assert len(post_truth) >= 50_000
    assert post_truth["source_post_id"].is_unique
    share = post_truth["lang"].value_counts(normalize=True)
    for lang, target in {"sv": 0.55, "en": 0.12, "ar": 0.12, "tr": 0.10, "so": 0.11}.items():
        assert abs(share[lang] - target) < 0.04, (lang, share[lang])
    assert 0.01 < share["und"] < 0.05
    organic = post_truth[~post_truth["is_bot"]]
    channel = organic["geo_channel"].value_counts(normalize=True)
    assert abs(channel["coords"] - 0.35) < 0.05 and abs(channel["place"] - 0.25) < 0.05
    assert (post_truth["source_post_id"].str.startswith("x:").mean()) == pytest.approx(
        0.7, abs=0.05
    )


def test_negative_share_follows_latent_trust(post_truth: pd.DataFrame) -> None:
    organic = post_truth[~post_truth["is_bot"]]
    neg = organic["planted_sentiment"].eq("negative").groupby(organic["neighbourhood_id"]).mean()
    assert neg["fittja"] > neg["tullinge"] + 0.15
    fittja = organic[organic["neighbourhood_id"] == "fittja"]
    before = fittja[fittja["month"] < "2024-06"]["planted_sentiment"].eq("negative").mean()
    after = fittja[fittja["month"] >= "2024-06"]["planted_sentiment"].eq("negative").mean()
    assert before - after > 0.1


def _x_tweets() -> list[dict[str, Any]]:
    tweets = []
    for path in sorted((SAMPLE / "social").glob("x_*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                try:
                    tweets.extend(json.loads(line)["data"])
                except json.JSONDecodeError:
                    continue
    return tweets


def test_x_files_carry_the_recorded_defects(truth: dict[str, Any]) -> None:
    tweets = _x_tweets()
    defects, counts = truth["defects"]["social"], truth["counts"]
    assert len(tweets) == counts["x_tweet_objects"]
    ids = [t["id"] for t in tweets]
    assert len(ids) - len(set(ids)) == defects["duplicate_tweets"] == len(ids) - counts["x_tweets"]
    unique = {t["id"]: t for t in tweets}.values()
    assert sum("created_at" not in t for t in unique) == defects["missing_created_at"]
    bad = [
        t
        for t in unique
        if "created_at" in t
        and not re.fullmatch(
            r"20\d\d-(0[1-9]|1[0-2])-[0-3]\d(T[0-2]\d:[0-5]\d:[0-5]\d)\.000Z", t["created_at"]
        )
    ]
    assert len(bad) == defects["bad_created_at"]
    assert sum(t["text"] == "" for t in unique) == defects["empty_text"]
    (trunc,) = defects["truncated_lines"]
    with gzip.open(SAMPLE / trunc["file"], "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[trunc["line"] - 1])
    retweets = [t for t in unique if t.get("referenced_tweets")]
    assert retweets and all(t["text"].startswith("RT @") for t in retweets)


def test_no_geo_posts_name_no_district(truth: dict[str, Any], post_truth: pd.DataFrame) -> None:
    aliases = [a.lstrip("#") for n in truth["neighbourhoods"] for a in n["aliases"]]
    pattern = re.compile(r"(?<!\w)#?(" + "|".join(map(re.escape, aliases)) + r")(?!\w)", re.I)
    by_id = post_truth.set_index("source_post_id")
    for t in _x_tweets():
        row = by_id.loc[f"x:{t['id']}"]
        if row["geo_channel"] == "place" and t["text"]:
            assert pattern.search(t["text"]), t["text"]
        elif row["geo_channel"] == "none":
            assert not pattern.search(t["text"]), t["text"]
            assert "coordinates" not in t.get("geo", {})


def test_planted_personnummer_pass_luhn(truth: dict[str, Any]) -> None:
    found = [m for t in _x_tweets() for m in re.findall(r"\b(\d{6})-(\d{4})\b", t["text"])]
    assert found
    assert all(luhn_digit(a + b[:3]) == int(b[3]) for a, b in found)
    assert sum(truth["defects"]["social"]["pii_posts"].values()) > 300


def test_mastodon_statuses(truth: dict[str, Any]) -> None:
    total = 0
    for name, n in truth["counts"]["mastodon_statuses"].items():
        with gzip.open(SAMPLE / name, "rt", encoding="utf-8") as handle:
            statuses = json.load(handle)
        assert len(statuses) == n
        total += n
        plain = [s for s in statuses if s["reblog"] is None]
        assert all(s["content"].startswith("<p>") for s in plain)
        assert any("h-card" in s["content"] for s in plain)
        assert any(s["reblog"] for s in statuses)
    assert total > 10_000


def test_survey_file_codebook_and_defects(truth: dict[str, Any]) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    data, meta = pyreadstat.read_sav(
        str(SAMPLE / "survey" / "botkyrka_trust_survey.sav"), user_missing=True
    )
    assert len(data) == truth["counts"]["survey_respondents"]
    assert meta.variable_value_labels["Q1_PPLTRST"][10] == "Most people can be trusted"
    assert meta.variable_value_labels["Q5_TRUST_POLICE"][88] == "Don't know"
    assert meta.variable_value_labels["DISTRICT"][3] == "Fittja"
    assert data["RESP_ID"].str.fullmatch(r"BT-20\d\d[AB]-\d{5}").all()
    assert data.groupby(["WAVE", "STRATUM"])["PSU"].nunique().max() <= 6
    for planted in truth["defects"]["survey"]["impossible_values"]:
        row = data[data["RESP_ID"] == planted["RESP_ID"]]
        assert row[planted["variable"]].item() == planted["value"]
    codes = data[[c for c in data.columns if c.startswith("Q")]].isin([77, 88, 99]).to_numpy()
    assert 0.02 < codes.mean() < 0.04
    codebook = tomllib.loads((SAMPLE / "survey" / "codebook.toml").read_text(encoding="utf-8"))
    assert set(codebook["items"]) == set(SURVEY_ITEMS)
    assert codebook["items"]["belonging"]["reverse"] is True
    assert all(item["source"] in data.columns for item in codebook["items"].values())


def test_footfall_defects_and_dst(truth: dict[str, Any]) -> None:
    wide = pd.read_csv(SAMPLE / "sensing" / "footfall_hourly.csv.gz", dtype={"timestamp": str})
    sensors = pd.read_csv(SAMPLE / "sensing" / "sensors.csv")
    assert list(sensors.columns) == ["sensor_id", "name", "site_type", "lat", "lon"]
    assert list(wide.columns[1:]) == sensors["sensor_id"].tolist()
    assert wide["timestamp"].is_unique and len(wide) == 26_304
    assert (wide["timestamp"] == "2024-10-27T02:00:00+02:00").any()
    assert (wide["timestamp"] == "2024-10-27T02:00:00+01:00").any()
    assert not wide["timestamp"].str.startswith("2024-03-31T02:").any()
    defects = truth["defects"]["sensing"]
    values = wide.iloc[:, 1:]
    assert int(values.isna().sum().sum()) == defects["missing_cells"]
    assert int((values < 0).sum().sum()) == len(defects["negative_values"])
    assert int((values > 20_000).sum().sum()) == len(defects["impossible_values"])
    stuck = defects["stuck"]
    start = int(np.flatnonzero(wide["timestamp"] == stuck["start"])[0])
    run = wide[stuck["sensor_id"]].iloc[start : start + stuck["hours"]]
    assert (run == stuck["value"]).all()
    per_nbh = pd.Series(
        {k: v["neighbourhood_id"] for k, v in truth["parameters"]["sensing"]["sensors"].items()}
    ).value_counts()
    assert len(per_nbh) >= 8 and per_nbh["fittja"] >= 2 and per_nbh["hallunda"] >= 2


def test_sites_and_sensors_lie_in_their_district(truth: dict[str, Any]) -> None:
    data = json.loads((SAMPLE / "neighbourhoods.geojson").read_text(encoding="utf-8"))
    polys = {f["properties"]["neighbourhood_id"]: shape(f["geometry"]) for f in data["features"]}
    params = truth["parameters"]
    for file, key, id_col in (
        ("sensing/sensors.csv", "sensing", "sensor_id"),
        ("observation/sites.csv", "observation", "site_id"),
    ):
        table = pd.read_csv(SAMPLE / file)
        owners = params[key]["sensors" if key == "sensing" else "sites"]
        for row in table.itertuples():
            nbh = owners[getattr(row, id_col)]["neighbourhood_id"]
            assert polys[nbh].contains(Point(row.lon, row.lat)), getattr(row, id_col)


def test_observation_sessions_and_defects(truth: dict[str, Any]) -> None:
    obs = pd.read_csv(SAMPLE / "observation" / "observation_sessions.csv")
    assert len(obs) == truth["counts"]["observation_sessions"] == 20 * 3 * 36
    assert obs["_id"].is_unique and obs["_uuid"].is_unique
    bad_mixed = obs.loc[obs["interactions/mixed"] > obs["interactions/total"], "_id"]
    assert sorted(bad_mixed) == truth["defects"]["observation"]["mixed_gt_total"]
    start = pd.to_datetime(obs["start"], utc=True, format="ISO8601")
    end = pd.to_datetime(obs["end"], utc=True, format="ISO8601")
    assert (
        sorted(obs.loc[end <= start, "_id"]) == truth["defects"]["observation"]["end_before_start"]
    )


def test_ground_truth_action_and_effects(truth: dict[str, Any]) -> None:
    action = truth["action"]
    assert action["id"] == "fittja-meeting-place" and action["start"] == "2024-06-01"
    effect = action["expected_effect"]
    assert 0.9 < effect["survey_ppltrst_mean"] <= 1.0
    assert effect["digital_negative_share"] < -0.1
    assert effect["observation_mixed_rate"] > 5
    assert effect["sensing_footfall_index"] == pytest.approx(np.exp(0.12) - 1, abs=0.02)
    assert all(
        v == 0 for k, v in truth["placebo"]["expected_effect"].items() if isinstance(v, float)
    )
    assert truth["declining"] == {"neighbourhood_id": "hallunda", "slope_per_year": -0.6}
    assert set(truth["latent_trust"]) == set(municipality.IDS)
    assert len(truth["latent_trust"]["alby"]) == 36


@pytest.mark.slow
def test_regeneration_is_byte_identical(tmp_path: Path, botkyrka: Any) -> None:
    if not (SAMPLE / "GROUND_TRUTH.json").is_file():
        pytest.skip("the packaged sample is missing; run `make sample`")
    result = generate_sample(tmp_path / "s", seed=DEFAULT_SEED)
    assert result["files"]
    for name in result["files"]:
        committed = SAMPLE / name
        assert committed.is_file(), name
        assert (tmp_path / "s" / name).read_bytes() == committed.read_bytes(), name
