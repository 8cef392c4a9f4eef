"""A light, vectorised version of the sample generator for Monte Carlo studies of the methods.

Each simulated municipality has the sample's districts, latent trust ``T`` (base, season,
decline in Hallunda, the action in Fittja from 2024-06), the generator's author population
(homes, languages, platforms, heavy-tailed activity), posts (month, driving district, planted
sentiment from ``T``, language, geo channel, very short ``und`` posts, reposts left out) and
observation sessions (people, interactions, mixed interactions from ``T``), all drawn from the
generator's own parameters (:mod:`barometer.synthetic.social`, ``observation``). What is
lighter than ``barometer sample``: no files, no texts per post (a post's label is drawn from
the :class:`~barometer.impact.textbank.SentimentBank` of its language and planted class, i.e.
from texts the active scorer really read), no PII, bots or malformed rows.

Both worlds from the same random numbers (common random numbers): :func:`simulate_city`
returns the published indicators with the action and without it (the counterfactual, which is
also the *placebo* city: the same municipality with a zero effect). A planted class is drawn
by comparing one uniform to the class probabilities, so a post changes class between the two
worlds only where the action moves a threshold past it; the difference of the two worlds'
indicators is the action's effect *on the measured indicator* in that city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from barometer.aggregate.observation import aggregate_observation
from barometer.impact.textbank import SentimentBank
from barometer.synthetic import observation, social
from barometer.synthetic._common import months
from barometer.synthetic.municipality import (
    ACTION,
    DISTRICTS,
    HIGH_IMMIGRATION,
    IDS,
    latent_trust,
)

OUTCOMES: tuple[str, ...] = ("digital_negative_share", "observation_mixed_rate")
#: smallest number of authors in a published digital cell (the pipeline's k)
MIN_AUTHORS = 10


@dataclass(frozen=True)
class CitySetting:
    """Scale of a simulated municipality relative to the sample (1.0 = the sample's size)."""

    post_scale: float = 1.0
    sessions_per_site_month: int = 3
    effect_latent: float = float(ACTION["effect_latent"])

    @property
    def name(self) -> str:
        return (
            f"sample generator, posts x{self.post_scale:g}, "
            f"{self.sessions_per_site_month} sessions/site/month, latent effect "
            f"{self.effect_latent:g}"
        )


def _trust(effect: float) -> tuple[np.ndarray, np.ndarray]:
    """Latent trust with and without the action (neighbourhoods x months), 0-10 points."""
    t0 = latent_trust(with_action=False).loc[list(IDS)].to_numpy(float)
    t1 = latent_trust(with_action=True).loc[list(IDS)].to_numpy(float)
    return t0 + (t1 - t0) * (effect / float(ACTION["effect_latent"])), t0


def _month_weights() -> np.ndarray:
    days = np.array([pd.Period(m).days_in_month for m in months()], dtype=float)
    return days / days.sum()


def _posts(rng: np.random.Generator, setting: CitySetting) -> pd.DataFrame:
    """Organic located posts: author, month index, district index, uniform, language."""
    p = social.PARAMS
    n_auth = p["n_authors"]
    pops = np.array([d.population for d in DISTRICTS], dtype=float)
    home = rng.choice(len(IDS), n_auth, p=pops / pops.sum())
    wide = rng.random(n_auth) < p["municipality_wide_author_share"]
    high = np.array([IDS[h] in HIGH_IMMIGRATION for h in home]) & ~wide
    langs = np.array(list(p["author_lang_other"]))
    lang_hi = rng.choice(langs, n_auth, p=list(p["author_lang_high_immigration"].values()))
    lang_lo = rng.choice(langs, n_auth, p=list(p["author_lang_other"].values()))
    primary = np.where(high, lang_hi, lang_lo)
    x_account = rng.random(n_auth) < p["x_account_share"]
    activity = rng.lognormal(0.0, p["activity_lognormal_sigma"], n_auth)
    n = round(p["n_organic_posts"] * setting.post_scale)
    author = rng.choice(n_auth, n, p=activity / activity.sum())
    month = rng.choice(len(months()), n, p=_month_weights())
    drawn = rng.choice(len(IDS), n, p=pops / pops.sum())
    district = np.where(wide[author], drawn, home[author])
    u = rng.random(n)
    keep_lang = rng.random(n) < p["lang_primary_share"]
    first = primary[author]
    lang = np.where(keep_lang, first, np.where(first == "sv", "en", "sv"))
    channel_u = rng.random(n)
    x_share = p["geo_channel_x"]
    m_share = p["geo_channel_mastodon"]
    located_p = np.where(
        x_account[author],
        x_share["coords"] + x_share["place"],
        m_share["coords"] + m_share["place"],
    )
    place_p = np.where(x_account[author], x_share["place"], m_share["place"])
    located = channel_u < located_p
    is_place = channel_u < place_p
    short = rng.random(n) < p["und_short_share"]
    lang = np.where(short, "und", lang)
    located &= ~(short & is_place)
    repost = rng.random(n) < p["repost_share"]
    bank_u = rng.random(n)
    keep = located & ~repost
    return pd.DataFrame(
        {
            "author": author[keep],
            "month": month[keep],
            "district": district[keep],
            "u": u[keep],
            "lang": lang[keep],
            "bank_u": bank_u[keep],
        }
    )


def _label_negative(posts: pd.DataFrame, trust: np.ndarray, bank: SentimentBank) -> np.ndarray:
    """0/1 "labelled negative" per scored post in one world (NaN: language not scored)."""
    t = trust[posts["district"].to_numpy(), posts["month"].to_numpy()]
    probs = social.sentiment_probabilities(t)
    cls = (posts["u"].to_numpy()[:, None] > np.cumsum(probs, axis=1)).sum(axis=1).clip(0, 2)
    out = np.full(len(posts), np.nan)
    lang = posts["lang"].to_numpy()
    pick = posts["bank_u"].to_numpy()
    for (lg, name), flags in bank.flags.items():
        if lg not in bank.covered:
            continue
        sel = (lang == lg) & (cls == ("negative", "neutral", "positive").index(name))
        out[sel] = flags[(pick[sel] * len(flags)).astype(int)]
    return out


def _digital(posts: pd.DataFrame, flags: np.ndarray) -> pd.DataFrame:
    """Author-weighted negative share per district x month (each author counts once)."""
    frame = posts[["author", "district", "month"]].assign(flag=flags).dropna(subset=["flag"])
    per_author = frame.groupby(["district", "month", "author"])["flag"].mean()
    cells = per_author.groupby(["district", "month"]).agg(["mean", "size"])
    return cells.reset_index().rename(columns={"mean": "value", "size": "n"})


def _sessions(rng: np.random.Generator, setting: CitySetting) -> tuple[pd.DataFrame, np.ndarray]:
    """Observation sessions (site district, month, people, interactions) and one uniform per
    interaction slot (sessions x most interactions in a session)."""
    k = setting.sessions_per_site_month
    rows = []
    for i, d in enumerate(DISTRICTS):
        scale = 1.3 if d.population > 12000 else 1.0
        for _, _, mean in observation.SITE_KINDS:
            rows.append((i, round(mean * scale, 1)))
    site_district = np.array([r[0] for r in rows])
    site_mean = np.array([r[1] for r in rows])
    n_months = len(months())
    sites = np.tile(np.repeat(np.arange(len(rows)), k), n_months)
    month = np.repeat(np.arange(n_months), len(rows) * k)
    people = rng.poisson(site_mean[sites])
    inter = rng.binomial(people, observation.PARAMS["p_interaction"])
    width = int(inter.max()) if len(inter) else 0
    u = rng.random((len(inter), max(width, 1)))
    frame = pd.DataFrame(
        {"district": site_district[sites], "month": month, "people": people, "inter": inter}
    )
    return frame, u


def _observation(sessions: pd.DataFrame, u: np.ndarray, trust: np.ndarray) -> pd.DataFrame:
    """Mixed interactions per 100 interactions per district x month, via the pipeline's own
    :func:`~barometer.aggregate.observation.aggregate_observation`."""
    p = observation.p_mixed(trust[sessions["district"].to_numpy(), sessions["month"].to_numpy()])
    inter = sessions["inter"].to_numpy()
    slots = np.arange(u.shape[1])[None, :] < inter[:, None]
    mixed = ((u < p[:, None]) & slots).sum(axis=1)
    ms = months()
    frame = pd.DataFrame(
        {
            "neighbourhood_id": np.array(IDS)[sessions["district"].to_numpy()],
            "start": pd.to_datetime([f"{ms[m]}-15" for m in sessions["month"]], utc=True),
            "n_mixed_interactions": mixed,
            "n_interactions": inter,
            "n_conflicts": 0,
            "n_people": sessions["people"].to_numpy(),
        }
    )
    cells = aggregate_observation(frame, level=0.95)
    return cells[cells["indicator"] == "observation_mixed_rate"]


def _indicator_rows(
    district: np.ndarray, month: np.ndarray, value: np.ndarray, indicator: str
) -> pd.DataFrame:
    ms = months()
    return pd.DataFrame(
        {
            "neighbourhood_id": np.array(IDS)[district],
            "period_start": [pd.Timestamp(f"{ms[m]}-01").date() for m in month],
            "period": "M",
            "indicator": indicator,
            "value": value,
            "suppressed": False,
        }
    )


def simulate_city(
    seed: int, bank: SentimentBank | None, setting: CitySetting | None = None
) -> dict[str, pd.DataFrame]:
    """One simulated municipality in both worlds (``bank=None``: observation only, no posts).

    Returns
    -------
    dict
        ``{"with_action": indicators, "without_action": indicators}``: rows of the canonical
        ``indicators`` table (``neighbourhood_id, period_start, period, indicator, value,
        suppressed``) for :data:`OUTCOMES`; digital cells with fewer than
        :data:`MIN_AUTHORS` authors are suppressed, as the pipeline does.
    """
    setting = setting or CitySetting()
    rng = np.random.default_rng([seed, 7177])
    t1, t0 = _trust(setting.effect_latent)
    posts = _posts(rng, setting)
    sessions, slots = _sessions(rng, setting)
    out = {}
    for world, trust in (("with_action", t1), ("without_action", t0)):
        frames = []
        if bank is not None:
            digital = _digital(posts, _label_negative(posts, trust, bank))
            rows = _indicator_rows(
                digital["district"].to_numpy(),
                digital["month"].to_numpy(),
                digital["value"].to_numpy(),
                "digital_negative_share",
            ).assign(suppressed=(digital["n"] < MIN_AUTHORS).to_numpy())
            frames.append(rows)
        obs = _observation(sessions, slots, trust)
        obs_rows = obs[["neighbourhood_id", "period_start", "indicator", "value"]].assign(
            period="M", suppressed=False
        )
        obs_rows["period_start"] = pd.to_datetime(obs_rows["period_start"]).dt.date
        out[world] = pd.concat([*frames, obs_rows], ignore_index=True)
    return out
