#!/usr/bin/python3
"""Python PyTorch optimizer steps for bench/optim/run.sh (python3-torch 1.13).

    /usr/bin/python3 bench/peers/optim_torch.py [--sizes 100000,1000000,10000000] [--out F.json]

For each n: float32 parameter of n elements with a fixed gradient, one thread
(torch.set_num_threads(1)); median over 20 repetitions of the mean time of K steps, reported in
ns per parameter, for torch.optim.Adam (default single-tensor path) and a diffGrad written from
tensor ops exactly as the official diffGrad_v2.py (the fixed rule).
"""
import argparse
import json
import math
import statistics
import time

import torch


class DiffGrad(torch.optim.Optimizer):
    """diffGrad_v2.py's step (fixed previous-gradient copy), from tensor ops."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                    state["previous_grad"] = torch.zeros_like(p)
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                beta1, beta2 = group["betas"]
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(p, alpha=group["weight_decay"])
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                denom = exp_avg_sq.sqrt().add_(group["eps"])
                bias_correction1 = 1 - beta1 ** state["step"]
                bias_correction2 = 1 - beta2 ** state["step"]
                diff = torch.abs(state["previous_grad"] - grad)
                dfc = torch.div(1.0, (1.0 + torch.exp(-diff)))
                state["previous_grad"] = grad.clone()
                exp_avg1 = exp_avg * dfc
                step_size = group["lr"] * math.sqrt(bias_correction2) / bias_correction1
                p.addcdiv_(exp_avg1, denom, value=-step_size)


def time_steps(make, n, reps=20):
    p = torch.rand(n, requires_grad=True)
    p.grad = torch.rand(n) * 0.1
    opt = make([p])
    opt.step()
    k = max(1, int(3e7 // n))  # about 3e7 parameter updates per repetition
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(k):
            opt.step()
        samples.append((time.perf_counter() - t0) / k / n * 1e9)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000,10000000")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        rows.append(dict(n=n,
                         adam_ns_per_param=time_steps(lambda ps: torch.optim.Adam(ps), n),
                         diffgrad_ns_per_param=time_steps(lambda ps: DiffGrad(ps), n)))
    out = dict(torch_version=torch.__version__, rows=rows)
    text = json.dumps(out, indent=2)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
