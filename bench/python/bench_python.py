#!/usr/bin/python3
"""The Python package against its peers and against its own C++ core, called from Python.

    PYTHONPATH=build/python OMP_NUM_THREADS=1 /usr/bin/python3 bench/python/bench_python.py \
        [--sizes 200,1000] [--repeats 5] [--out FILE.json]

1. Sinkhorn (log domain) on n x n problems (uniform weights, squared distances of 2-D Gaussian
   clouds, reg = 0.05, 200 iterations, no tolerance stop so both run the same work):
   descent.ot.sinkhorn vs ot.sinkhorn(method="sinkhorn_log"), and what the call spends outside
   the solver: the library's problem set-up (validating and copying the weights and the
   cost matrix into the column-major Problem, as a C++ caller pays too; "setup_seconds") and
   the binding's own overhead (the rest: argument conversion, results, Python), each as a
   share of the call.
2. One optimizer step on a parameter of n floats (float32): descent.torch.Adam.step vs
   torch.optim.Adam.step, and the kernel alone (_core.UpdateRule.apply on the same arrays)
   to show what the torch.optim wrapper costs.
Medians of --repeats runs; one thread (descent.set_threads(1), torch.set_num_threads(1)).
"""
import argparse
import json
import statistics
import time

import numpy as np

import descent


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_sinkhorn(n, repeats, iterations=200, reg=0.05):
    import ot
    rng = np.random.default_rng(n)
    x, y = rng.normal(size=(n, 2)), rng.normal(size=(n, 2)) + 0.5
    M = ot.dist(x, y)
    a = np.full(n, 1.0 / n)
    inner, setup = [], []

    def ours():
        r = descent.ot.solve(a, a, M, "sinkhorn", eta=1 / reg, tolerance=0.0,
                             max_iterations=iterations, threads=1)
        inner.append(r.summary["seconds"])
        setup.append(r.setup_seconds)

    def pot():
        ot.sinkhorn(a, a, M, reg, method="sinkhorn_log", numItermax=iterations, stopThr=0.0,
                    warn=False)

    ours()  # warm-up
    pot()
    inner.clear()
    setup.clear()
    t_ours = median_time(ours, repeats)
    t_inner = statistics.median(inner)
    t_setup = statistics.median(setup)
    t_pot = median_time(pot, repeats)
    return {"n": n, "iterations": iterations, "descent_seconds": t_ours,
            "descent_solver_seconds": t_inner, "problem_setup_seconds": t_setup,
            "problem_setup_share": t_setup / t_ours,
            "binding_overhead_share": (t_ours - t_inner - t_setup) / t_ours,
            "pot_sinkhorn_log_seconds": t_pot, "pot_over_descent": t_pot / t_ours}


def bench_adam(n, repeats, steps=200):
    import torch
    torch.set_num_threads(1)
    results = {"n": n, "steps": steps}
    for name, cls in (("descent", descent.torch.Adam), ("torch", torch.optim.Adam)):
        p = torch.nn.Parameter(torch.zeros(n))
        p.grad = torch.randn(n)
        opt = cls([p], lr=1e-3)
        opt.step()

        def run():
            for _ in range(steps):
                opt.step()

        results[f"{name}_step_seconds"] = median_time(run, repeats) / steps
    rule = descent._core.UpdateRule("adam")
    x, g = np.zeros(n, dtype=np.float32), np.ones(n, dtype=np.float32)
    bufs = [np.zeros(n, dtype=np.float32) for _ in range(2)]

    def kernel():
        for t in range(1, steps + 1):
            rule.apply(t, x, g, bufs)

    results["kernel_call_seconds"] = median_time(kernel, repeats) / steps
    results["torch_over_descent"] = results["torch_step_seconds"] / results["descent_step_seconds"]
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="200,1000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out")
    args = parser.parse_args()
    descent.set_threads(1)
    sizes = [int(s) for s in args.sizes.split(",")]
    out = {"sinkhorn": [bench_sinkhorn(n, args.repeats) for n in sizes],
           "adam": [bench_adam(n, args.repeats) for n in (1000, 1_000_000)]}
    print(json.dumps(out, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
