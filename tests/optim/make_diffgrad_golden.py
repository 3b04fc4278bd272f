#!/usr/bin/python3
"""Golden values for descent::optim's diffGrad (fixed rule), made with PyTorch (python3-torch).

The reference is the spec's rule = the official diffGrad_v2.py / torch-optimizer DiffGrad, written
here with the same tensor operations (float32). Random parameters and 100 random gradients are
saved together with the parameters after 100 steps, for weight_decay 0 and 0.01, so the C++ test
replays the exact same gradients.

Run: /usr/bin/python3 tests/optim/make_diffgrad_golden.py   (writes tests/optim/golden/*.npy)
"""
import math
import os

import numpy as np
import torch


def diffgrad_v2(p, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    p = p.clone()
    exp_avg = torch.zeros_like(p)
    exp_avg_sq = torch.zeros_like(p)
    previous_grad = torch.zeros_like(p)
    beta1, beta2 = betas
    for step, grad in enumerate(grads, start=1):
        grad = grad.clone()
        if weight_decay != 0:
            grad.add_(p, alpha=weight_decay)
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.sqrt().add_(eps)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        diff = torch.abs(previous_grad - grad)
        dfc = torch.div(1.0, (1.0 + torch.exp(-diff)))
        previous_grad = grad.clone()
        exp_avg1 = exp_avg * dfc
        step_size = lr * math.sqrt(bias_correction2) / bias_correction1
        p.addcdiv_(exp_avg1, denom, value=-step_size)
    return p


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(20240531)
    n, steps = 257, 100
    x0 = torch.randn(n, dtype=torch.float32)
    # Gradients of varying scale, some changing sign often, so the friction term matters.
    grads = torch.randn(steps, n, dtype=torch.float32) * torch.logspace(-3, 0, n).float()
    np.save(os.path.join(out, "diffgrad_x0.npy"), x0.numpy())
    np.save(os.path.join(out, "diffgrad_grads.npy"), grads.numpy())
    for wd, name in [(0.0, "wd0"), (0.01, "wd001")]:
        x = diffgrad_v2(x0, list(grads), lr=1e-2, weight_decay=wd)
        np.save(os.path.join(out, f"diffgrad_x100_{name}.npy"), x.numpy())
    print("wrote", out)


if __name__ == "__main__":
    main()
