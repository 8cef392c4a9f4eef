"""Calibrate and measure the lexicon sentiment scorer per language, on labelled posts.

Data (``../shared/data/text`` via :func:`barometer.training.corpora.load_corpora`, or a city's own
annotation file):

* **sv**: ABSAbank-Imm (Swedish editorials and Flashback forum posts), the mean annotator
  sentiment *toward immigration* on 1..5, binned negative (< 2.5) / neutral / positive (> 3.5).
  Stance toward one topic, not the general sentiment of a post: a proxy, and a hard one.
* **ar**: MLMA Arabic tweets: hostile (any hostility type) -> negative, ``normal`` -> neutral.
  There is no positive class: a proxy for the negative-vs-rest part of the task only.
* ``--annotations FILE``: a CSV with ``text``, ``label`` (negative / neutral / positive),
  ``lang`` and optional ``split`` (``test`` rows are held out; without a split column a
  stratified 30 % is): the city's own posts, which is what the band should be calibrated on.

Per language: the neutral band that maximises macro-F1 on the tuning rows
(:func:`barometer.training.sentiment_calibration.calibrate_neutral_band`), then macro-F1 on the
held-out rows with a 95 % percentile bootstrap interval, at that band and at VADER's 0.05.
``--write`` stores the bands that beat 0.05 on the held-out rows in
``barometer/data/sentiment_calibration.toml``. Also printed: the share of
emoji occurrences in the shared tweet corpora that have a valence (the Emoji Sentiment Ranking
table, against the 34 emoji the scorer rated before).

``--export-labelled CSV`` writes the held-out test rows as a labelled CSV for ``barometer validate
sentiment --labelled CSV`` (the packaged scorer, through the pipeline's code path).

Usage: ``python bench/calibrate_sentiment.py [--annotations FILE] [--write | --export-labelled
CSV]``.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.nlp.lexicons import LexiconSentimentScorer, load_emoticons
from barometer.nlp.text import EMOJI_RE, normalise_text
from barometer.training.corpora import load_corpora
from barometer.training.sentiment_calibration import calibrate_neutral_band, evaluate_band

OUT = Path(__file__).parents[1] / "barometer" / "data" / "sentiment_calibration.toml"
#: The emoji the scorer rated by hand before the Emoji Sentiment Ranking (for the comparison).
OLD_EMOJI = set("😀😃😄😁😊🙂😍🥰😘❤💕💖👍👏🙏🎉😂🤣💪🌟😡🤬😠😢😭😞😔👎💔😱🤮😤😒🙄")


def shared_sets() -> dict[str, tuple[pd.DataFrame, str]]:
    """Per language: (frame with text, y, split), description of the data."""
    corpora = load_corpora(["absabank_imm", "mlma"])
    sv = corpora[corpora["lang"] == "sv"].copy()
    sv["y"] = np.where(
        sv["attitude"] < 2.5, "negative", np.where(sv["attitude"] > 3.5, "positive", "neutral")
    )
    ar = corpora[corpora["lang"] == "ar"].copy()
    ar["y"] = np.where(ar["hostility"] == "not_hostile", "neutral", "negative")
    return {
        "sv": (sv, "ABSAbank-Imm stance toward immigration (1..5 binned at 2.5/3.5); tuned on "
                   "train+dev, measured on test"),
        "ar": (ar, "MLMA Arabic tweets, hostile -> negative, normal -> neutral (no positive "
                   "class); tuned on the non-test part, measured on its 10 % held-out test"),
    }  # fmt: skip


def annotation_sets(path: Path) -> dict[str, tuple[pd.DataFrame, str]]:
    df = pd.read_csv(path)
    df["y"] = df["label"].astype(str).str.strip().str.lower()
    if "split" not in df.columns:
        rng = np.random.default_rng(13)
        df["split"] = np.where(rng.random(len(df)) < 0.3, "test", "train")
    return {
        str(lang): (group, f"{path.name}: {len(group)} labelled posts")
        for lang, group in df.groupby("lang")
    }


def export_labelled(sets: dict[str, tuple[pd.DataFrame, str]], path: Path) -> None:
    """The test rows of every set as a labelled CSV (``text, lang, label``): the held-out posts
    the bands were not tuned on, to measure the packaged scorer through the CLI."""
    parts = [
        pd.DataFrame({"text": f.loc[f["split"] == "test", "text"], "lang": lang,
                      "label": f.loc[f["split"] == "test", "y"]})
        for lang, (f, _) in sets.items()
    ]  # fmt: skip
    out = pd.concat(parts, ignore_index=True)
    out = out[out["text"].fillna("").str.strip() != ""]
    out.to_csv(path, index=False)
    counts = out.groupby("lang")["label"].value_counts().to_dict()
    print(f"wrote {len(out)} labelled test rows to {path}: {counts}")


def emoji_coverage(table: dict[str, float]) -> None:
    corpora = load_corpora(["dkhate", "offenseval2020_tr", "mlma", "davidson2017"])
    found = [e for t in corpora["text"] for e in EMOJI_RE.findall(normalise_text(t))]
    if not found:
        print("no emoji in the tweet corpora")
        return
    new = np.mean([e in table for e in found])
    old = np.mean([e in OLD_EMOJI for e in found])
    print(
        f"\nemoji in the shared tweet corpora: {len(found):,} occurrences of "
        f"{len(set(found))} emoji; rated before {old:.1%}, now {new:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=Path)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--n-boot", type=int, default=1000)
    parser.add_argument(
        "--export-labelled", type=Path, metavar="CSV",
        help="write the held-out test rows (text, lang, label) for `barometer validate "
        "sentiment --labelled CSV` and stop",
    )  # fmt: skip
    args = parser.parse_args()
    sets = annotation_sets(args.annotations) if args.annotations else shared_sets()
    if args.export_labelled:
        export_labelled(sets, args.export_labelled)
        return
    scorer = LexiconSentimentScorer(neutral_band=0.05).fit()
    entries = []
    print(
        f"{'lang':5}{'band':>6}{'tune F1':>9}{'test F1 [95% CI]':>26}{'F1 @0.05':>10}{'n test':>8}"
    )
    for lang, (frame, data) in sets.items():
        if lang not in scorer.lexicons_:
            print(f"{lang:5} no lexicon: not calibrated")
            continue
        compound = scorer.decision_function(frame["text"].tolist(), langs=[lang] * len(frame))
        test = (frame["split"] == "test").to_numpy()
        band, tune_f1 = calibrate_neutral_band(compound[~test], frame["y"].to_numpy()[~test])
        y_test = frame["y"].to_numpy()[test]
        f1, lo, hi = evaluate_band(compound[test], y_test, band, n_boot=args.n_boot)
        base, _, _ = evaluate_band(compound[test], y_test, 0.05, n_boot=0)
        print(f"{lang:5}{band:>6.2f}{tune_f1:>9.3f}{f1:>12.3f} [{lo:.3f}, {hi:.3f}]"
              f"{base:>10.3f}{int(test.sum()):>8}   {data}")  # fmt: skip
        if f1 <= base:
            print(f"{lang:5} the tuned band does no better than 0.05 on held-out posts: not stored")
            continue
        entries.append(
            f'[{lang}]\nneutral_band = {band}\ndata = "{data}"\nn_tune = {int((~test).sum())}\n'
            f"tune_macro_f1 = {tune_f1:.3f}\nn_test = {int(test.sum())}\n"
            f"test_macro_f1 = {f1:.3f}\ntest_macro_f1_lower = {lo:.3f}\n"
            f"test_macro_f1_upper = {hi:.3f}\n"
        )
    emoji_coverage(load_emoticons())
    if args.write:
        header = (
            "# Neutral band of the lexicon sentiment scorer per language, calibrated on labelled\n"
            f"# posts by bench/calibrate_sentiment.py ({date.today().isoformat()}); a language "
            "not listed uses\n# barometer.nlp.lexicons.DEFAULT_NEUTRAL_BAND. Macro-F1 intervals: "
            "95 % percentile bootstrap.\n\n"
        )
        OUT.write_text(header + "\n".join(entries), encoding="utf-8")
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
