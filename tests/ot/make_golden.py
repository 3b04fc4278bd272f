#!/usr/bin/python3
"""Golden values for tests/ot from POT 0.8.2 (python3-pot), an independent reference.

Run with the system interpreter (POT and numpy are Debian packages):
    /usr/bin/python3 tests/ot/make_golden.py
It writes tests/ot/data/sinkhorn_{x,y,a,b,plan}.npy and golden.json. The clouds and weights come
from a fixed numpy seed; the C++ test rebuilds the squared-Euclidean cost from the stored points.
"""
import json
import os

import numpy as np
import ot

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")
N = 100
ETA = 50.0  # the spec's setting: eta = 50, POT reg = 1 / eta


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240101)
    x = rng.random((N, 2))
    y = rng.random((N, 2))
    a = rng.random(N) + 0.5
    b = rng.random(N) + 0.5
    a /= a.sum()
    b /= b.sum()
    # Same arithmetic as descent's cost_matrix: d0^2 + d1^2 (not POT's |x|^2 + |y|^2 - 2xy).
    C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(axis=-1)
    # Converge to machine precision: POT checks the 2-norm of one marginal every 10 iterations.
    plan, log = ot.sinkhorn(a, b, C, 1.0 / ETA, method="sinkhorn_log", numItermax=200000,
                           stopThr=1e-15, log=True)
    err = np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum()
    emd_plan = ot.emd(a, b, C, numItermax=10_000_000)
    for name, arr in [("x", x), ("y", y), ("a", a), ("b", b), ("plan", plan)]:
        np.save(os.path.join(OUT, "sinkhorn_%s.npy" % name), arr)
    golden = {
        "generator": "tests/ot/make_golden.py",
        "pot_version": ot.__version__,
        "numpy_version": np.__version__,
        "n": N,
        "eta": ETA,
        "pot_method": "sinkhorn_log",
        "pot_iterations": int(log["niter"]),
        "pot_l1_marginal_error": float(err),
        "sinkhorn_cost": float((C * plan).sum()),
        "emd_cost": float((C * emd_plan).sum()),
    }
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump(golden, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(golden, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
