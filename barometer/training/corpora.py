"""Readers of the labelled corpora in ``../shared/data/text``, mapped to the task label schemes.

Every reader returns one tidy frame with the columns of :data:`CORPUS_COLUMNS`:

- ``text``, ``lang`` (ISO 639-1), ``source`` (corpus name), ``split`` (``train`` / ``dev`` /
  ``test``);
- ``hostility``: the common hostility-type scheme (:data:`HOSTILITY_LABELS`) or missing;
- ``group_hostility``: hostility *toward a group* (:data:`GROUP_HOSTILITY_LABELS`: derogation,
  dehumanisation, threats or slurs aimed at a group of people; profanity or abuse aimed at one
  person is not group hostility) or missing where the corpus cannot tell;
- ``target``: the group a hostile post targets (:data:`TARGET_LABELS`) or missing;
- ``attitude``: sentiment toward immigration on 1..5 (continuous) or NaN;
- ``sentiment``: general sentiment of the post (``negative`` / ``neutral`` / ``positive``) or
  missing; no shared corpus has it, so it comes from annotation files (a city team's labels).

Label mappings (documented in the model cards as well):

============== ====================================== =========================================
corpus         original label                         ``hostility``
============== ====================================== =========================================
davidson2017   0 hate speech / 1 offensive / 2 neither hateful / offensive / not_hostile
dkhate         OFF / NOT (OLID sub-task A)            offensive / not_hostile
offenseval_tr  OFF / NOT (OLID sub-task A)            offensive / not_hostile
mlma           ``sentiment`` (multi-label, "_")       exactly ``normal`` -> not_hostile; any
                                                      label with ``hateful`` -> hateful; the
                                                      rest (offensive, abusive, disrespectful,
                                                      fearful, mixed with normal) -> offensive
============== ====================================== =========================================

``hostile`` (binary) is ``hateful`` or ``offensive``. MLMA's ``target`` column (origin, gender,
religion, sexual_orientation, disability, other) is kept for hostile MLMA tweets only.

``group_hostility`` (``hostile`` / ``not_hostile``; what the barometer's hostility task predicts):

============== ========================================================================
corpus         mapping
============== ========================================================================
davidson2017   hate speech (Davidson et al.'s definition: hatred toward a targeted group)
               -> hostile; offensive and neither -> not_hostile. Training rows whose
               majority is offensive / neither but where an annotator voted hate speech
               are ambiguous and left out of training (kept in the test split)
mlma           ``normal`` -> not_hostile; any other hostility type aimed at a group
               -> hostile; aimed at an ``individual`` (MLMA's ``group`` column) ->
               not_hostile (abuse of one person, not of a group)
dkhate,        NOT -> not_hostile; OFF -> missing (OLID sub-task A does not say whether
offenseval_tr  an offensive post targets a group)
absabank_imm   attitude toward immigration >= 3 (neutral or positive) -> not_hostile;
               lower -> missing (negative attitude is not by itself hostility)
============== ========================================================================

Corpora without a fixed test split (Davidson, MLMA) get a stratified held-out test part of
``heldout_fraction`` (10 %, as in Davidson et al. 2017), drawn with a fixed seed.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from barometer.exceptions import InputError

#: Default location of the shared data: ``<repo>/../shared/data``.
DEFAULT_DATA_ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "data"

HOSTILITY_LABELS: tuple[str, ...] = ("hateful", "offensive", "not_hostile")
GROUP_HOSTILITY_LABELS: tuple[str, ...] = ("hostile", "not_hostile")
#: ABSAbank-Imm attitude (1..5) from which a text counts as not hostile toward a group
NOT_HOSTILE_ATTITUDE = 3.0
TARGET_LABELS: tuple[str, ...] = (
    "origin",
    "religion",
    "gender",
    "sexual_orientation",
    "disability",
    "other",
)
CORPUS_COLUMNS: tuple[str, ...] = (
    "text", "lang", "source", "split", "hostility", "group_hostility", "target", "attitude",
    "sentiment",
)  # fmt: skip


def _frame(
    text: pd.Series,
    lang: str,
    source: str,
    split: str | pd.Series,
    **labels: pd.Series | float | None,
) -> pd.DataFrame:
    df = pd.DataFrame(
        {"text": text.fillna("").astype(str).to_numpy(), "lang": lang, "source": source}
    )
    df["split"] = split.to_numpy() if isinstance(split, pd.Series) else split
    for col in ("hostility", "group_hostility", "target", "sentiment"):
        value = labels.get(col)
        df[col] = value.to_numpy() if isinstance(value, pd.Series) else value
        df[col] = df[col].astype(object)
    value = labels.get("attitude")
    df["attitude"] = value.to_numpy(dtype=float) if isinstance(value, pd.Series) else np.nan
    return df[list(CORPUS_COLUMNS)]


def _require(path: Path) -> Path:
    if not path.is_file():
        raise InputError(
            f"corpus file {path} not found; set data.root in the training config (or "
            f"--set data.root=PATH) to the folder holding text/ (the shared data folder)"
        )
    return path


def _read_tsv(path: Path, **kwargs: object) -> pd.DataFrame:
    return pd.read_csv(_require(path), sep="\t", quoting=csv.QUOTE_NONE, **kwargs)  # type: ignore[call-overload]


def heldout_split(labels: pd.Series, fraction: float, seed: int) -> pd.Series:
    """Return "train"/"test" per row, a stratified held-out test part of ``fraction``."""
    idx = np.arange(len(labels))
    _, test_idx = train_test_split(
        idx, test_size=fraction, random_state=seed, stratify=labels.to_numpy()
    )
    split = np.full(len(labels), "train", dtype=object)
    split[test_idx] = "test"
    return pd.Series(split, index=labels.index)


def can_hold_out(labels: pd.Series, fraction: float) -> bool:
    """Whether :func:`heldout_split` can draw a stratified ``fraction`` of ``labels``: at
    least 2 rows per class and at least one test row per class."""
    counts = labels.value_counts()
    return bool(
        fraction > 0 and len(counts) and counts.min() >= 2
        and round(fraction * len(labels)) >= len(counts)
    )  # fmt: skip


def read_absabank_imm(root: Path, heldout_fraction: float, seed: int) -> pd.DataFrame:
    """ABSAbank-Imm (sv): fixed train/dev/test, ``attitude`` = mean annotator score 1..5."""
    parts = []
    for split in ("train", "dev", "test"):
        df = _read_tsv(root / "text" / "absabank_imm" / f"absabank-imm_{split}.tsv")
        group = df["label"].map(lambda v: "not_hostile" if v >= NOT_HOSTILE_ATTITUDE else None)
        parts.append(
            _frame(df["text"], "sv", "absabank_imm", split, attitude=df["label"],
                   group_hostility=group)
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def read_davidson2017(root: Path, heldout_fraction: float, seed: int) -> pd.DataFrame:
    """Davidson et al. 2017 (en): hate / offensive / neither; held-out stratified test part."""
    df = pd.read_csv(_require(root / "text" / "davidson2017" / "labeled_data.csv"), index_col=0)
    mapping = {0: "hateful", 1: "offensive", 2: "not_hostile"}
    labels = df["class"].map(mapping)
    split = heldout_split(labels, heldout_fraction, seed)
    group = pd.Series(np.where(df["class"] == 0, "hostile", "not_hostile"), index=df.index)
    ambiguous = (df["class"] != 0) & (df["hate_speech"] > 0) & (split == "train")
    group = group.where(~ambiguous, None)
    return _frame(df["tweet"], "en", "davidson2017", split, hostility=labels, group_hostility=group)


def read_dkhate(root: Path, heldout_fraction: float, seed: int) -> pd.DataFrame:
    """DKHate / OffensEval-2020 Danish: OFF / NOT, fixed train/test (one blank label dropped)."""
    folder = root / "text" / "dkhate"
    parts = []
    for split, name in (("train", "training"), ("test", "test")):
        df = _read_tsv(folder / f"offenseval-da-{name}-v1.tsv")
        df = df[df["subtask_a"].isin(["OFF", "NOT"])]
        labels = df["subtask_a"].map({"OFF": "offensive", "NOT": "not_hostile"})
        group = labels.where(labels == "not_hostile", None)
        parts.append(
            _frame(df["tweet"], "da", "dkhate", split, hostility=labels, group_hostility=group)
        )
    return pd.concat(parts, ignore_index=True)


def read_offenseval2020_tr(root: Path, heldout_fraction: float, seed: int) -> pd.DataFrame:
    """OffensEval-2020 Turkish: OFF / NOT, fixed train/test (test labels joined by id)."""
    folder = root / "text" / "offenseval2020_tr"
    names = ["id", "tweet", "label"]
    train = _read_tsv(folder / "offenseval-tr-training-v1.tsv", header=None, names=names)
    test = _read_tsv(folder / "offenseval-tr-testset-v1.tsv", header=None, names=names[:2])
    gold = pd.read_csv(
        _require(folder / "offenseval-tr-labela-v1.tsv"), header=None, names=names[::2]
    )
    test = test.merge(gold, on="id", how="inner", validate="one_to_one")
    mapping = {"OFF": "offensive", "NOT": "not_hostile"}
    parts = []
    for split, df in (("train", train), ("test", test)):
        labels = df["label"].map(mapping)
        group = labels.where(labels == "not_hostile", None)
        parts.append(
            _frame(df["tweet"], "tr", "offenseval2020_tr", split, hostility=labels,
                   group_hostility=group)
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _mlma_hostility(sentiment: pd.Series) -> pd.Series:
    parts = sentiment.fillna("").str.split("_")
    return pd.Series(
        np.where(
            sentiment == "normal",
            "not_hostile",
            np.where(parts.map(lambda p: "hateful" in p), "hateful", "offensive"),
        ),
        index=sentiment.index,
    )


def read_mlma(root: Path, heldout_fraction: float, seed: int) -> pd.DataFrame:
    """MLMA (en/fr/ar): hostility type mapped as in the module docstring, plus ``target``."""
    parts = []
    for lang in ("en", "fr", "ar"):
        df = pd.read_csv(
            _require(root / "text" / "mlma" / "hate_speech_mlma" / f"{lang}_dataset.csv")
        )
        hostility = _mlma_hostility(df["sentiment"])
        target = df["target"].where((hostility != "not_hostile") & df["target"].isin(TARGET_LABELS))
        split = heldout_split(hostility, heldout_fraction, seed)
        at_group = (hostility != "not_hostile") & (df["group"] != "individual")
        group = pd.Series(np.where(at_group, "hostile", "not_hostile"), index=df.index)
        parts.append(
            _frame(df["tweet"], lang, "mlma", split, hostility=hostility, target=target,
                   group_hostility=group)
        )  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def read_annotation_csv(path: Path, heldout_fraction: float = 0.0, seed: int = 13) -> pd.DataFrame:
    """An annotation file (CSV with ``text``, ``label`` and optional ``lang``, ``split``).

    ``label`` fills the ``hostility``, ``group_hostility``, ``target``, ``sentiment`` and
    ``attitude`` columns alike
    (attitude only where it is numeric), so one file can train any task. A file with a
    ``split`` column keeps it (empty cells are training rows). A file without one is treated
    like the corpora without a fixed test split: a stratified ``heldout_fraction`` of its rows
    (drawn with ``seed``) becomes the test part, so a model trained on a team's labels is also
    tested on them; with ``heldout_fraction = 0`` every row is a training row.
    """
    df = pd.read_csv(_require(path))
    missing = [c for c in ("text", "label") if c not in df.columns]
    if missing:
        raise InputError(
            f"annotation file {path}: expected columns text, label (and optional lang, "
            f"split); missing {missing}"
        )
    label = df["label"].astype(str).where(df["label"].notna())
    numeric = pd.to_numeric(df["label"], errors="coerce")
    out = _frame(
        df["text"], "und", path.stem, "train", hostility=label, group_hostility=label,
        target=label, sentiment=label,
    )  # fmt: skip
    out["attitude"] = numeric.to_numpy(dtype=float)
    if "lang" in df.columns:
        out["lang"] = df["lang"].fillna("und").astype(str).to_numpy()
    if "split" in df.columns:
        out["split"] = df["split"].fillna("train").astype(str).to_numpy()
    elif heldout_fraction > 0 and label.notna().any():
        labelled = label.notna().to_numpy()
        counts = label[labelled].value_counts()
        if not can_hold_out(label[labelled], heldout_fraction):
            raise InputError(
                f"annotation file {path}: too few labelled rows to hold out a stratified "
                f"{heldout_fraction:.0%} test part (label counts {counts.to_dict()}); label more "
                "rows or add a split column (train / test)"
            )
        split = np.full(len(df), "train", dtype=object)
        split[labelled] = heldout_split(label[labelled], heldout_fraction, seed).to_numpy()
        out["split"] = split
    return out


Reader = Callable[[Path, float, int], pd.DataFrame]

#: corpus name (as used in ``data.sources`` of a training config) -> reader
CORPUS_READERS: dict[str, Reader] = {
    "absabank_imm": read_absabank_imm,
    "davidson2017": read_davidson2017,
    "dkhate": read_dkhate,
    "offenseval2020_tr": read_offenseval2020_tr,
    "mlma": read_mlma,
}


def load_corpora(
    sources: list[str],
    root: Path | str | None = None,
    *,
    heldout_fraction: float = 0.1,
    seed: int = 13,
    extra_files: list[str] | None = None,
) -> pd.DataFrame:
    """Read and concatenate corpora by name (and annotation CSV files) into one tidy frame.

    Parameters
    ----------
    sources : list of str
        Names of :data:`CORPUS_READERS`.
    root : path, optional
        The shared data folder (holding ``text/``); :data:`DEFAULT_DATA_ROOT` when None or "".
    heldout_fraction : float, default 0.1
        Test share drawn for corpora without a fixed test split.
    seed : int, default 13
        Seed of those held-out draws.
    extra_files : list of str, optional
        Annotation CSV files (see :func:`read_annotation_csv`; those without a ``split``
        column get a held-out test part of ``heldout_fraction`` as well).

    Returns
    -------
    DataFrame
        Columns :data:`CORPUS_COLUMNS`, in the order of ``sources``.
    """
    base = Path(root) if root else DEFAULT_DATA_ROOT
    unknown = [s for s in sources if s not in CORPUS_READERS]
    if unknown:
        raise InputError(f"unknown corpora {unknown}; expected names among {list(CORPUS_READERS)}")
    parts = [CORPUS_READERS[name](base, heldout_fraction, seed) for name in sources]
    parts += [read_annotation_csv(Path(p), heldout_fraction, seed) for p in extra_files or []]
    if not parts:
        raise InputError("no training data: data.sources and data.extra_files are both empty")
    return pd.concat(parts, ignore_index=True)
