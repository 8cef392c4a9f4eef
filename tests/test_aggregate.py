"""Aggregation of canonical rows into indicator cells: known answers on small frames."""

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from barometer.aggregate import (
    aggregate_digital,
    aggregate_sensing,
    coverage_table,
    footfall_baseline,
    month_start,
    quasi_poisson_rates,
    small_area_cells,
)
from barometer.aggregate.cells import in_zone


def _readings(values: np.ndarray, start: str = "2023-01-01") -> pd.DataFrame:
    ts = pd.date_range(start, periods=len(values), freq="h", tz="UTC")
    return pd.DataFrame(
        {
            "sensor_id": "s1",
            "neighbourhood_id": "west",
            "site_type": "library",
            "ts": ts,
            "metric": "footfall",
            "value": values.astype(float),
            "flag": "ok",
        }
    )


def test_footfall_index_is_one_on_the_baseline_and_doubles_with_traffic() -> None:
    hours = 24 * 7 * 60  # 60 weeks
    profile = np.tile(np.arange(1, 169), 60).astype(float)  # hour-of-week pattern
    readings = _readings(profile)
    late = readings["ts"] >= pd.Timestamp("2024-01-15", tz="UTC")
    readings.loc[late, "value"] *= 2
    cells = aggregate_sensing(readings, level=0.95).set_index("period_start")
    assert len(readings) == hours
    assert cells.loc[pd.Timestamp("2023-06-01").date(), "value"] == pytest.approx(1.0)
    assert cells.loc[pd.Timestamp("2024-02-01").date(), "value"] == pytest.approx(2.0)


def test_flagged_readings_are_excluded_from_baseline_and_index() -> None:
    readings = _readings(np.full(24 * 7 * 60, 10.0))
    readings.loc[100:200, ["value", "flag"]] = [5000.0, "stuck"]
    baseline = footfall_baseline(readings)
    assert (baseline["expected"] == 10.0).all()
    assert len(baseline) == len(readings) - 101


def test_months_are_the_citys_calendar_months() -> None:
    stamps = pd.Series(pd.to_datetime(["2022-12-31T23:30Z", "2023-06-30T22:30Z",
                                       "2023-06-30T21:30Z"]))  # fmt: skip
    assert list(month_start(stamps)) == [pd.Timestamp(d).date() for d in
                                         ("2022-12-01", "2023-06-01", "2023-06-01")]  # fmt: skip
    local = in_zone(stamps.to_frame("ts"), "ts", "Europe/Stockholm")["ts"]
    # 00:30 on 1 January (UTC+1) and 00:30 on 1 July (UTC+2, summer time) in Stockholm;
    # 23:30 on 30 June is still June
    assert list(month_start(local)) == [pd.Timestamp(d).date() for d in
                                        ("2023-01-01", "2023-07-01", "2023-06-01")]  # fmt: skip
    assert (local == stamps).all()  # the same instants


def test_coverage_counts_a_sensor_hour_in_the_citys_month() -> None:
    # the first hour of 2023 in Stockholm is 23:00 on 31 December 2022 in UTC
    readings = _readings(np.ones(3), start="2022-12-31T23:00")
    empty = pd.DataFrame(columns=["neighbourhood_id", "created_at", "is_repost"])
    none = pd.DataFrame(columns=["neighbourhood_id", "interview_date"])
    sessions = pd.DataFrame(columns=["neighbourhood_id", "start"])
    utc = coverage_table(empty, none, readings, sessions)
    assert sorted(map(str, utc["period_start"])) == ["2022-12-01", "2023-01-01"]
    local = coverage_table(empty, none, in_zone(readings, "ts", "Europe/Stockholm"), sessions)
    assert list(map(str, local["period_start"])) == ["2023-01-01"]
    assert local["rows"].sum() == 3


