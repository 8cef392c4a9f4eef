"""Models & fairness: which text models are validated in which language (and why not), each
model's metrics per language, card and bias audit (collapsed), whether the survey's trust scale
compares across origin groups, and how well the nowcast of survey trust did."""

import altair as alt
import data
import pandas as pd
import streamlit as st
import ui
from i18n import (
    language_name,
    metric_label,
    num,
    origin_groups,
    pct,
    t,
    task_label,
    test_set_name,
    validity_reason,
)

st.title(t("nav_models"))
root = ui.warehouse()
cards = data.table(root, "model_cards")
validity = data.table(root, "model_validity")


FEW = 4  # up to this many pairs not validated, the headline names each with its reason


def metric_name(name: object) -> str:
    return metric_label(name)


def headline_text() -> str:
    if not validity.empty:
        bad = validity[~validity["validated"].fillna(False).astype(bool)]
        if bad.empty:
            return t("hl_models_all", n=num(len(validity), 0))
        if len(bad) <= FEW:
            items = [
                t("model_in_language", task=task_label(str(r.task)), language=language_name(
                    str(r.language))) + f" ({reason_words(r)})" for r in bad.itertuples()
            ]  # fmt: skip
            return t("hl_models_some", bad=num(len(bad), 0), n=num(len(validity), 0),
                     items=ui.join(items))  # fmt: skip
        # many pairs: one item per model, and the commonest reason
        grouped = []
        for task, pairs in bad.groupby("task", sort=False):
            languages = [language_name(str(c)) for c in pairs["language"]]
            grouped.append(
                t("model_in_language", task=task_label(str(task)), language=languages[0])
                if len(languages) == 1
                else t("task_in_n_languages", task=task_label(str(task)), n=num(len(languages), 0))
            )
        reasons = pd.Series([reason_words(r, first_only=True) for r in bad.itertuples()])
        common = reasons.value_counts()
        return t("hl_models_grouped", bad=num(len(bad), 0), n=num(len(validity), 0),
                 items=ui.join(grouped), reason=common.index[0],
                 k=num(int(common.iloc[0]), 0))  # fmt: skip
    if cards.empty:
        return t("hl_models_none")
    active = cards[cards["active"].astype(bool)]
    return t("hl_models_cards", n=num(len(active), 0),
             tasks=ui.join([task_label(str(x)) for x in active["task"]]))  # fmt: skip


