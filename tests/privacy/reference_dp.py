#!/usr/bin/python3
"""An independent, deliberately plain numpy DP-GD and DIFF2-GD (no code shared with descent).

It follows ../shared/papers/robust_recovery_and_privacy.md (section 2) literally, to check
whether descent's DP-GD / DIFF2 numbers on the spec's P5 task are properties of the methods or
of our implementation:

* task (spec 2.5): x ~ N(0, I_20), teacher MLP 20-20-1 with softplus and weights N(0,1)/sqrt(IN)
  (w2 N(0,1)/sqrt(H); IN = H here), zero biases, y = teacher(x) + 0.1 N(0,1), centred by the
  pooled training mean; P = 4 workers x n = 2000 records, 2000 test records, d = 441;
* loss 1/2 (f - y)^2, full per-sample gradient matrix (n x d) built explicitly;
* ClippedMean: per-sample clipping (1/n) sum g_i min(1, C/|g_i|);
* noise N(0, (sigma C)^2 I) added by every worker to its message, the server averages;
* sigma calibrated by the tight RDP conversion (Balle et al. 2020, Thm 21), replace-one
  (rho = 2/(n sigma)^2 per round), bisection on rho*;
* DIFF2: restart iff (r - 1) mod T == 0 (clip C1, noise sigma1), else clipped per-sample gradient
  differences with radius C2 |x_{r-1} - x_{r-2}| (noise sigma2); v accumulates; x -= eta v;
* the reported utility is |grad f(x_R)|^2 with grad f = mean over workers of the full-batch,
  unclipped gradients at the last iterate (spec P5).

Diagnostic variants (not the spec; only to look for what the spec prototype may have done):
  --clip batch    clips each worker's mean gradient (or mean difference) instead of each sample
                  (NOT differentially private with the per-sample sensitivity);
  --measure uniform  reports |grad f|^2 at a uniformly drawn iterate x_{r^}, r^ ~ U{0..R-1}.

Usage:
  /usr/bin/python3 reference_dp.py [--seeds 1-5] [--eps 1] [--rounds 300] [--clip sample|batch]
                                   [--measure last|uniform] [--configs spec|all|pin] [--json]
Prints one row per (configuration, seed) and the medians over seeds; about 5 s per run.
--configs pin runs issue 16's pinned pair (DP-GD eta 1, C1 0.1; DIFF2 eta 1, C1 0.1, C2 0.3,
T 5); --json prints only {name: {train, test, grad2: median}} (tests/privacy/pin_check.py).
"""
import argparse
import math

import numpy as np

IN, H, P, N, NTEST, R, DELTA = 20, 20, 4, 2000, 2000, 300, 1e-5
NOISE_OFFSET = 0  # --noise-offset: other noise streams from the same starting points
D = H * IN + 2 * H + 1


# ----------------------------------------------------------------------------- accountant
def eps_of_rho(rho, delta=DELTA):
    """Tight conversion, minimised over a fine log grid of alpha then refined."""
    if rho <= 0:
        return 0.0
    a = np.exp(np.linspace(np.log(1.0001), np.log(1e5), 200001))
    e = a * rho + np.log((a - 1) / a) - (np.log(delta) + np.log(a)) / (a - 1)
    return float(e.min())


def rho_star(eps, delta=DELTA):
    lo, hi = 1e-12, 100.0
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        if eps_of_rho(mid, delta) > eps:
            hi = mid
        else:
            lo = mid
    return lo


def sigma_of(rounds, rho, n=N):
    return math.sqrt(2.0 * rounds / (n * n * rho))


# ----------------------------------------------------------------------------- model
def softplus(h):
    return np.logaddexp(0.0, h)


def sigmoid(h):
    return 0.5 * (1.0 + np.tanh(0.5 * h))


def unpack(x):
    W1 = x[: H * IN].reshape(H, IN)
    b1 = x[H * IN : H * IN + H]
    w2 = x[H * IN + H : H * IN + 2 * H]
    b2 = x[-1]
    return W1, b1, w2, b2


def predict(x, X):
    W1, b1, w2, b2 = unpack(x)
    return softplus(X @ W1.T + b1) @ w2 + b2


