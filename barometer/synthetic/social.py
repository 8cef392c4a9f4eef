"""Simulated social-media posts: authors, timing, language, sentiment, geography and text.

Sentiment of an organic post by an author whose (home or, for municipality-wide authors, drawn)
neighbourhood ``n`` has latent trust ``T = T[n, month]`` (0-10)::

    P(negative) = sigmoid(-0.9 (T - 5.5) - 0.3)
    P(positive) = (1 - P(negative)) * sigmoid(0.9 (T - 5.5) - 0.3)
    P(neutral)  = 1 - P(negative) - P(positive)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Point, Polygon

from barometer.synthetic._common import TIMEZONE, luhn_digit, months, sigmoid
from barometer.synthetic.municipality import DISTRICTS, HIGH_IMMIGRATION, IDS, random_points_in
from barometer.synthetic.texts import (
    CLASSES,
    EMOJIS,
    FILLERS,
    HASHTAGS,
    PROMO,
    SHORT,
    TEMPLATES,
)

PARAMS: dict[str, Any] = {
    "n_authors": 6000,
    "n_organic_posts": 52000,
    "municipality_wide_author_share": 0.10,
    "activity_lognormal_sigma": 1.4,
    "x_account_share": 0.70,
    "lang_primary_share": 0.90,
    "author_lang_high_immigration": {"sv": 0.30, "en": 0.07, "ar": 0.23, "tr": 0.20, "so": 0.20},
    "author_lang_other": {"sv": 0.72, "en": 0.08, "ar": 0.07, "tr": 0.06, "so": 0.07},
    "geo_channel_x": {"coords": 0.50, "place": 0.20, "none": 0.30},
    "geo_channel_mastodon": {"coords": 0.0, "place": 0.37, "none": 0.63},
    "und_short_share": 0.03,
    "repost_share": 0.05,
    "pii_share": 0.01,
    "sentiment": "P(neg)=sigmoid(-0.9*(T-5.5)-0.3); P(pos)=(1-P(neg))*sigmoid(0.9*(T-5.5)-0.3)",
    "n_bots": 3,
    "bot_posts_each": 400,
}
#: Nouns after a genitive alias ("Albys centrum"), per language.
GENITIVE_NOUNS: dict[str, tuple[str, ...]] = {
    "sv": ("centrum", "torg", "bibliotek"),
    "en": ("centre", "square", "library"),
    "ar": ("centrum",),
    "tr": ("centrum",),
    "so": ("centrum",),
}
SYLLABLES = (
    "ka",
    "vo",
    "li",
    "ra",
    "me",
    "sa",
    "tun",
    "bo",
    "ni",
    "el",
    "fa",
    "ro",
    "zu",
    "mi",
    "dan",
    "ye",
    "ko",
    "lu",
    "sen",
    "ta",
    "gri",
    "mo",
    "ha",
    "ji",
    "nor",
    "ve",
)


def sentiment_probabilities(trust: np.ndarray) -> np.ndarray:
    """Probabilities (negative, neutral, positive) per latent-trust value, shape ``(n, 3)``."""
    t = np.asarray(trust, dtype=float)
    neg = sigmoid(-0.9 * (t - 5.5) - 0.3)
    pos = (1 - neg) * sigmoid(0.9 * (t - 5.5) - 0.3)
    return np.column_stack([neg, 1 - neg - pos, pos])


def _username(rng: np.random.Generator) -> str:
    k = int(rng.integers(2, 4))
    stem = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), k))
    sep = ("", "_", "")[int(rng.integers(0, 3))]
    return f"{stem}{sep}{int(rng.integers(1, 99)):02d}" if rng.random() < 0.6 else stem


def simulate_authors(rng: np.random.Generator) -> pd.DataFrame:
    """Invented accounts: id, username, display name, platform, home neighbourhood, language.

    ``home`` is ``""`` for municipality-wide accounts and the three automated accounts.
    ``activity`` is a relative posting rate (lognormal, heavy-tailed).
    """
    n = PARAMS["n_authors"]
    pops = np.array([d.population for d in DISTRICTS], dtype=float)
    homes = rng.choice(len(IDS), n, p=pops / pops.sum())
    wide = rng.random(n) < PARAMS["municipality_wide_author_share"]
    rows = []
    names: set[str] = set()
    for i in range(n):
        home = "" if wide[i] else IDS[homes[i]]
        table = PARAMS[
            "author_lang_high_immigration" if home in HIGH_IMMIGRATION else "author_lang_other"
        ]
        lang = str(rng.choice(list(table), p=list(table.values())))
        name = _username(rng)
        while name in names:
            name = _username(rng)
        names.add(name)
        platform = "x" if rng.random() < PARAMS["x_account_share"] else "mastodon"
        rows.append((name, platform, home, lang, False))
    for name, lang in (
        ("botkyrka_deals", "sv"),
        ("bilservice_sthlm_sy", "sv"),
        ("pizza_offers_24", "en"),
    ):
        rows.append((name, "x", "", lang, True))
    df = pd.DataFrame(rows, columns=["username", "platform", "home", "lang", "is_bot"])
    df["author_id"] = [str(10**15 + int(v)) for v in rng.integers(10**12, 10**14, len(df))]
    df["display_name"] = [u.split("_")[0].capitalize() for u in df["username"]]
    df["activity"] = rng.lognormal(0.0, PARAMS["activity_lognormal_sigma"], len(df))
    return df


def _random_times(rng: np.random.Generator, n: int) -> pd.DatetimeIndex:
    """``n`` UTC instants in the period; local hour of day follows a daytime-heavy profile."""
    hours = np.array(
        [
            1,
            0.5,
            0.3,
            0.2,
            0.3,
            0.8,
            2,
            3,
            3.5,
            3.5,
            3.5,
            4,
            4.5,
            4,
            4,
            4,
            4.5,
            5,
            5.5,
            6,
            6,
            5,
            3.5,
            2,
        ]
    )
    days = pd.date_range("2023-01-01", "2025-12-31", freq="D")
    day = rng.integers(0, len(days), n)
    hour = rng.choice(24, n, p=hours / hours.sum())
    secs = rng.integers(0, 3600, n)
    naive = days[day] + pd.to_timedelta(hour * 3600 + secs, unit="s")
    local = naive.tz_localize(
        TIMEZONE, ambiguous=np.zeros(n, dtype=bool), nonexistent="shift_forward"
    )
    return local.tz_convert("UTC")


def _decorate(
    rng: np.random.Generator, template: str, lang: str, cls: str, usernames: np.ndarray
) -> tuple[str, str]:
    """Add typos, elongations, mentions, emojis, hashtags, URLs and rare PII.

    Returns ``(text, pii)`` where ``pii`` names the planted PII kind (``""`` if none).
    """
    words = template.split(" ")
    if rng.random() < 0.04:  # typo: swap two adjacent characters of one word
        cand = [i for i, w in enumerate(words) if len(w) >= 4 and "{" not in w]
        if cand:
            i = int(rng.choice(cand))
            j = int(rng.integers(0, len(words[i]) - 1))
            w = words[i]
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    if rng.random() < 0.03:  # elongation of the last letter of one word
        cand = [i for i, w in enumerate(words) if len(w) >= 3 and w[-1].isalpha() and "{" not in w]
        if cand:
            i = int(rng.choice(cand))
            words[i] = words[i] + words[i][-1] * int(rng.integers(2, 5))
    text = " ".join(words)
    if rng.random() < 0.15:
        text = f"@{rng.choice(usernames)} {text}"
    if rng.random() < 0.30:
        text += " " + str(rng.choice(EMOJIS[cls]))
    if rng.random() < 0.12:
        text += " " + str(rng.choice(HASHTAGS))
    if rng.random() < 0.07:
        text += f" https://example.org/{lang}/{int(rng.integers(1000, 99999))}"
    pii = ""
    if rng.random() < PARAMS["pii_share"]:
        pii = str(rng.choice(["email", "phone", "personnummer"]))
        if pii == "email":
            text += f" mejla {rng.choice(usernames)}@example.com"
        elif pii == "phone":
            d = rng.integers(0, 10, 7)
            prefix = f"07{int(rng.choice([0, 2, 3, 6, 9]))}"
            text += f" ring {prefix}-{d[0]}{d[1]}{d[2]} {d[3]}{d[4]} {d[5]}{d[6]}"
        else:
            yy, mm, dd = (int(rng.integers(a, b)) for a, b in ((40, 99), (1, 13), (1, 29)))
            yymmdd = f"{yy:02d}{mm:02d}{dd:02d}"
            nnn = f"{int(rng.integers(0, 1000)):03d}"
            text += f" pnr {yymmdd}-{nnn}{luhn_digit(yymmdd + nnn)}"
    return text, pii


def simulate_posts(
    rng: np.random.Generator,
    authors: pd.DataFrame,
    trust: pd.DataFrame,
    polygons: dict[str, Polygon | MultiPolygon],
) -> pd.DataFrame:
    """One row per post (organic, reposts and bot posts), with its planted truth.

    Columns: ``platform, author, created, month, neighbourhood`` (driving district, ``""`` for
    bots), ``home``, ``lang`` (``und`` for very short posts), ``sentiment``, ``geo_channel``,
    ``text``, ``lon``, ``lat`` (degrees, only for channel ``coords``), ``pii``, ``is_bot``,
    ``repost_of`` (row index of the original, -1 if none).
    """
    human = authors.index[~authors["is_bot"]].to_numpy()
    act = authors.loc[human, "activity"].to_numpy()
    n = PARAMS["n_organic_posts"]
    author = rng.choice(human, n, p=act / act.sum())
    created = _random_times(rng, n)
    month = created.tz_convert(TIMEZONE).strftime("%Y-%m")
    home = authors.loc[author, "home"].to_numpy()
    pops = np.array([d.population for d in DISTRICTS], dtype=float)
    drawn = np.array(IDS)[rng.choice(len(IDS), n, p=pops / pops.sum())]
    nbh = np.where(home == "", drawn, home)
    t = trust.to_numpy()[[IDS.index(x) for x in nbh], [months().index(m) for m in month]]
    probs = sentiment_probabilities(t)
    u = rng.random(n)
    cls = np.array(CLASSES)[(u[:, None] > np.cumsum(probs, axis=1)).sum(axis=1).clip(0, 2)]
    primary = authors.loc[author, "lang"].to_numpy()
    keep = rng.random(n) < PARAMS["lang_primary_share"]
    lang = np.where(keep, primary, np.where(primary == "sv", "en", "sv"))
    platform = authors.loc[author, "platform"].to_numpy()
    channel = _geo_channels(rng, platform)
    short = rng.random(n) < PARAMS["und_short_share"]
    channel[short & (channel == "place")] = "none"
    texts, piis = _texts(rng, (cls, lang, channel, nbh, short), authors["username"].to_numpy())
    lang = np.where(short, "und", lang)
    posts = pd.DataFrame(
        {
            "platform": platform,
            "author": author,
            "created": created,
            "month": month,
            "neighbourhood": nbh,
            "home": home,
            "lang": lang,
            "sentiment": cls,
            "geo_channel": channel,
            "text": texts,
            "pii": piis,
            "is_bot": False,
        }
    )
    _place_coordinates(rng, posts, polygons)
    posts = _add_reposts(rng, posts, short)
    return pd.concat([posts, _bot_posts(rng, authors)], ignore_index=True)


def _geo_channels(rng: np.random.Generator, platform: np.ndarray) -> np.ndarray:
    """How each post is placed (``coords``, ``place``, ``profile``, ``none``, ...), drawn from
    its platform's shares."""
    channel = np.empty(len(platform), dtype=object)
    for plat in ("x", "mastodon"):
        table = PARAMS[f"geo_channel_{plat}"]
        sel = platform == plat
        channel[sel] = rng.choice(list(table), int(sel.sum()), p=list(table.values()))
    return channel


