"""The researcher notebook: annotate, retrain `hostility`, compare, audit, activate (executed)."""

from pathlib import Path

import pytest
from conftest import MODELS_DIR, REPO_ROOT, SHARED_DATA

from barometer import registry

NOTEBOOK = REPO_ROOT / "notebooks" / "retrain_and_audit.ipynb"


def test_retrain_and_audit_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent: the notebook trains on it")
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("BAROMETER_NOTEBOOK_DIR", str(tmp_path))
    monkeypatch.delenv("BAROMETER_MODELS_DIR", raising=False)
    registry_file = MODELS_DIR / "registry.toml"
    before = registry_file.read_text(encoding="utf-8")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    ).execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.get("output_type") == "error"]
    assert not [out for out in outputs if out.get("name") == "stderr"]
    text = "\n".join(
        out.get("text", "") + out.get("data", {}).get("text/plain", "") for out in outputs
    )
    for expected in ("krippendorff_alpha_nominal", "| team_labels.csv |", "value_active",
                     "## Bias audit: hostility (hostility-team-demo)", "Verdict:",
                     "team-demo"):  # fmt: skip
        assert expected in text, expected
    version_dir = tmp_path / "models" / "hostility" / "team-demo"
    assert (version_dir / "audit.json").is_file()
    # the team's folder activates its own hostility model over the packaged defaults
    packaged = registry.active_versions()
    assert registry.active_versions(tmp_path / "models") == {**packaged, "hostility": "team-demo"}
    assert packaged["hostility"] != "team-demo"
    assert registry.audit_problems("hostility", "team-demo", tmp_path / "models") == [] or (
        "## Activation" in (version_dir / "card.md").read_text(encoding="utf-8")
    )
    assert registry_file.read_text(encoding="utf-8") == before  # the committed registry
