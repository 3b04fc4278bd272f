#!/usr/bin/python3
"""POT 0.8.2 on the problems of bench/ot/ot_bench.cpp, for bench/ot/run.sh.

Run with the system interpreter (POT and numpy are Debian packages):
    /usr/bin/python3 bench/peers/ot_pot.py [--sizes 500,1000,2000,4000] [--out FILE.json]

For each n: uniform weights and C_ij = U[0,1) from splitmix64((n << 32) + i n + j), the same
matrix the C++ benchmark builds.
  - time per iteration of ot.sinkhorn(method='sinkhorn_log') at eta = 1200 (reg = 1/eta):
    (time of 1 + K iterations - time of 1 iteration) / K, i.e. without the setup;
  - the same at eta = 500 (at 1200 most of POT's exp() results are subnormal numbers, slow on
    x86; descent clamps below exp(-708), so its time per iteration does not depend on eta);
  - time per iteration of ot.sinkhorn(method='sinkhorn') at eta = 500 (at 1200 its kernel
    exp(-1200 C) underflows to 0 and the iteration is meaningless);
  - time to tolerance 1e-9 at eta = 500 for both, with numItermax = 100000. POT's own test is
    the 2-norm of one marginal, every 10 iterations; the L1 error reached is reported too.
With --per-eta, instead: time to tolerance 1e-9 of POT's Sinkhorn methods (sinkhorn,
sinkhorn_log, sinkhorn_stabilized, sinkhorn_epsilon_scaling) at each eta of --etas, for the
per-eta table beside ot_bench's BM_SinkhornToToleranceEta, each run in its own process and
stopped after 60 s (then "not converged"). A method "converged" when it stopped
before its iteration cap with a finite plan whose L1 marginal error is <= 1e-8 (10 times
descent's tolerance: POT stops on the 2-norm of one marginal, which can be met with a larger L1
error; sinkhorn_epsilon_scaling at eta 10 stops at an L1 error of 5e-7, for example). POT's fifth
method, greenkhorn, is left out: it updates one row or column per step in a Python loop, and at
n = 1000 twenty thousand steps (ten sweeps' worth) took more than 100 s.
Set OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1 for a single-thread comparison (run.sh does).
"""
import argparse
import json
import subprocess
import sys
import time
import warnings

import numpy as np
import ot

ETA_ITERATION = 1200.0
ETA_TOLERANCE = 500.0
TOLERANCE = 1e-9


def splitmix64(z):
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def hashed_cost(n):
    with np.errstate(over="ignore"):
        idx = (np.uint64(n) << np.uint64(32)) + np.arange(n * n, dtype=np.uint64)
        bits = splitmix64(idx) >> np.uint64(11)
    return (bits.astype(np.float64) * 2.0 ** -53).reshape(n, n)


def iterations_for(n):
    return 20 if n <= 500 else 10 if n <= 1000 else 4 if n <= 2000 else 2


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def per_iteration(a, b, C, reg, method, k):
    run = lambda its: ot.sinkhorn(a, b, C, reg, method=method, numItermax=its, stopThr=0.0)
    t1, _ = timed(lambda: run(1))
    tk, _ = timed(lambda: run(1 + k))
    return max(tk - t1, 1e-12) / k


def to_tolerance(a, b, C, reg, method, cap=100000):
    t, (plan, log) = timed(lambda: ot.sinkhorn(a, b, C, reg, method=method, numItermax=cap,
                                               stopThr=TOLERANCE, log=True))
    err = float(np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum())
    niter = int(log.get("niter", log.get("n_iter", -1)))
    converged = bool(np.isfinite(err) and np.all(np.isfinite(plan)) and 0 <= niter < cap - 1)
    return {"seconds": t, "iterations": niter, "l1_error": err, "converged": converged}


PER_ETA_METHODS = ["sinkhorn", "sinkhorn_log", "sinkhorn_stabilized", "sinkhorn_epsilon_scaling"]
CONVERGED_L1 = 1e-8


PER_RUN_SECONDS = 60


def one_run(n, eta, method):
    C = hashed_cost(n)
    a = np.full(n, 1.0 / n)
    row = {"n": n, "eta": eta, "method": method, "pot_version": ot.__version__}
    row.update(to_tolerance(a, a, C, 1.0 / eta, method))
    row["converged"] = row["converged"] and row["l1_error"] <= CONVERGED_L1
    return row


def per_eta(sizes, etas):
    # One process per run, stopped after PER_RUN_SECONDS (POT's sinkhorn_epsilon_scaling took
    # 49 s for 100 outer iterations at n = 1000, eta = 10, with an L1 error of 2).
    rows = []
    for n in sizes:
        for eta in etas:
            for method in PER_ETA_METHODS:
                try:
                    p = subprocess.run([sys.executable, __file__, "--one", str(n), str(eta), method],
                                       capture_output=True, text=True, timeout=PER_RUN_SECONDS)
                    row = json.loads(p.stdout.strip().splitlines()[-1])
                except subprocess.TimeoutExpired:
                    row = {"n": n, "eta": eta, "method": method, "pot_version": ot.__version__,
                           "seconds": float(PER_RUN_SECONDS), "iterations": -1,
                           "l1_error": float("nan"), "converged": False,
                           "note": f"stopped after {PER_RUN_SECONDS} s"}
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,1000,2000,4000")
    parser.add_argument("--out", default="")
    parser.add_argument("--per-eta", action="store_true")
    parser.add_argument("--etas", default="10,50,200,500,1200")
    parser.add_argument("--one", nargs=3, metavar=("N", "ETA", "METHOD"),
                        help="one per-eta run (used by --per-eta, in a subprocess)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    if args.one:
        print(json.dumps(one_run(int(args.one[0]), float(args.one[1]), args.one[2])))
        return
    if args.per_eta:
        rows = per_eta([int(s) for s in args.sizes.split(",")],
                       [float(e) for e in args.etas.split(",")])
        if args.out:
            with open(args.out, "w") as f:
                json.dump({"tolerance": TOLERANCE, "per_eta": rows}, f, indent=2)
                f.write("\n")
        return
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        C = hashed_cost(n)
        a = np.full(n, 1.0 / n)
        row = {"n": n, "pot_version": ot.__version__}
        k = iterations_for(n)
        row["sinkhorn_log_seconds_per_iteration"] = per_iteration(
            a, a, C, 1.0 / ETA_ITERATION, "sinkhorn_log", k)
        # The same at eta = 500: at 1200 most exp() results are subnormal, which is slow.
        row["sinkhorn_log_seconds_per_iteration_eta_tolerance"] = per_iteration(
            a, a, C, 1.0 / ETA_TOLERANCE, "sinkhorn_log", k)
        row["sinkhorn_seconds_per_iteration"] = per_iteration(
            a, a, C, 1.0 / ETA_TOLERANCE, "sinkhorn", 10 * k)
        row["sinkhorn_log_to_tolerance"] = to_tolerance(a, a, C, 1.0 / ETA_TOLERANCE,
                                                        "sinkhorn_log")
        row["sinkhorn_to_tolerance"] = to_tolerance(a, a, C, 1.0 / ETA_TOLERANCE, "sinkhorn")
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"eta_iteration": ETA_ITERATION, "eta_tolerance": ETA_TOLERANCE,
                       "tolerance": TOLERANCE, "rows": rows}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