def test_footfall_baseline_follows_the_citys_clock_across_summer_time() -> None:
    # people come by local hour of the week: 08:00 on a Monday is 08:00 in winter and summer
    ts = pd.date_range("2023-01-02", "2024-12-30", freq="h", tz="Europe/Stockholm")
    local = ts.day_of_week * 24 + ts.hour
    readings = _readings(np.ones(len(ts)))
    readings["ts"] = ts.tz_convert("UTC")
    readings["value"] = (1 + local).astype(float)
    second_year = pd.Timestamp("2024-07-01").date()  # out of sample: after the baseline year
    on_city_clock = aggregate_sensing(in_zone(readings, "ts", "Europe/Stockholm"), level=0.95)
    assert on_city_clock.set_index("period_start").loc[second_year, "value"] == pytest.approx(1)
    # on UTC's clock summer time shifts the pattern by an hour, and the index drifts from 1
    on_utc = aggregate_sensing(readings, level=0.95).set_index("period_start")
    assert on_utc.loc[second_year, "value"] != pytest.approx(1, abs=1e-3)


def test_quasi_poisson_equals_poisson_without_overdispersion() -> None:
    sessions = pd.DataFrame({"cell": "a", "x": [5, 5, 5, 5], "n": [50, 50, 50, 50]})
    out = quasi_poisson_rates(sessions, "x", "n", ["cell"], level=0.95).iloc[0]
    assert out["value"] == pytest.approx(0.1) and out["phi"] == 1.0
    assert out["upper"] == pytest.approx(0.1 * np.exp(1.959963984540054 / np.sqrt(20)))


def test_quasi_poisson_widens_with_overdispersion_and_handles_zero() -> None:
    calm = pd.DataFrame({"cell": "a", "x": [5, 5, 5, 5], "n": [50] * 4})
    wild = pd.DataFrame({"cell": "a", "x": [0, 0, 0, 20], "n": [50] * 4})
    zero = pd.DataFrame({"cell": "a", "x": [0, 0], "n": [50, 50]})
    calm_row = quasi_poisson_rates(calm, "x", "n", ["cell"], level=0.95).iloc[0]
    wild_row = quasi_poisson_rates(wild, "x", "n", ["cell"], level=0.95).iloc[0]
    assert wild_row["phi"] > 1
    assert wild_row["upper"] - wild_row["lower"] > calm_row["upper"] - calm_row["lower"]
    zero_row = quasi_poisson_rates(zero, "x", "n", ["cell"], level=0.95).iloc[0]
    assert zero_row["value"] == 0 and zero_row["lower"] == 0
    assert zero_row["upper"] == pytest.approx(3.688879454113936 / 100)


def test_digital_shares_count_each_author_once_and_skip_reposts() -> None:
    posts = pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(12)],
            "author_pseudonym": ["loud"] * 10 + ["calm", "calm"],
            "neighbourhood_id": "west",
            "created_at": pd.Timestamp("2024-05-02", tz="UTC"),
            "is_repost": [False] * 11 + [True],
        }
    )
    scores = pd.DataFrame(
        {
            "post_id": posts["post_id"],
            "task": "sentiment",
            "model_version": "v",
            "label": ["negative"] * 10 + ["positive", "negative"],
            "probability": np.nan,
        }
    )
    cells = aggregate_digital(posts, scores, n_boot=99, level=0.95, seed=1)
    row = cells[cells["indicator"] == "digital_negative_share"].iloc[0]
    assert row["value"] == pytest.approx(0.5)  # loud: 1.0, calm: 0.0 (repost ignored)
    assert row["n_effective"] == 2


