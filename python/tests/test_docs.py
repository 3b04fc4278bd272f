"""Runs every ```python block of docs/python.md, in order, in one namespace (a walkthrough that
does not run is a bug)."""
import os
import pathlib
import re

import pytest


def blocks():
    root = pathlib.Path(os.environ.get("DESCENT_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
    text = (root / "docs" / "python.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_walkthrough_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("scipy")
    code = blocks()
    assert len(code) >= 6
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for i, block in enumerate(code):
        try:
            exec(compile(block, f"docs/python.md block {i + 1}", "exec"), namespace)
        except Exception as e:  # name the block that failed
            raise AssertionError(f"docs/python.md block {i + 1} failed: {e!r}\n{block}") from e