def reason_words(row, first_only: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Why a model-language pair is not validated, in words (from ``reason``, a comma-separated
    list of codes, or the audit): every reason, or the first one."""
    codes = [c.strip() for c in str(getattr(row, "reason", "") or "").split(",") if c.strip()]
    if str(getattr(row, "audit_verdict", "")) == "fail" and not codes:
        codes = ["audit_failed"]
    words = list(dict.fromkeys(validity_reason(f"::{c}").split(": ", 1)[-1] for c in
                               (codes or [""])))  # fmt: skip
    return words[0] if first_only else "; ".join(words)


ui.headline(headline_text())

if not validity.empty:
    st.subheader(t("validity_table"))
    shown = validity.assign(
        task_text=validity["task"].map(task_label),
        language_text=validity["language"].map(language_name),
        metric_text=["–" if pd.isna(v) else f"{metric_name(m)} {num(v, 2)} ({num(lo, 2)} – "
                     f"{num(hi, 2)})" for m, v, lo, hi in zip(validity["metric"],
                     validity["value"], validity["lower"], validity["upper"], strict=True)],
        functional_text=validity["functional_pass_rate"].map(pct),
        neutral_text=validity["neutral_flag_rate"].map(pct),
        audit_text=validity["audit_verdict"].map(lambda v: t(f"audit_{v}")
                                                 if v in ("pass", "fail", "not_run") else "–"),
        validated_text=validity["validated"].map(lambda v: t("yes") if v else t("no")),
        reason_text=[("" if v else reason_words(r)) for v, r in zip(
            validity["validated"], validity.itertuples(), strict=True)],
        n_text=validity["n_test"].map(lambda n: num(n, 0)),
    )  # fmt: skip
    ui.show_table(
        shown, key="models_validity", file_name="model_validity",
        columns={"task_text": t("task"), "model_version": t("version"), "language_text":
                 t("language_col"), "n_text": t("n_test"), "metric_text": t("metric"),
                 "functional_text": t("functional"), "neutral_text": t("neutral"),
                 "audit_text": t("audit"), "validated_text": t("validated"),
                 "reason_text": t("reason")},
    )  # fmt: skip

st.subheader(t("model_cards"))
if cards.empty:
    ui.not_published(t("model_cards"))
else:
    keys = [f"{row.task} {row.version}" for row in cards.itertuples()]
    active = [k for k, a in zip(keys, cards["active"], strict=True) if a]
    st.session_state.setdefault("models_card", active[0] if active else keys[0])
    shown_name = {k: f"{task_label(str(r.task))} {r.version}" for k, r in zip(
        keys, cards.itertuples(), strict=True)}  # fmt: skip
    chosen = st.selectbox(
        t("task"),
        keys,
        format_func=lambda k: f"{shown_name[k]} ({t('active')})" if k in active else shown_name[k],
        key="models_card",
    )
    card = cards.iloc[keys.index(chosen)]
    metrics = data.model_metrics(root)
    if not metrics.empty:
        metrics = metrics[(metrics["task"] == card["task"])
                          & (metrics["version"] == card["version"])]  # fmt: skip
    st.markdown(f"**{t('per_language')}**")
    if metrics.empty:
        ui.not_published(t("per_language"))
    else:
        names = sorted(metrics["metric"].dropna().unique())
        metric = st.selectbox(t("metric"), names, key="models_metric", format_func=metric_name)
        shown = metrics[metrics["metric"] == metric]
        several = shown["lang"].duplicated(keep=False)  # one row per test set: name them
        sources = shown["source"] if "source" in shown else pd.Series("", index=shown.index)
        shown = shown.assign(
            language=[language_name(str(c)) + (f" · {test_set_name(s)}" if many and s else "")
                      for c, s, many in zip(shown["lang"], sources.fillna(""), several,
                                            strict=True)],
            value_text=shown["value"].map(lambda v: num(v, 2)),
        )  # fmt: skip
        base = alt.Chart(shown).encode(
            y=alt.Y("language:N", title=None, axis=alt.Axis(labelLimit=320))
        )
        chart = base.mark_point(filled=True, size=80, color=ui.MORE).encode(
            x=alt.X("value:Q", title=metric_name(metric)),
            tooltip=[alt.Tooltip("language:N", title=t("language_col")),
                     alt.Tooltip("value_text:N", title=metric_name(metric))],
        )  # fmt: skip
        if {"lower", "upper"} <= set(shown.columns):
            chart += base.mark_rule(aria=False, color=ui.MORE).encode(x="lower:Q", x2="upper:Q")
        chart += base.mark_text(dy=-12).encode(x="value:Q", text="value_text:N")
        st.altair_chart(chart.properties(height=50 * shown["language"].nunique() + 40),
                        key="models_metric_chart", width="stretch",
                        alt=t("metric_alt", metric=metric_name(metric)))  # fmt: skip
        with st.expander(t("numbers")):
            table = metrics.assign(
                language=metrics["lang"].map(language_name),
                metric_text=metrics["metric"].map(metric_name),
                value_text=metrics["value"].map(lambda v: num(v, 3)),
            )
            columns = {"language": t("language_col"), "metric_text": t("metric"),
                       "value_text": t("value")}  # fmt: skip
            raw = table.assign(value_text=metrics["value"])
            ui.show_table(table, key="models_metrics", file_name=f"metrics_{chosen}",
                          columns=columns, raw=raw)  # fmt: skip
    audit = str(card.get("audit_markdown") or "")
    with st.expander(t("audit_english")):
        st.markdown(audit if audit.strip() else t("no_audit"))
    with st.expander(t("card_english")):
        st.markdown(str(card["card_markdown"] or ""))

invariance = data.table(root, "measurement_invariance")
st.subheader(t("invariance"))
if invariance.empty:
    ui.not_published(t("invariance"))
else:
    order = {"configural": 0, "metric": 1, "scalar": 2}
    rows = invariance.assign(o=invariance["level"].map(order)).sort_values("o")
    failed = rows[~rows["holds"].astype(bool)]
    groups = origin_groups(str(rows["groups"].iloc[0]))
    if failed.empty:
        st.markdown(t("invariance_holds", groups=groups))
    else:
        st.warning(t(f"invariance_fails_{failed['level'].iloc[0]}", groups=groups),
                   icon=":material/warning:")  # fmt: skip
    ui.show_table(
        rows.assign(level_text=rows["level"].map(lambda v: t(f"level_{v}")),
                    holds_text=rows["holds"].map(lambda v: t("yes") if v else t("no")),
                    cfi_text=rows["cfi"].map(lambda v: num(v, 3)),
                    rmsea_text=rows["rmsea"].map(lambda v: num(v, 3)),
                    n_text=rows["n"].map(lambda v: num(v, 0))),
        key="models_invariance", file_name="measurement_invariance",
        columns={"level_text": t("level_col"), "holds_text": t("holds"), "cfi_text": "CFI",
                 "rmsea_text": "RMSEA", "n_text": t("n_people")},
    )  # fmt: skip

st.subheader(t("nowcast"))
summary = data.table(root, "nowcast_summary")
validation = data.table(root, "nowcast_validation")
if summary.empty and validation.empty:
    ui.not_published(t("nowcast"))
else:
    if not summary.empty:
        row = summary.iloc[0]
        if pd.notna(row.get("rmse")):
            st.markdown(t("nowcast_sentence", rmse=num(row["rmse"], 2),
                          baseline=num(row["baseline_rmse"], 2), n=num(row["n_waves"], 0),
                          coverage=pct(row["coverage"], 0)))  # fmt: skip
        else:
            st.info(t("nowcast_not_fitted"))
    if not validation.empty:
        st.caption(t("nowcast_help"))
        names = ui.area_names(root)
        validation = validation.assign(
            neighbourhood=validation["neighbourhood_id"].map(names),
            month_text=pd.to_datetime(validation["period_start"]).map(
                lambda d: ui.month_or_dash(d)
            ),
            observed_text=validation["observed"].map(lambda v: num(v, 1)),
            predicted_text=validation["predicted"].map(lambda v: num(v, 1)),
        )
        base = alt.Chart(validation).encode(
            x=alt.X("observed:Q", title=t("observed"), scale=alt.Scale(zero=False)),
        )
        chart = (
            base.mark_rule(aria=False, color=ui.MORE, opacity=0.5).encode(y="lower:Q", y2="upper:Q")
            + base.mark_point(filled=True, color=ui.MORE).encode(
                y=alt.Y("predicted:Q", title=t("predicted"), scale=alt.Scale(zero=False)),
                tooltip=[alt.Tooltip("neighbourhood:N", title=t("neighbourhood")),
                         alt.Tooltip("month_text:N", title=t("month")),
                         alt.Tooltip("observed_text:N", title=t("observed")),
                         alt.Tooltip("predicted_text:N", title=t("predicted"))],
            )
            + base.mark_line(color="#767676", strokeDash=[4, 4]).encode(y="observed:Q")
        )  # fmt: skip
        st.altair_chart(chart, key="models_nowcast_chart", width="stretch",
                        alt=t("nowcast_alt"))  # fmt: skip
        with st.expander(t("numbers")):
            ui.show_table(
                validation, key="models_nowcast", file_name="nowcast_validation",
                columns={"neighbourhood": t("neighbourhood"), "month_text": t("month"),
                         "observed_text": t("observed"), "predicted_text": t("predicted")},
            )  # fmt: skip