def _texts(
    rng: np.random.Generator,
    drawn: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    usernames: np.ndarray,
) -> tuple[list[str], list[str]]:
    """Each post's text and planted PII kind, from its class, language, geo channel, district
    and whether it is a very short post (``drawn``); a ``place`` post names its district."""
    cls, lang, channel, nbh, short = drawn
    texts, piis = [], []
    for i in range(len(cls)):
        if short[i]:
            texts.append(str(rng.choice(SHORT[cls[i]])))
            piis.append("")
            continue
        tpl = str(rng.choice(TEMPLATES[lang[i]][cls[i]]))
        text, pii = _decorate(rng, tpl, lang[i], cls[i], usernames)
        if channel[i] == "place":
            aliases = next(d.aliases for d in DISTRICTS if d.neighbourhood_id == nbh[i])
            place = str(rng.choice(aliases))
            if place.endswith("s") and place[:-1] in aliases:  # genitive: "Fittjas torg"
                place += " " + str(rng.choice(GENITIVE_NOUNS[lang[i]]))
        else:
            place = str(rng.choice(FILLERS[lang[i]]))
        texts.append(text.replace("{place}", place))
        piis.append(pii)
    return texts, piis


def _place_coordinates(
    rng: np.random.Generator, posts: pd.DataFrame, polygons: dict[str, Polygon | MultiPolygon]
) -> None:
    """Set ``lon``/``lat`` (degrees) of the ``coords`` posts: random points in their district,
    near its centre; NaN for the others."""
    posts["lon"], posts["lat"] = np.nan, np.nan
    for d in DISTRICTS:
        sel = (posts["geo_channel"] == "coords") & (posts["neighbourhood"] == d.neighbourhood_id)
        pts = random_points_in(
            rng,
            polygons[d.neighbourhood_id],
            int(sel.sum()),
            near=Point(d.lon, d.lat),
            spread_deg=0.008,
        )
        posts.loc[sel, "lon"], posts.loc[sel, "lat"] = pts[:, 0], pts[:, 1]