def loss(x, X, y):
    return 0.5 * np.mean((predict(x, X) - y) ** 2)


def sample_grads(x, X, y):
    """n x d matrix of per-sample gradients of 1/2 (f - y)^2 (same layout as unpack)."""
    W1, b1, w2, b2 = unpack(x)
    h = X @ W1.T + b1
    e = softplus(h) @ w2 + b2 - y
    delta = (e[:, None] * sigmoid(h)) * w2[None, :]  # n x H
    gW1 = (delta[:, :, None] * X[:, None, :]).reshape(len(y), H * IN)
    return np.hstack([gW1, delta, e[:, None] * softplus(h), e[:, None]])


def clipped_mean(G, C, mode):
    if C == 0:
        return np.zeros(G.shape[1])
    if mode == "batch":
        g = G.mean(axis=0)
        nrm = np.linalg.norm(g)
        return g * min(1.0, C / nrm) if nrm > 0 else g
    nrm = np.linalg.norm(G, axis=1)
    f = np.where(nrm > 0, np.minimum(1.0, C / np.where(nrm > 0, nrm, 1.0)), 1.0)
    return (G * f[:, None]).mean(axis=0)


def make_task(data_seed=1):
    rng = np.random.default_rng([data_seed, 7])
    teacher = np.zeros(D)
    teacher[: H * IN] = rng.standard_normal(H * IN) / math.sqrt(IN)
    teacher[H * IN + H : H * IN + 2 * H] = rng.standard_normal(H) / math.sqrt(H)
    Xs = [rng.standard_normal((N, IN)) for _ in range(P)]
    ys = [predict(teacher, X) + 0.1 * rng.standard_normal(N) for X in Xs]
    Xt = rng.standard_normal((NTEST, IN))
    yt = predict(teacher, Xt) + 0.1 * rng.standard_normal(NTEST)
    centre = np.mean(np.concatenate(ys))
    return Xs, [y - centre for y in ys], Xt, yt - centre


def init(seed):
    rng = np.random.default_rng([seed, 1417])
    x = np.zeros(D)
    x[: H * IN] = rng.standard_normal(H * IN) / math.sqrt(IN)
    x[H * IN + H : H * IN + 2 * H] = rng.standard_normal(H) / math.sqrt(H)
    return x


def full_grad(x, Xs, ys):
    return np.mean([sample_grads(x, X, y).mean(axis=0) for X, y in zip(Xs, ys)], axis=0)


def train_loss(x, Xs, ys):
    return float(np.mean([loss(x, X, y) for X, y in zip(Xs, ys)]))


