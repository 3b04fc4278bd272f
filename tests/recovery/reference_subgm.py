#!/usr/bin/python3
"""An independent, deliberately plain numpy SubGM (no packing, no shared code with descent).

Used to check that descent's SubGM behaviour at the spec's setup (d = 50, r = 3, eigenvalues
1, 0.75, 0.5, non-symmetric Gaussian A_i, 10% outliers of 10 |X*|_F N(0,1)) is a property of the
method and not of our implementation: e.g. with r' = 10, m = 900 and the warm-up schedule it too
plateaus around 1e-5 instead of reaching 1e-6, and alpha = 1e-3 leaves a ~1e-2 floor.

Usage: /usr/bin/python3 reference_subgm.py FIRST_SEED LAST_SEED   (about 10 s per seed)
"""
import sys

import numpy as np


def run(seed, m=900, rp=10, alpha=1e-12, schedule="warmup", T=600, p=0.1, d=50):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, 3)))
    Us = Q * np.sqrt([1.0, 0.75, 0.5])
    X = Us @ Us.T
    A = rng.standard_normal((m, d * d))
    y = A @ X.ravel()
    y += (rng.random(m) < p) * 10 * np.linalg.norm(X) * rng.standard_normal(m)
    B = rng.standard_normal((d, rp))
    U = alpha * B / np.linalg.norm(B, 2)
    hit, err = None, None
    for t in range(T):
        if schedule == "warmup":
            eta = 0.5 if t < 100 else 0.5 * 0.95 ** (t - 99)
        else:
            eta = 0.5 * 0.99 ** t
        G = (A.T @ np.sign(A @ (U @ U.T).ravel() - y)).reshape(d, d)
        U = U - eta * (G + G.T) @ U / m
        err = np.linalg.norm(U @ U.T - X) / np.linalg.norm(X)
        if hit is None and err < 1e-6:
            hit = t + 1
    return hit, err


if __name__ == "__main__":
    for s in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
        print(f"seed {s}: warm-up m=900 (iteration to 1e-6, final error) {run(s)}; "
              f"geometric alpha=1e-3 {run(s, m=1500, alpha=1e-3, schedule='geometric', T=1500)}")
