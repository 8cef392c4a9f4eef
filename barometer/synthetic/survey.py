"""The simulated fieldwork-agency survey: SPSS file and the codebook mapping it to canonical items.

Six cross-sectional waves, stratified by district (stratum), 6 address clusters (PSUs) per
stratum and wave. For a respondent in district ``n`` interviewed in month ``m`` with
respondent effect ``u ~ N(0, 1.1)``, cluster effect ``c ~ N(0, 0.3)``, a centred age effect
``a`` and item noise ``e ~ N(0, 1)`` (fresh per item), the latent level is
``L = T[n, m] + u + c + a`` and e.g. ``Q1_PPLTRST = clip(round(L + e), 0, 10)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from barometer.exceptions import InputError
from barometer.synthetic._common import as_float
from barometer.synthetic.municipality import DISTRICTS, IDS

WAVES: tuple[tuple[str, str], ...] = (
    ("2023A", "2023-03"),
    ("2023B", "2023-10"),
    ("2024A", "2024-03"),
    ("2024B", "2024-10"),
    ("2025A", "2025-03"),
    ("2025B", "2025-10"),
)
PARAMS: dict[str, Any] = {
    "respondents_per_wave": 350,
    "psus_per_stratum_wave": 6,
    "allocation": "proportional to sqrt(population), at least 24 per stratum",
    "sd_respondent": 1.1,
    "sd_psu": 0.3,
    "sd_item": 1.0,
    "age_effect": {"16-29": -0.4, "30-44": -0.1, "45-64": 0.1, "65+": 0.4},
    "age_effect_note": "centred per district on its 16+ population margins",
    "response_propensity": {"16-29": 0.7, "30-44": 0.9, "45-64": 1.1, "65+": 1.3},
    "missing_code_share": 0.03,
    "items": {
        "Q1_PPLTRST": "clip(round(L + e), 0, 10)",
        "Q2_PPLFAIR": "clip(round(L + 0.3 + e), 0, 10)",
        "Q3_PPLHLP": "clip(round(L - 0.4 + e), 0, 10)",
        "Q4_NEIGH_TRUST": "clip(round(1 + 0.4 (L + e)), 1, 5)",
        "Q5_TRUST_POLICE": "clip(round(6.8 + 0.4 (L - 6) + 1.3 e), 0, 10)",
        "Q6_TRUST_MUNIC": "clip(round(5.2 + 0.5 (L - 6) + 1.3 e), 0, 10)",
        "Q7_TRUST_OTHER_ORIGIN": "clip(round(L - 0.3 + e), 0, 10)",
        "Q8_BELONG": "clip(round(1 + 0.4 (10 - (L + e))), 1, 5)  (outsider, reversed)",
    },
}
TRUST_LABELS: dict[float | int, str] = {0: "No trust at all", 10: "Complete trust"}
MISSING_LABELS: dict[float | int, str] = {77: "Refusal", 88: "Don't know", 99: "No answer"}
AGREE_LABELS: dict[float | int, str] = {
    1: "Disagree strongly",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Agree strongly",
}
COLUMN_LABELS: dict[str, str | None] = {
    "RESP_ID": "Respondent identifier",
    "WAVE": "Survey wave",
    "INT_DATE": "Interview date",
    "DISTRICT": "District of residence",
    "WEIGHT": "Design weight (incl. nonresponse adj.)",
    "STRATUM": "Sampling stratum",
    "PSU": "Primary sampling unit (address cluster)",
    "Q1_PPLTRST": "Most people can be trusted or you can't be too careful",
    "Q2_PPLFAIR": "Most people try to take advantage of you or try to be fair",
    "Q3_PPLHLP": "Most of the time people helpful or mostly looking out for themselves",
    "Q4_NEIGH_TRUST": "People around here can be trusted",
    "Q5_TRUST_POLICE": "Trust in the police",
    "Q6_TRUST_MUNIC": "Trust in the municipality",
    "Q7_TRUST_OTHER_ORIGIN": "Trust in people of another origin than your own",
    "Q8_BELONG": "I feel like an outsider in my neighbourhood",
    "AGE": "Age in years",
    "SEX": "Sex",
    "BORN_ABROAD": "Born outside Sweden",
}
ITEMS_0_10 = (
    "Q1_PPLTRST",
    "Q2_PPLFAIR",
    "Q3_PPLHLP",
    "Q5_TRUST_POLICE",
    "Q6_TRUST_MUNIC",
    "Q7_TRUST_OTHER_ORIGIN",
)
ITEMS_1_5 = ("Q4_NEIGH_TRUST", "Q8_BELONG")
AGE_RANGE = {"16-29": (16, 29), "30-44": (30, 44), "45-64": (45, 64), "65+": (65, 92)}


def _items(rng: np.random.Generator, level: np.ndarray) -> dict[str, np.ndarray]:
    n = len(level)

    def e(sd: float = 1.0) -> np.ndarray:
        return rng.normal(0.0, sd, n)

    def r(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
        return np.clip(np.round(x), lo, hi)

    return {
        "Q1_PPLTRST": r(level + e(), 0, 10),
        "Q2_PPLFAIR": r(level + 0.3 + e(), 0, 10),
        "Q3_PPLHLP": r(level - 0.4 + e(), 0, 10),
        "Q4_NEIGH_TRUST": r(1 + 0.4 * (level + e()), 1, 5),
        "Q5_TRUST_POLICE": r(6.8 + 0.4 * (level - 6) + e(1.3), 0, 10),
        "Q6_TRUST_MUNIC": r(5.2 + 0.5 * (level - 6) + e(1.3), 0, 10),
        "Q7_TRUST_OTHER_ORIGIN": r(level - 0.3 + e(), 0, 10),
        "Q8_BELONG": r(1 + 0.4 * (10 - (level + e())), 1, 5),
    }


def simulate_survey(
    rng: np.random.Generator, trust: pd.DataFrame, margins: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Simulate all waves; return the agency frame and the planted defects."""
    pops = margins.groupby("neighbourhood_id")["population"].sum()
    sq = np.sqrt(pops.loc[list(IDS)].to_numpy(dtype=float))
    alloc = np.maximum(24, np.round(PARAMS["respondents_per_wave"] * sq / sq.sum())).astype(int)
    eff, prop = PARAMS["age_effect"], PARAMS["response_propensity"]
    frames = []
    serial = 0
    for w, (wave, month) in enumerate(WAVES, start=1):
        for s, nbh in enumerate(IDS, start=1):
            cells = margins[margins["neighbourhood_id"] == nbh].reset_index(drop=True)
            share = cells["population"] / cells["population"].sum()
            centre = float((share * cells["age_group"].map(eff)).sum())
            p = share * cells["age_group"].map(prop)
            n = int(alloc[s - 1])
            pick = rng.choice(len(cells), n, p=(p / p.sum()).to_numpy())
            c = cells.loc[pick].reset_index(drop=True)
            psu = rng.integers(1, PARAMS["psus_per_stratum_wave"] + 1, n)
            psu_eff = rng.normal(0, PARAMS["sd_psu"], PARAMS["psus_per_stratum_wave"])[psu - 1]
            level = (
                as_float(trust.at[nbh, month])
                + rng.normal(0, PARAMS["sd_respondent"], n)
                + psu_eff
                + c["age_group"].map(eff).to_numpy()
                - centre
            )
            nr_adj = np.clip(
                1.0 / c["age_group"].map(prop).to_numpy() * rng.lognormal(0, 0.08, n), 0.7, 1.4
            )
            lo_hi = [AGE_RANGE[a] for a in c["age_group"]]
            day = rng.integers(1, 29, n)
            df = pd.DataFrame(
                {
                    "RESP_ID": [f"BT-{wave}-{serial + i + 1:05d}" for i in range(n)],
                    "WAVE": month,
                    "INT_DATE": pd.to_datetime([f"{month}-{d:02d}" for d in day]),
                    "DISTRICT": s,
                    "WEIGHT": np.round(pops[nbh] / n * nr_adj, 4),
                    "STRATUM": s,
                    "PSU": s * 1000 + w * 10 + psu,
                    **_items(rng, level),
                    "AGE": [int(rng.integers(a, b + 1)) for a, b in lo_hi],
                    "SEX": np.where(c["sex"] == "male", 1, 2),
                    "BORN_ABROAD": np.where(c["born_abroad"] == 1, 1, 2),
                }
            )
            serial += n
            frames.append(df)
    data = pd.concat(frames, ignore_index=True)
    defects = _plant_defects(rng, data)
    return data, defects