def test_small_area_estimates_shrink_noisy_areas() -> None:
    """Intercept-only Fay-Herriot, checked value by value: A maximises the REML likelihood
    (found here by a scalar optimiser, not Fisher scoring), the EBLUP is
    mu + gamma (y - mu) with gamma = A / (A + D), and the MSE is Prasad-Rao's
    g1 + g2 + 2 g3 (Rao & Molina 2015, eq. 6.2.22)."""
    rng = np.random.default_rng(4)
    n_areas = 12
    truth = rng.normal(6, 0.5, n_areas)
    se = np.where(np.arange(n_areas) < 6, 0.2, 1.0)
    y = truth + rng.normal(0, se)
    direct = pd.DataFrame(
        {
            "neighbourhood_id": [f"n{i}" for i in range(n_areas)],
            "period_start": pd.Timestamp("2024-03-01").date(),
            "value": y,
            "se": se,
            "n_effective": 40.0,
        }
    )
    cells = small_area_cells(direct, pd.DataFrame(columns=["indicator"]), level=0.95)
    assert len(cells) == n_areas and set(cells["indicator"]) == {"survey_ppltrst_fh"}
    d = se**2

    def neg_reml(a: float) -> float:
        v = a + d
        mu = (y / v).sum() / (1 / v).sum()
        return 0.5 * (np.log(v).sum() + np.log((1 / v).sum()) + ((y - mu) ** 2 / v).sum())

    a = optimize.minimize_scalar(neg_reml, bounds=(1e-8, 5.0), method="bounded").x
    v = a + d
    mu = (y / v).sum() / (1 / v).sum()
    gamma = a / v
    eblup = mu + gamma * (y - mu)
    b = d / v
    mse = d * gamma + b**2 / (1 / v).sum() + 2 * b**2 * (2 / (1 / v**2).sum()) / v
    got = cells.set_index("neighbourhood_id").loc[direct["neighbourhood_id"]]
    np.testing.assert_allclose(got["value"], eblup, rtol=1e-4)
    half_width = (got["upper"] - got["lower"]).to_numpy() / 2
    np.testing.assert_allclose(half_width, 1.959963984540054 * np.sqrt(mse), rtol=1e-3)
    # the noisy areas (se 1.0) move most of the way to the mean; the precise ones barely
    moved = np.abs(got["value"].to_numpy() - y) / np.abs(mu - y)
    assert (moved[6:] > 0.5).all() and (moved[:6] < 0.5).all()
    assert (half_width[6:] < 1.959963984540054 * se[6:]).all()


def _posts(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(len(rows))],
            "author_pseudonym": [r[0] for r in rows],
            "created_at": pd.to_datetime([r[1] for r in rows], utc=True),
            "text": [r[2] for r in rows],
            "lang": "sv",
            "neighbourhood_id": "west",
            "is_repost": False,
        }
    )


def test_term_shifts_publish_only_terms_of_enough_authors() -> None:
    from barometer.aggregate.terms import term_shifts

    rows = []
    for i in range(12):  # "festival" rises, "buss" falls, "sällsynt" is rare
        rows.append((f"a{i}", "2024-12-05", "festival festival på torget"))
        rows.append((f"b{i}", "2024-03-05", "väntar på buss vid torget"))
        rows.append((f"e{i}", "2024-06-05", "buss"))
        rows.append((f"d{i}", "2024-05-05", "festival i parken"))
    for i in range(10):
        rows.append((f"c{i}", "2024-11-05", "buss och torget"))
    rows.append(("z", "2024-12-06", "sällsynt ord <user> https://x.org"))
    out = term_shifts(_posts(rows), min_authors=10).set_index(["neighbourhood_id", "term"])
    assert ("west", "sällsynt") not in out.index and ("west", "user") not in out.index
    assert out.loc[("west", "festival"), "shift"] > 0 > out.loc[("west", "buss"), "shift"]
    assert out.loc[("all", "festival"), "n_authors_recent"] == 12
    assert set(out.reset_index()["neighbourhood_id"]) == {"west", "all"}


def test_term_shifts_count_inflected_forms_as_one_lemma() -> None:
    from barometer.aggregate.terms import term_shifts

    rows = []
    forms = ["grannarna", "grannar", "grannen"]  # 4 authors each: 12 for the lemma "granne"
    for i in range(12):
        rows.append((f"a{i}", "2024-12-05", f"mina {forms[i % 3]} är snälla"))
        rows.append((f"b{i}", "2024-03-05", f"{forms[i % 3]} hälsar aldrig"))
    by_lemma = term_shifts(_posts(rows), min_authors=10, lemmas=True)
    by_lemma = by_lemma.set_index(["neighbourhood_id", "term"])
    assert by_lemma.loc[("west", "granne"), "n_authors_recent"] == 12
    assert not {"grannarna", "grannar", "grannen"} & set(by_lemma.reset_index()["term"])
    by_form = term_shifts(_posts(rows), min_authors=10)  # default: word forms
    assert not {"granne", "grannarna", "grannar", "grannen"} & set(by_form["term"])


