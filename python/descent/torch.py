"""descent for PyTorch: optimizers as torch.optim classes running descent's update kernels,
a differentiable sinkhorn2, and Hessian tools for models. Imported on first use of
`descent.torch` (it imports torch).

    opt = descent.torch.DiffGrad(model.parameters(), lr=1e-3)
    loss = descent.torch.sinkhorn2(a, b, M, reg=0.05)    # entropic OT value, exact gradients
    eigs = descent.torch.hessian_eigs(model, criterion, (inputs, targets), top_n=3)

The optimizers keep their state in self.state (so state_dict, parameter groups and LR
schedulers work) and update the parameter tensors in place through numpy views: one copy of
the update math (descent/optim/kernels.hpp), no copy of the parameters. They take CPU float32
or float64 parameters; a non-contiguous gradient is made contiguous once per step.

Why no compiled torch extension: the bindings stay on numpy, which PyTorch's CPU tensors share
memory with, so descent never depends on the ABI of the torch_python library (built with its own
pybind11) and `import descent` works without torch.
"""

import numpy as np
import torch

from . import _core, curvature, ot as _ot

__all__ = ["SGD", "Adam", "AdamW", "DiffGrad", "NormalizedMomentum", "sinkhorn2", "hvp",
           "hessian_eigs", "hessian_trace", "hessian_density"]


class _KernelOptimizer(torch.optim.Optimizer):
    """A torch.optim.Optimizer whose step calls a descent update rule on each parameter."""

    _buffer_names = ("buffer0", "buffer1", "buffer2")

    def _rule_name(self, group):
        raise NotImplementedError

    def _hyperparameters(self, group):
        raise NotImplementedError

    def _update_rule(self, group):
        # One UpdateRule per group, rebuilt only when a hyper-parameter changed (schedulers
        # change lr between steps): the per-step cost stays a dictionary lookup.
        name = self._rule_name(group)
        hyper = self._hyperparameters(group)
        key = (name, tuple(hyper.items()))
        cache = self.__dict__.setdefault("_rules", {})
        entry = cache.get(id(group))
        if entry is None or entry[0] != key:
            rule = _core.UpdateRule(name)
            for k, v in hyper.items():
                rule.set(k, float(v))
            rule.validate()
            entry = (key, rule, self._buffer_names[:rule.buffers])
            cache[id(group)] = entry
        return entry[1], entry[2]

    def _check(self, p):
        if p.grad.is_sparse:
            raise RuntimeError(f"{type(self).__name__} does not take sparse gradients")
        if p.device.type != "cpu" or p.dtype not in (torch.float32, torch.float64):
            raise TypeError(f"{type(self).__name__} runs on CPU float32/float64 parameters, "
                            f"got {p.dtype} on {p.device}")
        if not p.is_contiguous():
            raise TypeError(f"{type(self).__name__} needs contiguous parameters")

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            rule, names = self._update_rule(group)
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) <= len(names) or not p.is_contiguous():  # first step, or reloaded
                    self._check(p)
                    state.setdefault("step", 0)
                    for name in names:
                        if name not in state:
                            state[name] = torch.zeros_like(p,
                                                           memory_format=torch.contiguous_format)
                        elif not state[name].is_contiguous():  # e.g. after load_state_dict
                            state[name] = state[name].contiguous()
                if grad.dtype != p.dtype:
                    raise TypeError("the gradient's dtype differs from the parameter's")
                if not grad.is_contiguous():
                    grad = grad.contiguous()
                state["step"] += 1
                rule.apply(state["step"], p.numpy().reshape(-1), grad.numpy().reshape(-1),
                           [state[n].numpy().reshape(-1) for n in names])
        return loss


class SGD(_KernelOptimizer):
    """torch.optim.SGD's rule (momentum, dampening, Nesterov, L2 weight decay)."""

    _buffer_names = ("momentum_buffer",)

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _rule_name(self, group):
        return "nesterov" if group["nesterov"] else "sgd"

    def _hyperparameters(self, group):
        return {k: group[k] for k in ("lr", "momentum", "dampening", "weight_decay")}


class Adam(_KernelOptimizer):
    """Adam (Kingma & Ba, ICLR 2015) as torch.optim.Adam computes it (L2 weight decay)."""

    _rule = "adam"
    _buffer_names = ("exp_avg", "exp_avg_sq")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay))

    def _rule_name(self, group):
        return self._rule

    def _hyperparameters(self, group):
        return dict(lr=group["lr"], beta1=group["betas"][0], beta2=group["betas"][1],
                    eps=group["eps"], weight_decay=group["weight_decay"])


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, ICLR 2019): decoupled weight decay (default 1e-2)."""

    _rule = "adamw"

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)


class DiffGrad(Adam):
    """diffGrad (Dubey et al., IEEE TNNLS 2020), the fixed rule of the official diffGrad_v2.py;
    variant "diffgrad1".."diffgrad5" selects a friction coefficient, "diffgrad-legacy" the
    published code's aliasing bug (see docs/optim.md)."""

    _buffer_names = ("exp_avg", "exp_avg_sq", "previous_grad")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 variant="diffgrad"):
        if variant not in _core.UpdateRule.names() or not variant.startswith("diffgrad"):
            raise ValueError(f"unknown diffGrad variant '{variant}'")
        super().__init__(params, lr, betas, eps, weight_decay)
        self._rule = variant