def _plant_defects(rng: np.random.Generator, data: pd.DataFrame) -> dict[str, Any]:
    items = list(ITEMS_0_10 + ITEMS_1_5)
    block = data[items].to_numpy()
    miss = rng.random(block.shape) < PARAMS["missing_code_share"]
    codes = rng.choice([77, 88, 99], block.shape, p=[0.2, 0.65, 0.15])
    block = np.where(miss, codes, block)
    data[items] = block
    impossible = [
        ("Q1_PPLTRST", 55),
        ("Q2_PPLFAIR", 11),
        ("Q4_NEIGH_TRUST", 7),
        ("Q7_TRUST_OTHER_ORIGIN", -1),
        ("Q8_BELONG", 0),
    ]
    rows = rng.choice(len(data), len(impossible), replace=False)
    planted = []
    for r, (col, value) in zip(rows, impossible, strict=True):
        data.at[int(r), col] = value
        planted.append({"RESP_ID": data.at[int(r), "RESP_ID"], "variable": col, "value": value})
    final = data[items].to_numpy()
    return {
        "missing_codes": {str(c): int((final == c).sum()) for c in (77, 88, 99)},
        "impossible_values": planted,
    }


def write_survey(path: Path, data: pd.DataFrame) -> None:
    """Write the agency frame as SPSS ``.sav`` with column and value labels."""
    district_labels: dict[float | int, str] = {i: d.name for i, d in enumerate(DISTRICTS, start=1)}
    value_labels: dict[str, dict[float | int, str]] = {
        "DISTRICT": dict(district_labels),
        "STRATUM": dict(district_labels),
        "SEX": {1: "Male", 2: "Female"},
        "BORN_ABROAD": {1: "Yes", 2: "No"},
    }
    for col in ITEMS_0_10:
        value_labels[col] = {**TRUST_LABELS, **MISSING_LABELS}
    value_labels["Q1_PPLTRST"] = {
        0: "You can't be too careful",
        10: "Most people can be trusted",
        **MISSING_LABELS,
    }
    for col in ITEMS_1_5:
        value_labels[col] = {**AGREE_LABELS, **MISSING_LABELS}
    missing_ranges: dict[str, list[Any]] = {c: [77, 88, 99] for c in ITEMS_0_10 + ITEMS_1_5}
    path.parent.mkdir(parents=True, exist_ok=True)
    pyreadstat.write_sav(
        data,
        str(path),
        column_labels=COLUMN_LABELS,
        variable_value_labels=value_labels,
        missing_ranges=missing_ranges,
        file_label="Botkyrka trust survey (synthetic)",
        variable_measure={c: "ordinal" for c in ITEMS_0_10 + ITEMS_1_5},
    )
    _fix_header_timestamp(path)


