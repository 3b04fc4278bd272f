import subprocess
import sys

import numpy as np
import pytest

import descent


def test_import_does_not_load_torch():
    code = "import sys, descent; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_torch_tier_loads_on_first_use():
    pytest.importorskip("torch")
    assert descent.torch.Adam is not None


def test_exceptions_are_value_errors_with_fields():
    assert issubclass(descent.InvalidOption, ValueError)
    assert issubclass(descent.InputError, ValueError)
    with pytest.raises(descent.InvalidOption) as e:
        descent.optimize.minimize(lambda x: (x @ x, 2 * x), np.ones(2), jac=True, method="adam",
                                  options={"lr": -1.0})
    assert e.value.field == "lr"


def test_unknown_method_names_the_known_ones():
    with pytest.raises(descent.InvalidOption, match="sns") as e:
        descent.ot.solve([0.5, 0.5], [0.5, 0.5], np.eye(2), method="nope")
    assert e.value.field == "method"


def test_option_of_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="eta"):
        descent.ot.solve([0.5, 0.5], [0.5, 0.5], np.eye(2), eta=[1, 2])


def test_set_threads_accepts_counts():
    descent.set_threads(1)
    descent.set_threads(0)


def test_repro_runs_in_process_and_matches_the_cli(cli, tmp_path):
    import json
    ids = [e["id"] for e in descent.repro_list()]
    assert "sns" in ids and "ignite" in ids
    summary = descent.repro("gd-rosenbrock", quick=True)
    assert summary["quick"] is True and summary["metrics"]
    out = subprocess.run([cli, "repro", summary["id"], "--quick", "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    ref = json.loads((tmp_path / summary["id"] / "summary.json").read_text())
    assert ref["metrics"].keys() == summary["metrics"].keys()
    for key, value in ref["metrics"].items():
        if "second" not in key and "time" not in key and isinstance(value, float):
            assert summary["metrics"][key] == pytest.approx(value, rel=1e-9), key
    assert [c["verdict"] for c in ref["claims"]] == [c["verdict"] for c in summary["claims"]]
    with pytest.raises(ValueError, match="unknown reproduction"):
        descent.repro("no-such-thing")
