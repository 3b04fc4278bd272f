import json
import subprocess

import numpy as np
import pytest

import descent


def rosenbrock(z):
    x, y = z
    f = 100 * (y - x * x) ** 2 + (1 - x) ** 2
    return f, np.array([-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)])


@pytest.mark.parametrize("method,options", [
    ("adam", "--optimizer adam --lr 0.01"),
    ("diffgrad", "--optimizer diffgrad --lr 0.05"),
    ("heavy-ball", "--method heavy-ball --step 1e-4"),
])
def test_same_iterates_as_the_cli(cli, method, options):
    # The CLI runs its built-in Rosenbrock from (-1.2, 1); Python supplies the same function.
    out = subprocess.run([cli, "--json", "minimize", "--problem", "rosenbrock", *options.split(),
                          "--iters", "300"], capture_output=True, text=True, check=True)
    ref = json.loads(out.stdout)
    lr_key = "step_size" if method == "heavy-ball" else "lr"
    lr = float(options.split()[-1])
    r = descent.optimize.minimize(rosenbrock, [-1.2, 1.0], jac=True, method=method,
                                  options={lr_key: lr, "max_iterations": 300})
    np.testing.assert_allclose(r.x, ref["x"], rtol=1e-12, atol=1e-12)
    assert r.status == ref["status"] and r.nit == ref["iterations"]


def test_separate_jac_and_args():
    c = np.array([1.0, -2.0, 3.0])
    r = descent.optimize.minimize(lambda x, c: ((x - c) ** 2).sum(), np.zeros(3), args=(c,),
                                  jac=lambda x, c: 2 * (x - c), method="gd",
                                  options={"step_size": 0.25, "gradient_tolerance": 1e-10})
    assert r.success and r.status == "converged"
    np.testing.assert_allclose(r.x, c, atol=1e-9)


def test_divergence_is_a_status_not_an_exception():
    r = descent.optimize.minimize(lambda x: (float(x @ x), 2 * x), np.ones(3), jac=True,
                                  method="gd", options={"step_size": 10.0})
    assert r.status == "diverged" and not r.success


def test_history_and_callback():
    seen = []
    r = descent.optimize.minimize(rosenbrock, [-1.2, 1.0], jac=True, method="adam",
                                  options={"lr": 0.01, "max_iterations": 50,
                                           "record_history": True},
                                  callback=lambda info: seen.append(info["x"]) or
                                  info["iteration"] >= 20)
    assert r.status == "stopped" and r.nit == 20 and len(seen) == 20
    np.testing.assert_array_equal(seen[-1], r.x)
    assert len(r.history["objective"]) == 20


def test_errors_in_fun_propagate():
    def fun(x):
        raise RuntimeError("bad objective")

    with pytest.raises(RuntimeError, match="bad objective"):
        descent.optimize.minimize(fun, np.ones(2), jac=True)
    with pytest.raises(ValueError, match="gradient has 3"):
        descent.optimize.minimize(lambda x: (0.0, np.ones(3)), np.ones(2), jac=True)
    with pytest.raises(TypeError, match="gradients"):
        descent.optimize.minimize(lambda x: 0.0, np.ones(2))


def test_update_rule_updates_arrays_in_place():
    rule = descent._core.UpdateRule("adam")
    rule.set("lr", 0.1)
    for dtype in (np.float32, np.float64):
        x = np.ones(5, dtype=dtype)
        g = np.full(5, 0.5, dtype=dtype)
        bufs = [np.zeros(5, dtype=dtype) for _ in range(rule.buffers)]
        pointer = x.ctypes.data
        rule.apply(1, x, g, bufs)
        assert x.ctypes.data == pointer
        np.testing.assert_allclose(x, 0.9, rtol=1e-6)  # Adam's first step moves by lr
        assert np.all(bufs[0] != 0)


def test_update_rule_refuses_copies():
    rule = descent._core.UpdateRule("sgd")
    with pytest.raises(TypeError, match="C-contiguous"):
        rule.apply(1, np.ones(10)[::2], np.ones(5), [])
    with pytest.raises(TypeError):
        rule.apply(1, np.ones(5, dtype=np.int64), np.ones(5), [])
    x = np.ones(5)
    x.setflags(write=False)
    with pytest.raises(TypeError, match="writable"):
        rule.apply(1, x, np.ones(5), [])
    with pytest.raises(ValueError, match="buffers"):
        descent._core.UpdateRule("adam").apply(1, np.ones(5), np.ones(5), [])
