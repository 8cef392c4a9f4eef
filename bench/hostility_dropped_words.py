"""Benign flag rate of a hostility model by the share of each text's words it drops.

For every case of the functional suite (``barometer/data/functional/hostility_cases.csv``) and
every audit sentence (``barometer/audit/counterfactual.py``: templates x audit groups), the share
of the text's words outside the model's vocabulary
(:meth:`~barometer.nlp.classifiers.TextClassifier.dropped_word_share`), and the flag rate of the
benign ones per language and dropped-share bin, with Wilson 95 % intervals
(:mod:`barometer.audit.dropped_words`). Optional ``--text LANG:TEXT`` prints one text's dropped
share and P(hostile).

Usage: ``python bench/hostility_dropped_words.py [--version V] [--models-dir DIR]
[--shared DIR] [--text ar:...]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from barometer import registry
from barometer.audit.counterfactual import audit_sentences
from barometer.audit.dropped_words import (
    benign_flags_by_dropped_share,
    high_dropped_flag_rates,
    sentences_as_cases,
    with_dropped_share,
)
from barometer.audit.functional import load_suite

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Print the tables; return them (``suite``, ``audit``, ``high``: DataFrames)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=None, help="model version (default: active)")
    parser.add_argument("--models-dir", default=None, help="model store (default: packaged)")
    parser.add_argument("--shared", default=str(SHARED), help="shared data (audit groups)")
    parser.add_argument("--text", action="append", default=[], help="LANG:TEXT to score")
    args = parser.parse_args(argv)
    kwargs = {"models_dir": args.models_dir} if args.models_dir else {}
    model = registry.load_model("hostility", args.version, **kwargs)
    shared = Path(args.shared) if Path(args.shared).is_dir() else None
    languages = list(model.languages or [])
    suite = with_dropped_share(model, load_suite())
    audit = with_dropped_share(model, sentences_as_cases(audit_sentences(shared, languages, [])))
    tables = {
        "suite": benign_flags_by_dropped_share(suite),
        "audit": benign_flags_by_dropped_share(audit),
        "high": high_dropped_flag_rates(suite),
    }
    print(f"hostility {model.model_version}: benign flag rate by dropped share")
    for name, title in (("suite", "functional suite"), ("audit", "audit sentences"),
                        ("high", "suite, dropped share >= 0.5")):  # fmt: skip
        print(f"\n{title}\n" + tables[name].round(3).to_string(index=False))
    for item in args.text:
        lang, _, text = item.partition(":")
        share = model.dropped_word_share([text], [lang])[0]
        proba = model.predict_proba([text], [lang])[0]
        p = proba[[str(c) for c in model.classes_].index("hostile")]
        print(f"\n{text!r} ({lang}): dropped share {share:.3f}, P(hostile) {p:.3f}")
    return tables


if __name__ == "__main__":
    main()
