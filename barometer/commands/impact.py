"""``barometer impact ACTION_ID``: evaluate one configured action on a published barometer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from barometer.commands.output import console, help_text, say, show_errors
from barometer.exceptions import ConfigError
from barometer.indicators import COMPOSITE_INDEX


@show_errors()
def impact(
    action_id: Annotated[
        str, typer.Argument(help=help_text("id of an [[actions]] entry of the config"))
    ],
    config: Annotated[
        Path | None,
        typer.Option(help="pipeline config declaring the action (default: the sample's)"),
    ] = None,
    warehouse: Annotated[
        Path | None, typer.Option(help="warehouse folder (default: the config's store)")
    ] = None,
    outcome: Annotated[
        list[str] | None, typer.Option(help="indicator(s) to evaluate (default: the action's)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="report folder (default: <warehouse>/reports/<action>)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed of the bootstrap and power simulation")] = 1,
) -> None:
    """Estimate an action's effect with DiD, event study, synthetic control and ITS; write
    JSON, Markdown and PNG reports with a plain-language summary in English and Swedish."""
    from barometer.commands.impact_report import summary_text, write_markdown
    from barometer.config import load_config
    from barometer.impact.report import evaluate_action, write_report
    from barometer.locations import sample_config
    from barometer.read import indicators_all

    config = config or sample_config()
    pipeline = load_config(config)
    matches = [a for a in pipeline.actions if a.id == action_id]
    if not matches:
        known = ", ".join(a.id for a in pipeline.actions) or "none"
        raise ConfigError(f"{config}: no action '{action_id}' (known: {known})")
    action = matches[0]
    root = warehouse or pipeline.resolve(pipeline.store.path)
    indicators = indicators_all(root)
    outcomes = outcome or action.outcomes or [COMPOSITE_INDEX]
    folder = out or root / "reports" / action_id
    for name in outcomes:
        result = evaluate_action(indicators, action, name, seed=seed)
        write_report(result, folder / name)
        markdown = write_markdown(result, folder / name)
        console.print(Text(name, style="bold"))
        say(summary_text(result["summary"], "en"))
        say(summary_text(result["summary"], "sv"))
        say(f"report: {markdown}\n")