#: Creation date and time written into the SPSS header instead of the wall clock.
SAV_CREATED = (b"31 Oct 25", b"12:00:00")


def _fix_header_timestamp(path: Path) -> None:
    """Overwrite the creation date/time of the ``.sav`` header so the file is reproducible.

    The SPSS system-file header holds a 9-byte date (``dd Mon yy``) at byte 92 and an 8-byte
    time (``hh:mm:ss``) at byte 101.
    """
    raw = bytearray(path.read_bytes())
    if raw[:4] != b"$FL2" or raw[103:104] != b":" or raw[106:107] != b":":
        raise InputError(f"{path}: unexpected SPSS header layout, cannot fix its timestamp")
    raw[92:101], raw[101:109] = SAV_CREATED
    path.write_bytes(bytes(raw))


def _mapping(codes: dict[int, str]) -> list[str]:
    return [f'"{k}" = "{v}"' for k, v in codes.items()]


#: canonical item -> (source column, scale min, scale max, reverse)
CANONICAL: dict[str, tuple[str, int, int, bool]] = {
    "ppltrst": ("Q1_PPLTRST", 0, 10, False),
    "pplfair": ("Q2_PPLFAIR", 0, 10, False),
    "pplhlp": ("Q3_PPLHLP", 0, 10, False),
    "trust_neighbours": ("Q4_NEIGH_TRUST", 1, 5, False),
    "trust_police": ("Q5_TRUST_POLICE", 0, 10, False),
    "trust_municipality": ("Q6_TRUST_MUNIC", 0, 10, False),
    "trust_other_origin": ("Q7_TRUST_OTHER_ORIGIN", 0, 10, False),
    "belonging": ("Q8_BELONG", 1, 5, True),
}


