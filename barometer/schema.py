"""The canonical tables of the barometer, as pyarrow schemas, with validation.

Every column name used anywhere in the library is defined here once. All timestamps are UTC
(``timestamp[us, tz=UTC]``) and all ids are strings. Survey items are on a 0-10 scale
(0 = no trust at all, 10 = complete trust), whatever scale the source questionnaire used.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from barometer.exceptions import SchemaError

UTC_TS = pa.timestamp("us", tz="UTC")

#: Canonical survey items (0-10). ESS names where the ESS has the item.
SURVEY_ITEMS: tuple[str, ...] = (
    "ppltrst",  # most people can be trusted
    "pplfair",  # most people try to be fair
    "pplhlp",  # most people try to be helpful
    "trust_neighbours",  # people in this neighbourhood can be trusted
    "trust_police",
    "trust_municipality",
    "trust_other_origin",  # trust in people of another origin than one's own
    "belonging",  # feels part of the neighbourhood
)

AGE_GROUPS: tuple[str, ...] = ("16-29", "30-44", "45-64", "65+")
SEXES: tuple[str, ...] = ("female", "male")
GEO_METHODS: tuple[str, ...] = ("coords", "place", "gazetteer", "none")
PERIODS: tuple[str, ...] = ("W", "M", "Q")


@dataclass(frozen=True)
class Table:
    """A canonical table: its name, its arrow schema and the columns that identify a row."""

    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    description: str

    @property
    def columns(self) -> list[str]:
        return list(self.schema.names)


POSTS = Table(
    name="posts",
    schema=pa.schema(
        [
            ("post_id", pa.string()),
            ("source", pa.string()),
            ("created_at", UTC_TS),
            ("author_pseudonym", pa.string()),
            ("text", pa.string()),
            ("lang", pa.string()),
            ("lang_hint", pa.string()),
            ("neighbourhood_id", pa.string()),
            ("geo_method", pa.string()),
            ("engagement", pa.int64()),
            ("is_repost", pa.bool_()),
            ("content_hash", pa.string()),
        ]
    ),
    key=("post_id",),
    description="Public social-media posts, PII-scrubbed, one row per post.",
)

POST_SCORES = Table(
    name="post_scores",
    schema=pa.schema(
        [
            ("post_id", pa.string()),
            ("task", pa.string()),
            ("model_version", pa.string()),
            ("label", pa.string()),
            ("probability", pa.float64()),
        ]
    ),
    key=("post_id", "task", "model_version", "label"),
    description="One row per post, task and label, with the model's probability (0-1).",
)

SURVEY_RESPONSES = Table(
    name="survey_responses",
    schema=pa.schema(
        [
            ("respondent_pseudonym", pa.string()),
            ("wave", pa.string()),
            ("interview_date", UTC_TS),
            ("neighbourhood_id", pa.string()),
            ("weight", pa.float64()),
            ("stratum", pa.string()),
            ("psu", pa.string()),
            *[(item, pa.float64()) for item in SURVEY_ITEMS],
            ("age_group", pa.string()),
            ("sex", pa.string()),
            ("born_abroad", pa.bool_()),
        ]
    ),
    key=("respondent_pseudonym", "wave"),
    description="Survey answers on canonical 0-10 items with design weights, strata and PSUs.",
)

SENSOR_READINGS = Table(
    name="sensor_readings",
    schema=pa.schema(
        [
            ("sensor_id", pa.string()),
            ("neighbourhood_id", pa.string()),
            ("site_type", pa.string()),
            ("ts", UTC_TS),
            ("metric", pa.string()),
            ("value", pa.float64()),
            ("flag", pa.string()),
        ]
    ),
    key=("sensor_id", "ts", "metric"),
    description="Hourly counter values; `flag` marks gaps, stuck counters or impossible values "
    "('ok' otherwise). Flagged rows are kept, never deleted.",
)

OBSERVATIONS = Table(
    name="observations",
    schema=pa.schema(
        [
            ("observation_id", pa.string()),
            ("site_id", pa.string()),
            ("neighbourhood_id", pa.string()),
            ("start", UTC_TS),
            ("end", UTC_TS),
            ("n_people", pa.int64()),
            ("n_interactions", pa.int64()),
            ("n_mixed_interactions", pa.int64()),
            ("n_conflicts", pa.int64()),
            ("observer_pseudonym", pa.string()),
        ]
    ),
    key=("observation_id",),
    description="Structured observation sessions of public spaces.",
)

NEIGHBOURHOODS = Table(
    name="neighbourhoods",
    schema=pa.schema(
        [
            ("neighbourhood_id", pa.string()),
            ("name", pa.string()),
            ("aliases", pa.list_(pa.string())),
            ("geometry_wkt", pa.string()),
            ("population", pa.int64()),
        ]
    ),
    key=("neighbourhood_id",),
    description="Neighbourhood boundaries (WGS84 WKT) and population.",
)

POPULATION_MARGINS = Table(
    name="population_margins",
    schema=pa.schema(
        [
            ("neighbourhood_id", pa.string()),
            ("age_group", pa.string()),
            ("sex", pa.string()),
            ("born_abroad", pa.bool_()),
            ("population", pa.int64()),
        ]
    ),
    key=("neighbourhood_id", "age_group", "sex", "born_abroad"),
    description="Residents aged 16+ per neighbourhood by age group x sex x born abroad.",
)

INDICATORS = Table(
    name="indicators",
    schema=pa.schema(
        [
            ("neighbourhood_id", pa.string()),
            ("period_start", pa.date32()),
            ("period", pa.string()),
            ("indicator", pa.string()),
            ("value", pa.float64()),
            ("lower", pa.float64()),
            ("upper", pa.float64()),
            ("n_effective", pa.float64()),
            ("method", pa.string()),
            ("suppressed", pa.bool_()),
            ("validity", pa.string()),
            ("validity_note", pa.string()),
            ("run_id", pa.string()),
        ]
    ),
    key=("neighbourhood_id", "period_start", "period", "indicator"),
    description=(
        "Published indicators, long format; suppressed cells have no value/lower/upper; "
        "validity: validated / not_validated / NULL (no text model), validity_note: the "
        "task:version:language:status pairs it rests on (barometer.validity)"
    ),
)

QUARANTINE = Table(
    name="quarantine",
    schema=pa.schema(
        [
            ("source", pa.string()),
            ("file", pa.string()),
            ("line", pa.int64()),
            ("record", pa.int64()),
            ("field", pa.string()),
            ("reason", pa.string()),
            ("raw", pa.string()),
            ("run_id", pa.string()),
        ]
    ),
    key=("source", "file", "line", "record", "field", "reason"),
    description="Rejected input rows: where they came from and why (raw is PII-scrubbed). "
    "`record` numbers the rejected records of a file in reading order, so that records "
    "rejected on one line for the same reason (tweets of one X page) each keep their row.",
)

ERASURES = Table(
    name="erasures",
    schema=pa.schema(
        [
            ("namespace", pa.string()),
            ("pseudonym", pa.string()),
            ("erased_at", UTC_TS),
        ]
    ),
    key=("namespace", "pseudonym"),
    description="People erased on request (GDPR art. 17), by pseudonym only: their rows are "
    "deleted and rows of theirs in files ingested later are not stored.",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        POSTS,
        POST_SCORES,
        SURVEY_RESPONSES,
        SENSOR_READINGS,
        OBSERVATIONS,
        NEIGHBOURHOODS,
        POPULATION_MARGINS,
        INDICATORS,
        QUARANTINE,
        ERASURES,
    )
}


def empty_frame(table: Table) -> pd.DataFrame:
    """Return an empty data frame with the table's columns and dtypes."""
    return table.schema.empty_table().to_pandas()


