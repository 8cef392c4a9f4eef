"""Enrich step: raw adapter rows -> canonical rows, with privacy and geography applied.

Pure functions from data frames to data frames; nothing here touches disk. After this step no
raw identifier is left: author, respondent and observer ids become keyed pseudonyms, texts are
PII-scrubbed, Telegram chat ids in post ids are pseudonymised, and coordinates are reduced to a
neighbourhood id (they are not stored).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from barometer.geo import Boundaries, Gazetteer, assign_neighbourhoods, assign_points
from barometer.nlp.language import detect_languages
from barometer.privacy import Pseudonymiser, scrub_texts
from barometer.schema import OBSERVATIONS, POSTS, SENSOR_READINGS, SURVEY_RESPONSES


def _text_hash(author: str, text: str) -> str:
    normalised = " ".join(text.casefold().split())
    return hashlib.sha256(f"{author}\x1f{normalised}".encode()).hexdigest()[:32]


def hide_chat_ids(
    post_ids: pd.Series, sources: pd.Series, pseudonymiser: Pseudonymiser
) -> pd.Series:
    """Post ids with the Telegram chat id replaced by a keyed pseudonym.

    Telegram message ids are unique only within a chat, so a post id is
    ``telegram:<chat id>:<message id>``; in an export of a personal chat the chat id is the
    other person's user id (or name). It becomes ``telegram:chat-<20 hex>:<message id>``,
    stable for one key (a re-run deduplicates as before), irreversible without it.
    """
    ids = post_ids.astype(str).tolist()
    telegram = (sources == "telegram").to_numpy()
    for index in np.flatnonzero(telegram):
        if ids[index].count(":") < 2:
            continue
        chat, message = ids[index].split(":", 1)[1].rsplit(":", 1)
        hidden = pseudonymiser.pseudonym("telegram-chat", chat).removeprefix("telegram-")
        ids[index] = f"telegram:{hidden}:{message}"
    return pd.Series(ids, index=post_ids.index, dtype=object)


def author_pseudonyms(
    sources: pd.Series, author_ids: pd.Series, pseudonymiser: Pseudonymiser
) -> list[str]:
    """The keyed pseudonym of each (source, author id) pair, one HMAC per distinct pair
    (authors post many times)."""
    known: dict[tuple[str, str], str] = {}
    out: list[str] = []
    # lists, not the columns: iterating an Arrow-backed string column costs 5 us a value
    for source, author_id in zip(sources.tolist(), author_ids.tolist(), strict=True):
        pair = (str(source), str(author_id))  # as the pseudonym's f-string writes them
        pseudonym = known.get(pair)
        if pseudonym is None:
            pseudonym = known[pair] = pseudonymiser.pseudonym(*pair)
        out.append(pseudonym)
    return out


def post_hints(lang_hint: pd.Series) -> list[str | None]:
    """The platform language hints of a batch as detect_languages takes them."""
    return lang_hint.where(lang_hint.notna(), None).tolist()


def enrich_posts(
    raw: pd.DataFrame,
    *,
    boundaries: Boundaries,
    pseudonymiser: Pseudonymiser,
    gazetteer: Gazetteer | None = None,
    language_prior: Mapping[str, float] | None = None,
    detect_language: bool = True,
) -> pd.DataFrame:
    """Social raw rows -> canonical ``posts`` rows.

    Geography is resolved on the raw text (so a place named in a scrubbed-away @handle is not
    used), then the text is scrubbed; ``content_hash`` is a hash of pseudonymous author and
    whitespace/case-normalised scrubbed text, so a copy-pasted repeat is recognisable.

    ``lang`` is detected on the scrubbed text (:func:`~barometer.nlp.language.detect_languages`)
    with the platform hint where it agrees with the script, the author's other posts in the same
    batch and the city's ``language_prior`` (config ``nlp.language_prior``): a code of
    :data:`~barometer.nlp.language.SUPPORTED_LANGUAGES`, ``"other"`` (a language outside them,
    kept with its hint in ``lang_hint``) or ``"und"``. Without ``detect_language``, ``lang``
    is left empty for the caller to fill (:mod:`barometer.enrich_stream`: the author context
    of a whole file streamed in batches).
    """
    if raw.empty:
        return pd.DataFrame(columns=POSTS.columns)
    located = assign_neighbourhoods(raw, boundaries, gazetteer)
    out = pd.DataFrame(index=located.index)
    out["post_id"] = hide_chat_ids(located["post_id"], located["source"], pseudonymiser)
    out["source"] = located["source"]
    out["created_at"] = located["created_at"]
    out["author_pseudonym"] = author_pseudonyms(
        located["source"], located["author_id"], pseudonymiser
    )
    out["text"] = scrub_texts(located["text"])
    out["lang"] = None
    if detect_language:
        out["lang"] = detect_languages(
            out["text"].tolist(),
            hints=post_hints(located["lang_hint"]),
            authors=out["author_pseudonym"].tolist(),
            prior=language_prior,
        )
    out["lang_hint"] = located["lang_hint"]
    out["neighbourhood_id"] = located["neighbourhood_id"]
    out["geo_method"] = located["geo_method"]
    out["engagement"] = located["engagement"]
    out["is_repost"] = located["is_repost"]
    out["content_hash"] = [
        _text_hash(a, t)
        for a, t in zip(out["author_pseudonym"].tolist(), out["text"].tolist(), strict=True)
    ]
    return out[POSTS.columns].reset_index(drop=True)


def locate_sites(sites: pd.DataFrame, boundaries: Boundaries, id_column: str) -> pd.Series:
    """Neighbourhood id per site (sensor or observation site): the site's ``neighbourhood``
    (a boundary id, name or alias, any case) where it names one, else its ``lat``/``lon``."""
    ids = assign_points(boundaries, sites["lon"].to_numpy(), sites["lat"].to_numpy())
    located = pd.Series(ids, index=sites[id_column].astype(str).to_numpy(), dtype=object)
    if "neighbourhood" not in sites.columns:
        return located
    lookup: dict[str, str] = {}
    frame = boundaries.frame
    for nid, name, aliases in zip(
        frame["neighbourhood_id"], frame["name"], frame["aliases"], strict=True
    ):
        for label in (name, *aliases, nid):  # ids last: an id wins over a like-named alias
            lookup[str(label).strip().casefold()] = str(nid)
    named = [
        lookup.get(str(v).strip().casefold()) if isinstance(v, str) else None
        for v in sites["neighbourhood"]
    ]
    return pd.Series(named, index=located.index, dtype=object).fillna(located)


def enrich_sensor_readings(
    readings: pd.DataFrame, sensors: pd.DataFrame, boundaries: Boundaries
) -> pd.DataFrame:
    """Fill ``neighbourhood_id`` of sensor readings from the sensors' coordinates."""
    located = locate_sites(sensors, boundaries, "sensor_id")
    out = readings.copy()
    out["neighbourhood_id"] = out["sensor_id"].map(located).astype(object)
    return out[SENSOR_READINGS.columns]


def enrich_observations(
    sessions: pd.DataFrame,
    sites: pd.DataFrame,
    boundaries: Boundaries,
    pseudonymiser: Pseudonymiser,
) -> pd.DataFrame:
    """Neighbourhood from the site, observer name -> pseudonym."""
    located = locate_sites(sites, boundaries, "site_id")
    out = sessions.copy()
    out["neighbourhood_id"] = out["site_id"].astype(str).map(located).astype(object)
    out["observer_pseudonym"] = pseudonymiser.pseudonymise("observer", out["observer"])
    return out[OBSERVATIONS.columns]


def enrich_survey(responses: pd.DataFrame, pseudonymiser: Pseudonymiser) -> pd.DataFrame:
    """Respondent id -> pseudonym."""
    out = responses.copy()
    out["respondent_pseudonym"] = pseudonymiser.pseudonymise("survey", out["respondent_id"])
    return out[SURVEY_RESPONSES.columns]