#: the comment block at the top of the codebook: what each table holds
CODEBOOK_HEADER = (
    "# Codebook: botkyrka_trust_survey.sav -> barometer's canonical survey items",
    "# (barometer.schema.SURVEY_ITEMS), read by barometer.ingest.survey.load_codebook.",
    "#",
    "# [design]              columns holding the design variables; WAVE is the fieldwork",
    "#                       month (YYYY-MM), INT_DATE an SPSS date, WEIGHT the design weight",
    "#                       (incl. nonresponse adjustment), STRATUM the district, PSU the",
    "#                       address cluster (unique across strata and waves).",
    "# [design.neighbourhood_codes]  code in the file -> neighbourhood_id.",
    "# [items.<canonical>]   source = column; scale_min/scale_max = the answer scale as",
    "#                       asked; reverse = true when the highest answer means the LEAST",
    "#                       trust/belonging; missing_codes = refusal (77), don't know (88),",
    "#                       no answer (99). The ingester rescales linearly to 0-10",
    "#                       (10 * (v - scale_min) / (scale_max - scale_min), then 10 - value",
    "#                       if reverse); other out-of-scale values are quarantined.",
    "# [demographics]        AGE in years (banded 16-29, 30-44, 45-64, 65+ by the ingester);",
    "#                       sex_codes / born_abroad_codes map the file's codes.",
)


def codebook_toml() -> str:
    """The codebook mapping the agency file to barometer's canonical survey items (TOML text).

    The layout is the one :mod:`barometer.ingest.survey` reads (``load_codebook``).
    """
    lines = [
        *CODEBOOK_HEADER,
        "",
        "[design]",
        'respondent_id = "RESP_ID"',
        'wave = "WAVE"',
        'interview_date = "INT_DATE"',
        'neighbourhood = "DISTRICT"',
        'weight = "WEIGHT"',
        'stratum = "STRATUM"',
        'psu = "PSU"',
        "",
        "[design.neighbourhood_codes]",
        *_mapping({i: d.neighbourhood_id for i, d in enumerate(DISTRICTS, start=1)}),
        "",
    ]
    for item, (src, lo, hi, rev) in CANONICAL.items():
        lines += [
            f"[items.{item}]",
            f'source = "{src}"',
            f"scale_min = {lo}",
            f"scale_max = {hi}",
            f"reverse = {'true' if rev else 'false'}",
            "missing_codes = [77, 88, 99]",
            "",
        ]
    lines += [
        "[demographics]",
        'age = "AGE"',
        'sex = "SEX"',
        'born_abroad = "BORN_ABROAD"',
        "",
        "[demographics.sex_codes]",
        '"1" = "male"',
        '"2" = "female"',
        "",
        "[demographics.born_abroad_codes]",
        '"1" = true',
        '"2" = false',
        "",
    ]
    return "\n".join(lines)