def _add_reposts(rng: np.random.Generator, posts: pd.DataFrame, short: np.ndarray) -> pd.DataFrame:
    """Turn ~5 % of posts into reposts of the previous post of the same platform and district."""
    order = posts.sort_values(
        ["platform", "neighbourhood", "created"], kind="stable"
    ).index.to_numpy()
    platform = posts["platform"].to_numpy()
    nbh = posts["neighbourhood"].to_numpy()
    repost_of = np.full(len(posts), -1, dtype=np.int64)
    pick = np.flatnonzero(rng.random(len(order)) < PARAMS["repost_share"])
    for k in pick[pick > 0]:
        i, j = int(order[k]), int(order[k - 1])
        if platform[i] != platform[j] or nbh[i] != nbh[j] or short[i] or short[j]:
            continue
        if repost_of[j] < 0:
            repost_of[i] = j
    posts["repost_of"] = repost_of
    rep = np.flatnonzero(repost_of >= 0)
    src = repost_of[rep]
    for col in ("lang", "sentiment", "text", "pii"):
        values = posts[col].to_numpy().copy()
        values[rep] = values[src]
        posts[col] = values
    channel = posts["geo_channel"].to_numpy().copy()
    channel[rep] = np.where(channel[src] == "place", "place", "none")
    posts["geo_channel"] = channel
    posts.loc[rep, ["lon", "lat"]] = np.nan
    return posts


def _bot_posts(rng: np.random.Generator, authors: pd.DataFrame) -> pd.DataFrame:
    bots = authors.index[authors["is_bot"]].to_numpy()
    k = PARAMS["bot_posts_each"]
    rows = []
    for b in bots:
        n = int(k + rng.integers(-30, 31))
        created = _random_times(rng, n)
        pool = [p for p in PROMO if ("Weekly" in p) == (authors.at[b, "lang"] == "en")]
        for c in created:
            rows.append(
                {
                    "platform": "x",
                    "author": b,
                    "created": c,
                    "month": c.tz_convert(TIMEZONE).strftime("%Y-%m"),
                    "neighbourhood": "",
                    "home": "",
                    "lang": authors.at[b, "lang"],
                    "sentiment": "neutral",
                    "geo_channel": "none",
                    "text": str(rng.choice(pool)),
                    "pii": "",
                    "is_bot": True,
                    "lon": np.nan,
                    "lat": np.nan,
                    "repost_of": -1,
                }
            )
    return pd.DataFrame(rows)