# ----------------------------------------------------------------------------- methods
def run(task, seed, eta, C1, sigma1, C2=0.0, sigma2=0.0, T=1, clip="sample", measure="last", R=R):
    """DIFF2-GD (T = 1: DP-GD). Returns (train loss, test loss, |grad f|^2) at the output and
    the mean |grad f|^2 over the rounds r >= R - 40 with r % 5 == 0 (the tail statistic of
    descent's regime map: steadier than the value at one iterate)."""
    Xs, ys, Xt, yt = task
    rng = np.random.default_rng([seed + NOISE_OFFSET, 6001])
    x = init(seed)
    x_prev = x.copy()
    v = np.zeros(D)
    prev_G = [None] * P
    out_round = int(rng.integers(0, R))
    out = x.copy()
    tail = []
    for r in range(1, R + 1):
        if r - 1 == out_round:
            out = x.copy()
        restart = (r - 1) % T == 0
        radius = C1 if restart else C2 * np.linalg.norm(x - x_prev)
        s = sigma1 if restart else sigma2
        msgs = []
        for p in range(P):
            G = sample_grads(x, Xs[p], ys[p])
            m = clipped_mean(G if restart else G - prev_G[p], radius, clip)
            msgs.append(m + s * radius * rng.standard_normal(D))
            prev_G[p] = G
        d = np.mean(msgs, axis=0)
        v = d if restart else v + d
        x_prev = x
        x = x - eta * v
        if not np.all(np.isfinite(x)):
            return math.inf, math.inf, math.inf, math.inf
        if r >= R - 40 and r % 5 == 0:
            gt = full_grad(x, Xs, ys)
            tail.append(float(gt @ gt))
    if measure == "last":
        out = x
    g = full_grad(out, Xs, ys)
    return train_loss(out, Xs, ys), loss(out, Xt, yt), float(g @ g), float(np.mean(tail))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1-5")
    ap.add_argument("--eps", type=float, default=1.0)
    ap.add_argument("--clip", default="sample", choices=["sample", "batch"])
    ap.add_argument("--measure", default="last", choices=["last", "uniform"])
    ap.add_argument("--configs", default="spec", choices=["spec", "all", "pin"])
    ap.add_argument("--rounds", type=int, default=R)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--noise-offset", type=int, default=0,
                    help="draw seed s's noise from stream s + K (the same starting points)")
    ap.add_argument("--init-dir", help="start seed s from DIR/init<s>.npy (descent's initial "
                    "parameters, same layout) instead of this script's own draw")
    ap.add_argument("--export-data", help="write the pooled training records (X | y) to this .npy "
                    "and exit, so that descent can run on the same data")
    a = ap.parse_args()
    lo, hi = (int(s) for s in a.seeds.split("-"))
    seeds = range(lo, hi + 1)
    task = make_task()
    global NOISE_OFFSET
    NOISE_OFFSET = a.noise_offset
    if a.init_dir:
        global init
        init = lambda seed: np.load(f"{a.init_dir}/init{seed}.npy").ravel().copy()
    if a.export_data:
        Xs, ys = task[0], task[1]
        np.save(a.export_data, np.hstack([np.vstack(Xs), np.concatenate(ys)[:, None]]))
        return
    rho = rho_star(a.eps) if a.eps < 1e5 else 1e30
    # name, eta, C1, C2, T  (T = 1: DP-GD with the whole budget)
    configs = [("dpgd eta=1 C1=0.1", 1.0, 0.1, 0.0, 1),
               ("diff2 eta=0.3 C1=0.3 C2=1 T=10", 0.3, 0.3, 1.0, 10)]
    if a.configs == "pin":
        configs = [("dpgd", 1.0, 0.1, 0.0, 1), ("diff2", 1.0, 0.1, 0.3, 5)]
    if a.configs == "all":
        configs += [("diff2 eta=1 C1=0.1 C2=0.3 T=5", 1.0, 0.1, 0.3, 5),
                    ("dpgd eta=0.3 C1=0.3", 0.3, 0.3, 0.0, 1),
                    ("dpgd eta=3 C1=0.03", 3.0, 0.03, 0.0, 1)]
    rounds = a.rounds
    if not a.json:
        print(f"# eps={a.eps} delta={DELTA} rho*={rho:.6g} clip={a.clip} measure={a.measure} "
              f"d={D} R={rounds}")
    medians = {}
    for name, eta, C1, C2, T in configs:
        if T == 1:
            s1, s2 = sigma_of(rounds, rho), 0.0
        else:
            r1 = math.ceil(rounds / T)
            s1, s2 = sigma_of(r1, rho / 2), sigma_of(rounds - r1, rho / 2)
        rows = []
        for seed in seeds:
            tr, te, g2, g2t = run(task, seed, eta, C1, s1, C2, s2, T, a.clip, a.measure, rounds)
            rows.append((tr, te, g2, g2t))
            if not a.json:
                print(f"{name:34s} seed {seed}: train {tr:.4g} test {te:.4g} |grad f|^2 {g2:.3g}",
                      flush=True)
        med = np.median(np.array(rows), axis=0)
        medians[name] = {"train": med[0], "test": med[1], "grad2": med[2], "grad2_tail": med[3]}
        if a.json:
            continue
        print(f"{name:34s} sigma1 {s1:.5g} sigma2 {s2:.5g} MEDIAN train {med[0]:.4g} "
              f"test {med[1]:.4g} |grad f|^2 {med[2]:.3g}  [{', '.join(f'{r[2]:.2g}' for r in rows)}]",
              flush=True)
    if a.json:
        import json
        print(json.dumps({k: {m: float(v) for m, v in d.items()} for k, d in medians.items()}))


if __name__ == "__main__":
    main()