def test_suppression_floor_protects_people_only() -> None:
    from barometer.publish import suppress_cells

    cells = pd.DataFrame(
        {
            "indicator": [
                "digital_negative_share",
                "observation_mixed_rate",
                "survey_ppltrst_mean",
            ],
            "value": [0.3, 20.0, 6.0],
            "lower": [0.2, 10.0, 5.0],
            "upper": [0.4, 30.0, 7.0],
            "n_effective": [9.0, 4.0, 12.0],
        }
    )
    out = suppress_cells(cells, min_cell_size=10).set_index("indicator")
    assert bool(out.loc["digital_negative_share", "suppressed"])  # 9 authors < 10
    assert not bool(out.loc["observation_mixed_rate", "suppressed"])  # 4 sessions >= 3
    assert not bool(out.loc["survey_ppltrst_mean", "suppressed"])
    assert pd.isna(out.loc["digital_negative_share", "value"])
    relaxed = suppress_cells(cells, min_cell_size=10, overrides={"observation_mixed_rate": 5})
    assert bool(relaxed.set_index("indicator").loc["observation_mixed_rate", "suppressed"])


def _wave_and_margins() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 400
    wave = pd.DataFrame(
        {
            "neighbourhood_id": rng.choice(["west", "east"], n),
            "age_group": rng.choice(["16-29", "30-44", "45-64", "65+"], n),
            "sex": rng.choice(["female", "male"], n),
            "born_abroad": rng.random(n) < 0.4,
            "weight": rng.uniform(50, 150, n),
            "stratum": "all",
            "psu": [f"p{i // 4}" for i in range(n)],
        }
    )
    cells = pd.MultiIndex.from_product(
        [["west", "east"], ["16-29", "30-44", "45-64", "65+"], ["female", "male"], [False, True]],
        names=["neighbourhood_id", "age_group", "sex", "born_abroad"],
    ).to_frame(index=False)
    cells["population"] = rng.integers(500, 2000, len(cells))
    return wave, cells


def test_raking_reproduces_the_margins() -> None:
    from barometer.aggregate.survey import wave_design

    wave, margins = _wave_and_margins()
    raked = wave.assign(weight=wave_design(wave, margins).weights)
    by_origin = raked.groupby(["neighbourhood_id", "born_abroad"])["weight"].sum()
    target = margins.groupby(["neighbourhood_id", "born_abroad"])["population"].sum()
    pd.testing.assert_series_equal(by_origin, target.astype(float), check_names=False, rtol=1e-6)
    by_age = raked.groupby("age_group")["weight"].sum()
    assert by_age.to_numpy() == pytest.approx(
        margins.groupby("age_group")["population"].sum().to_numpy(), rel=1e-6
    )


def test_raking_names_an_impossible_margin() -> None:
    from barometer.aggregate.survey import wave_design
    from barometer.exceptions import EstimationError

    wave, margins = _wave_and_margins()
    wave = wave[~((wave["neighbourhood_id"] == "east") & wave["born_abroad"])]
    with pytest.raises(EstimationError, match="margin_born_abroad"):
        wave_design(wave, margins)


def test_raked_intervals_use_what_the_margins_know() -> None:
    """An item fully determined by neighbourhood x origin (a raking margin) is known exactly
    once the weights are raked: its raked standard error is 0, the unraked one is not."""
    from barometer.aggregate.survey import wave_design

    wave, margins = _wave_and_margins()
    wave = wave.assign(item=np.where(wave["born_abroad"], 4.0, 7.0) + (wave["neighbourhood_id"]
                                                                     == "east"))  # fmt: skip
    raked = wave_design(wave, margins).by("neighbourhood_id").mean("item")
    fixed = wave_design(wave).by("neighbourhood_id").mean("item")
    assert (fixed["se"] > 0.05).all()
    np.testing.assert_allclose(raked["se"], 0.0, atol=1e-9)
    share = margins.groupby(["neighbourhood_id", "born_abroad"])["population"].sum()
    for _, row in raked.iterrows():
        born = share[row["neighbourhood_id"]]
        truth = (born[True] * 4 + born[False] * 7) / born.sum() + (
            row["neighbourhood_id"] == "east"
        )
        assert row["value"] == pytest.approx(truth)