def to_arrow(df: pd.DataFrame, table: Table) -> pa.Table:
    """Convert ``df`` to an arrow table of exactly ``table``'s schema.

    Raises :class:`SchemaError` naming the table and the columns that are missing or extra,
    or the column whose values cannot be cast.
    """
    missing = [c for c in table.columns if c not in df.columns]
    extra = [c for c in df.columns if c not in table.columns]
    if missing or extra:
        raise SchemaError(
            f"table '{table.name}': expected columns {table.columns}; "
            f"missing {missing or 'none'}, unexpected {extra or 'none'}"
        )
    arrays = []
    for field in table.schema:
        column = df[field.name]
        try:
            if pa.types.is_timestamp(field.type):
                column = pd.to_datetime(column, utc=True)
            arrays.append(pa.array(column, type=field.type, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, TypeError) as exc:
            raise SchemaError(
                f"table '{table.name}', column '{field.name}': cannot store values as "
                f"{field.type}: {exc}"
            ) from exc
    return pa.Table.from_arrays(arrays, schema=table.schema)


def validate(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Check ``df`` against ``table`` and return it with canonical dtypes and column order.

    Also checks that the key columns are present, non-null and unique.
    """
    arrow = to_arrow(df, table)
    out = arrow.to_pandas()
    key = list(table.key)
    null_keys = out[key].isna().any(axis=1)
    if null_keys.any():
        first = int(null_keys.to_numpy().nonzero()[0][0])
        raise SchemaError(f"table '{table.name}': row {first} has an empty key column in {key}")
    duplicated = out.duplicated(subset=key)
    if duplicated.any():
        first = int(duplicated.to_numpy().nonzero()[0][0])
        raise SchemaError(
            f"table '{table.name}': row {first} repeats the key {key} of an earlier row"
        )
    return out
