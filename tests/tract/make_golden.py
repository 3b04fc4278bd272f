#!/usr/bin/python3
"""Golden TrAct gradients from Debian's python3-torch (1.13), an independent reference.

Run with the system interpreter:
    /usr/bin/python3 tests/tract/make_golden.py
It writes tests/tract/data/golden.json. Each case stores the layer's input x, target y, weight W
and bias b (float64) and the TrAct weight gradient of the loss mean((y - layer(x))^2), computed
here from autograd's plain gradient and the paper's closed form

    grad_W = (G^T A) (A^T A / N + lambda I)^(-1)

with an explicit inverse (the official code's 'inverse' branch), A the input rows (Linear) or
the unfold patches (Conv2d). The Woodbury cases (N < n) use the same direct formula, so the C++
Woodbury branch is checked against it. The first two cases are the official code's __main__
golden tests; their published float32 values (spec 1.5) are asserted here first.
"""
import json
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
LAMBDA = 0.1


def tract_grad(plain_grad, a, lam):
    n = a.shape[1]
    m = a.t() @ a / a.shape[0] + lam * torch.eye(n, dtype=a.dtype)
    return plain_grad.reshape(plain_grad.shape[0], -1) @ torch.inverse(m)


def linear_case(name, x, y, layer, lam=LAMBDA):
    x = x.double()
    y = y.double()
    w = layer.weight.detach().double().clone().requires_grad_(True)
    b = layer.bias.detach().double().clone().requires_grad_(True)
    loss = ((y - F.linear(x, w, b)) ** 2).mean()
    loss.backward()
    rows = x.reshape(-1, w.shape[1])
    g = tract_grad(w.grad, rows, lam)
    return case(name, "linear", x, y, w, b, g, b.grad, lam, {})


def conv_case(name, x, y, layer, lam=LAMBDA):
    x = x.double()
    y = y.double()
    w = layer.weight.detach().double().clone().requires_grad_(True)
    b = layer.bias.detach().double().clone().requires_grad_(True)
    stride, padding = layer.stride, layer.padding
    loss = ((y - F.conv2d(x, w, b, stride, padding)) ** 2).mean()
    loss.backward()
    patches = F.unfold(x, w.shape[2:], padding=padding, stride=stride)
    a = patches.transpose(1, 2).reshape(-1, patches.shape[1])
    g = tract_grad(w.grad, a, lam).reshape(w.shape)
    return case(name, "conv2d", x, y, w, b, g, b.grad, lam,
                {"stride": list(stride), "padding": list(padding)})


def case(name, kind, x, y, w, b, gw, gb, lam, extra):
    flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
    out = {"name": name, "kind": kind, "lambda": lam,
           "x_shape": list(x.shape), "x": flat(x), "y_shape": list(y.shape), "y": flat(y),
           "w_shape": list(w.shape), "w": flat(w), "b": flat(b),
           "grad_w": flat(gw), "grad_b": flat(gb), "plain_grad_w": flat(w.grad)}
    out.update(extra)
    return out


def main():
    cases = []
    # The official __main__ cases: seed 0, layers built right after the data.
    torch.manual_seed(0)
    x = torch.randn(30, 8)
    y = torch.randn(30, 5)
    lin = torch.nn.Linear(8, 5)
    c = linear_case("official_linear", x, y, lin)
    published = [0.0741, 0.0949, -0.0559, -0.0398, -0.1364, 0.0013, 0.1603, -0.0468]
    assert max(abs(a - b) for a, b in zip(c["grad_w"][:8], published)) < 1e-4, c["grad_w"][:8]
    assert max(abs(a - b) for a, b in
               zip(c["grad_b"], [-0.1162, 0.1062, -0.1275, -0.0206, -0.1149])) < 1e-4
    cases.append(c)

    torch.manual_seed(0)
    x = torch.randn(30, 2, 6, 4)
    y = torch.randn(30, 5, 4, 2)
    conv = torch.nn.Conv2d(2, 5, 3, 1, 0)
    c = conv_case("official_conv", x, y, conv)
    published = [-0.0501, -0.0166, 0.0214, -0.0230, 0.0324, 0.0655, 0.0010, 0.0600, 0.0290]
    assert max(abs(a - b) for a, b in zip(c["grad_w"][:9], published)) < 1e-4, c["grad_w"][:9]
    assert max(abs(a - b) for a, b in
               zip(c["grad_b"], [0.0052, -0.0397, 0.1093, 0.0464, -0.1079])) < 1e-4
    cases.append(c)

    # Woodbury (N < n): 6 rows of 8 features; one 4x4 image under a 3x3 kernel (N = 4, n = 27).
    torch.manual_seed(1)
    cases.append(linear_case("woodbury_linear", torch.randn(6, 8), torch.randn(6, 5),
                             torch.nn.Linear(8, 5)))
    torch.manual_seed(2)
    cases.append(conv_case("woodbury_conv", torch.randn(1, 3, 4, 4), torch.randn(1, 4, 2, 2),
                           torch.nn.Conv2d(3, 4, 3, 1, 0)))
    # Stride and padding (a patch layer: k4 s4 as the spec's patch-CNN, and k3 s2 p1).
    torch.manual_seed(3)
    cases.append(conv_case("patch_k4_s4", torch.randn(5, 1, 8, 8), torch.randn(5, 6, 2, 2),
                           torch.nn.Conv2d(1, 6, 4, stride=4)))
    torch.manual_seed(4)
    cases.append(conv_case("k3_s2_p1", torch.randn(4, 2, 7, 5), torch.randn(4, 3, 4, 3),
                           torch.nn.Conv2d(2, 3, 3, stride=2, padding=1)))
    # A 3-D input to Linear (rows flattened) and another lambda.
    torch.manual_seed(5)
    cases.append(linear_case("linear_3d_input", torch.randn(4, 3, 6), torch.randn(4, 3, 2),
                             torch.nn.Linear(6, 2), lam=0.5))

    os.makedirs(os.path.join(HERE, "data"), exist_ok=True)
    with open(os.path.join(HERE, "data", "golden.json"), "w") as f:
        json.dump({"generator": "tests/tract/make_golden.py, torch " + torch.__version__,
                   "cases": cases}, f, indent=1)
    print("wrote", len(cases), "cases")


if __name__ == "__main__":
    main()
