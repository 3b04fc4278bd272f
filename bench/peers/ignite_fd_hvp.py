#!/usr/bin/python3
"""An independent PyTorch check of IGNITE's finite-difference Hessian-vector product (spec
check I1), written without descent: the cosine between (grad G(w + r u) - grad G(w)) / r and the
exact H_G u by double backward, for the surrogate's architecture (two dense layers, a 2-output
head, Glorot-uniform weights, G = the mean of output 0 over 128 standard-normal inputs), with
leaky-ReLU (slope 0.3, the reference's) and tanh units.

    /usr/bin/python3 bench/peers/ignite_fd_hvp.py

With leaky-ReLU a step of r = 0.05 along u crosses kinks, and the cosine is 0.84-0.89; even
r = 1e-4 crosses one on some wide networks. With tanh both steps agree to better than 1e-5.
`descent repro ignite` reports the same quantities as i1.* (docs/offline.md).
"""
import math

import torch

torch.set_default_dtype(torch.float64)


def cosines(d, h, act, seed, n=128):
    g = torch.Generator().manual_seed(seed)

    def glorot(o, i):
        a = math.sqrt(6 / (i + o))
        return (torch.rand(o, i, generator=g) * 2 - 1) * a

    params = [glorot(h, d), torch.zeros(h), glorot(h, h), torch.zeros(h), glorot(2, h), torch.zeros(2)]
    for p in params:
        p.requires_grad_(True)
    x = torch.randn(n, d, generator=g)
    f = (lambda z: torch.nn.functional.leaky_relu(z, 0.3)) if act == "leaky_relu" else torch.tanh

    def G():
        w1, b1, w2, b2, w3, b3 = params
        a = f(x @ w1.T + b1)
        a = f(a @ w2.T + b2)
        return (a @ w3.T + b3)[:, 0].mean()

    grad = torch.autograd.grad(G(), params, create_graph=True)
    norm = math.sqrt(sum((t ** 2).sum().item() for t in grad))
    u = [t.detach() / norm for t in grad]
    hv = torch.autograd.grad(sum((a * b).sum() for a, b in zip(grad, u)), params, allow_unused=True)
    hv = [t if t is not None else torch.zeros_like(p) for t, p in zip(hv, params)]
    out = {}
    for r in (1e-4, 0.05):
        saved = [p.detach().clone() for p in params]
        with torch.no_grad():
            for p, v in zip(params, u):
                p.add_(r * v)
        g2 = torch.autograd.grad(G(), params)
        with torch.no_grad():
            for p, s in zip(params, saved):
                p.copy_(s)
        fd = [(a - b.detach()) / r for a, b in zip(g2, grad)]
        dot = sum((a * b).sum() for a, b in zip(fd, hv))
        na = math.sqrt(sum((a * a).sum() for a in fd))
        nb = math.sqrt(sum((b * b).sum() for b in hv))
        out[r] = (dot / (na * nb)).item()
    return out


if __name__ == "__main__":
    print("inputs  width  activation  seed  cos(r=1e-4)  cos(r=0.05)")
    for d, h in [(20, 64), (20, 256), (24, 256)]:
        for act in ("leaky_relu", "tanh"):
            for seed in range(3):
                c = cosines(d, h, act, seed)
                print(f"{d:6d} {h:6d}  {act:10s} {seed:5d}  {c[1e-4]:11.6f}  {c[0.05]:11.6f}")
