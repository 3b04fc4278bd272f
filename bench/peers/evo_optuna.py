#!/usr/bin/python3
"""Optuna's NSGAIISampler on ZDT1, the second reference of docs/evo.md (spec D1's setting).

    /usr/bin/python3 bench/peers/evo_optuna.py [--seeds 3] [--generations 250]

ZDT1 with 30 variables in [0, 1], population 100, `generations` generations (100 x generations
trials), Optuna 3.1's defaults otherwise (Debian python3-optuna: uniform crossover with
probability 0.9, swapping 0.5, mutation 1/30 per variable). Prints, per seed and on average,
the hypervolume at (1.1, 1.1) of the last generation's 100 trials (what descent and pagmo report:
the final population) and of the Pareto front of every trial, with the seconds taken. Compare
with `descent repro linas` (zdt1.hv_ours_mean, zdt1.hv_pagmo_mean).
"""
import argparse
import math
import time

import optuna


def zdt1(x):
    f1 = x[0]
    g = 1.0 + 9.0 * sum(x[1:]) / (len(x) - 1)
    return f1, g * (1.0 - math.sqrt(f1 / g))


def hypervolume(points, ref=(1.1, 1.1)):
    """Exact 2-D hypervolume of minimised points against ref (points beyond ref add nothing)."""
    pts = sorted(p for p in points if p[0] < ref[0] and p[1] < ref[1])
    hv, best2 = 0.0, ref[1]
    for a, b in pts:  # by f1 ascending; each new lowest f2 adds the slab [a, r1] x [b, best2]
        if b < best2:
            hv += (ref[0] - a) * (best2 - b)
            best2 = b
    return hv


def run(seed, generations, n=30, population=100):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(population_size=population, seed=seed)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(lambda t: zdt1([t.suggest_float(f"x{i}", 0.0, 1.0) for i in range(n)]),
                   n_trials=population * generations)
    trials = study.trials
    last = [t.values for t in trials[-population:]]
    front = [t.values for t in study.best_trials]
    return hypervolume(last), hypervolume(front)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--generations", type=int, default=250)
    a = ap.parse_args()
    rows = []
    for s in range(a.seeds):
        t = time.perf_counter()
        last, front = run(s, a.generations)
        rows.append((last, front, time.perf_counter() - t))
        print(f"seed {s}: last generation HV {last:.5f}, all-trials front HV {front:.5f} "
              f"({rows[-1][2]:.0f} s)", flush=True)
    k = len(rows)
    print(f"mean of {k}: last generation {sum(r[0] for r in rows) / k:.5f}, "
          f"all-trials front {sum(r[1] for r in rows) / k:.5f}, "
          f"{sum(r[2] for r in rows) / k:.0f} s per run (optuna {optuna.__version__})")


if __name__ == "__main__":
    main()
