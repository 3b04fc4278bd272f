#!/usr/bin/python3
"""POT on the point clouds of bench/ot/large_clouds.cpp, one configuration per process.

    /usr/bin/python3 bench/peers/ot_pot_clouds.py --n 10000 --method sinkhorn|sinkhorn_log \
        [--eta 20] [--iterations 5]

Clouds: uniform in [0,1]^3, coordinate k of point i of cloud c = top 53 bits of
splitmix64((c << 60) + 3 i + k) / 2^53 (as in large_clouds.cpp); squared Euclidean cost
(ot.dist), uniform weights, reg = 1 / eta. Time per iteration = (time of 1 + K iterations -
time of 1 iteration) / K, each the best of three, so the cost matrix and kernel setup are excluded; peak RSS is the
process's (it includes the n x n cost). Prints one JSON object. Set OMP_NUM_THREADS=1.
"""
import argparse
import json
import resource
import time
import warnings

import numpy as np
import ot


def splitmix64(z):
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def cloud(n, which):
    with np.errstate(over="ignore"):
        idx = (np.uint64(which) << np.uint64(60)) + np.arange(3 * n, dtype=np.uint64)
        bits = splitmix64(idx) >> np.uint64(11)
    return (bits.astype(np.float64) * 2.0 ** -53).reshape(n, 3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--method", default="sinkhorn")
    parser.add_argument("--eta", type=float, default=20.0)
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    X, Y = cloud(args.n, 0), cloud(args.n, 1)
    C = ot.dist(X, Y)  # squared Euclidean
    a = np.full(args.n, 1.0 / args.n)
    reg = 1.0 / args.eta

    def run(its):
        t = time.perf_counter()
        ot.sinkhorn(a, a, C, reg, method=args.method, numItermax=its, stopThr=0.0)
        return time.perf_counter() - t

    # Best of three of each, so that the difference is not noise.
    t1 = min(run(1) for _ in range(3))
    tk = min(run(1 + args.iterations) for _ in range(3))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"n": args.n, "path": "pot-" + args.method, "eta": args.eta,
                      "iterations": args.iterations,
                      "seconds_per_iteration": max(tk - t1, 1e-12) / args.iterations,
                      "peak_rss_mb": peak, "pot_version": ot.__version__}))


if __name__ == "__main__":
    main()
