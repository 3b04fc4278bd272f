import json
import subprocess

import numpy as np
import pytest

import descent


def logistic(rng, n=10, m=80, mu=1e-2):
    A = rng.normal(size=(m, n))
    y = np.sign(rng.normal(size=m))

    def fun(x):
        z = -y * (A @ x)
        f = np.logaddexp(0, z).mean() + 0.5 * mu * x @ x
        s = 1 / (1 + np.exp(-z))
        return f, A.T @ (-y * s) / m + mu * x

    def hess(x):
        z = -y * (A @ x)
        s = 1 / (1 + np.exp(-z))
        return (A.T * (s * (1 - s))) @ A / m + mu * np.eye(n)

    return fun, hess, n


@pytest.mark.parametrize("method", ["gns", "cubic", "super-universal"])
def test_second_order_methods_reach_scipy_s_minimum(rng, method):
    scipy_opt = pytest.importorskip("scipy.optimize")
    fun, hess, n = logistic(rng)
    ref = scipy_opt.minimize(fun, np.zeros(n), jac=True, hess=hess, method="Newton-CG",
                             options={"xtol": 1e-12})
    r = descent.newton.minimize(fun, hess, np.zeros(n), method=method,
                                gradient_tolerance=1e-9)
    assert r.status == "converged", r.message
    np.testing.assert_allclose(r.x, ref.x, atol=1e-7)
    assert r.fun == pytest.approx(ref.fun, rel=1e-12)


def test_gns_shortcut_and_options(rng):
    fun, hess, n = logistic(rng)
    a = descent.newton.gns(fun, hess, np.zeros(n), gamma0=2.0, record_history=True)
    b = descent.newton.minimize(fun, hess, np.zeros(n), method="gns", gamma0=2.0)
    np.testing.assert_array_equal(a.x, b.x)
    assert len(a.history["objective"]) == a.nit + 1  # the start point is row 0


def test_instance_equals_the_cli(cli):
    out = subprocess.run([cli, "--json", "newton", "--problem", "logsumexp:n=50,m=50",
                          "--method", "gns"], capture_output=True, text=True, check=True)
    ref = json.loads(out.stdout)
    r = descent.newton.minimize_instance("logsumexp:n=50,m=50", method="gns")
    assert r.nit == ref["iterations"] and r.status == ref["status"]
    assert r.fun == ref["objective"]
    assert r.summary["problem"] == ref["problem"]


def test_bad_input(rng):
    fun, hess, n = logistic(rng)
    with pytest.raises(ValueError, match="Hessian must be"):
        descent.newton.gns(fun, lambda x: np.eye(n + 1), np.zeros(n))
    with pytest.raises(descent.InvalidOption):
        descent.newton.gns(fun, hess, np.zeros(n), gamma0=-1.0)
    with pytest.raises(ValueError):
        descent.newton.minimize_instance("no-such-problem")


def test_optimize_minimize_dispatches_second_order_methods(rng):
    fun, hess, n = logistic(rng)
    a = descent.optimize.minimize(fun, np.zeros(n), jac=True, hess=hess, method="gns")
    b = descent.newton.gns(fun, hess, np.zeros(n))
    np.testing.assert_array_equal(a.x, b.x)
    assert a.status == "converged"
    with pytest.raises(TypeError, match="hess"):
        descent.optimize.minimize(fun, np.zeros(n), jac=True, method="gns")


def test_malformed_data_file_raises_input_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1.0,2.0,0\n3.0,oops,1\n")
    with pytest.raises(descent.InputError) as e:
        descent.newton.minimize_instance(f"logreg:{bad}", method="gns")
    assert e.value.line == 2 and str(bad) in e.value.file
    assert isinstance(e.value, ValueError)