class NormalizedMomentum(_KernelOptimizer):
    """Normalized SGD with momentum (Cutkosky & Mehta, ICML 2020)."""

    _buffer_names = ("momentum_buffer",)

    def __init__(self, params, lr=1e-2, beta=0.9, eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, beta=beta, eps=eps, weight_decay=weight_decay))

    def _rule_name(self, group):
        return "normalized-momentum"

    def _hyperparameters(self, group):
        return {k: group[k] for k in ("lr", "beta", "eps", "weight_decay")}


class _Sinkhorn2(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, M, reg, method, options):
        an, bn = a.detach().cpu().double().numpy(), b.detach().cpu().double().numpy()
        for name, w in (("a", an), ("b", bn)):
            if abs(w.sum() - 1.0) > 1e-9:
                raise ValueError(f"sinkhorn2: {name} must sum to 1 (weights on the simplex), "
                                 f"got {w.sum()!r}")
        r = _ot.solve(an, bn, M.detach().cpu().double().numpy(), method, eta=1.0 / reg,
                      **options)
        if r.status != "converged":
            import warnings
            warnings.warn(f"descent.torch.sinkhorn2: {r.status} after {r.niter} iterations",
                          UserWarning, stacklevel=3)
        P = np.ascontiguousarray(r.plan)
        positive = P > 0
        entropy_term = float((P[positive] * np.log(P[positive])).sum())
        plan = torch.from_numpy(P).to(M)
        # a and b live on the simplex: their gradients are the dual potentials up to a constant,
        # centred as POT does for emd2.
        fa = torch.from_numpy(r.x - r.x.mean()).to(a)
        fb = torch.from_numpy(r.y - r.y.mean()).to(b)
        ctx.save_for_backward(plan, fa, fb)
        return torch.tensor(r.cost + reg * entropy_term, dtype=M.dtype)

    @staticmethod
    def backward(ctx, grad):
        plan, fa, fb = ctx.saved_tensors
        return grad * fa, grad * fb, grad * plan, None, None, None


def sinkhorn2(a, b, M, reg, method="sinkhorn", stopThr=1e-9, numItermax=None, **options):
    """The entropic OT value OT_reg = <M, P> + reg * sum P log P at the entropic plan P, with
    its exact gradients by the envelope theorem: dM = P, and da, db = the centred dual
    potentials. a, b: weights on the simplex (sum 1).

    Not POT's sinkhorn2, which returns <M, P> alone and differentiates through the
    iterations: OT_reg is the quantity whose gradients are exact without unrolling (and what
    a loss should use); the two differ by reg * sum P log P. descent.ot.sinkhorn2 (numpy)
    returns <M, P>."""
    options = dict(options, tolerance=stopThr)
    if numItermax is not None:
        options["max_iterations"] = int(numItermax)
    return _Sinkhorn2.apply(torch.as_tensor(a), torch.as_tensor(b), M, float(reg), method,
                            options)


# --- Hessian tools (PyHessian's use) -------------------------------------------------------

def _params(model):
    return [p for p in model.parameters() if p.requires_grad]


def hvp(loss, params, v):
    """H v for the Hessian of the scalar `loss` w.r.t. `params` (a list of tensors); v is a list
    of tensors shaped like params, or one flat tensor. Returns a list (or a flat tensor)."""
    params = list(params)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    flat = isinstance(v, torch.Tensor)
    vs = _unflatten(v, params) if flat else list(v)
    hv = torch.autograd.grad(grads, params, vs, retain_graph=True)
    return torch.cat([h.reshape(-1) for h in hv]) if flat else list(hv)


def _unflatten(v, params):
    out, offset = [], 0
    for p in params:
        out.append(v[offset:offset + p.numel()].view_as(p).to(p))
        offset += p.numel()
    return out


def _hessian_matvec(model, criterion, data):
    inputs, targets = data
    params = _params(model)
    loss = criterion(model(inputs), targets)
    grads = torch.autograd.grad(loss, params, create_graph=True)
    n = sum(p.numel() for p in params)

    def matvec(v):
        vs = _unflatten(torch.from_numpy(v), params)
        hv = torch.autograd.grad(grads, params, vs, retain_graph=True)
        return torch.cat([h.reshape(-1) for h in hv]).double().numpy()

    return matvec, n


def hessian_eigs(model, criterion, data, top_n=1, steps=30, seed=0):
    """The top_n largest Hessian eigenvalues (Lanczos Ritz values, descending) of
    criterion(model(inputs), targets) at the current parameters; data = (inputs, targets)."""
    matvec, n = _hessian_matvec(model, criterion, data)
    r = curvature.lanczos(matvec, n, steps=min(steps, n), seed=seed)
    return list(r.eigenvalues[::-1][:top_n])


def hessian_trace(model, criterion, data, max_probes=100, rtol=1e-3, seed=0):
    """Hutchinson's estimate of tr(H): a Result with trace, standard_error, probes."""
    matvec, n = _hessian_matvec(model, criterion, data)
    return curvature.hutchinson(matvec, n, max_probes=max_probes,
                                min_probes=min(10, max_probes), rtol=rtol, seed=seed)


def hessian_density(model, criterion, data, steps=30, probes=1, sigma=None, seed=0):
    """SLQ spectral density of H (nodes, weights; density on a grid with sigma)."""
    matvec, n = _hessian_matvec(model, criterion, data)
    return curvature.slq(matvec, n, steps=min(steps, n), probes=probes, seed=seed, sigma=sigma)
