import numpy as np
import pytest

torch = pytest.importorskip("torch")
import descent  # noqa: E402

dt = descent.torch


def make_model(dtype=torch.float64, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, 3)).to(dtype)


def data(dtype=torch.float64):
    g = torch.Generator().manual_seed(1)
    return torch.randn(64, 8, generator=g, dtype=dtype), torch.randint(0, 3, (64,), generator=g)


def train(model, opt, steps=100, scheduler=None):
    x, y = data(next(model.parameters()).dtype)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if scheduler:
            scheduler.step()
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


@pytest.mark.parametrize("ours,theirs,kwargs", [
    (dt.Adam, torch.optim.Adam, dict(lr=1e-2)),
    (dt.Adam, torch.optim.Adam, dict(lr=1e-2, weight_decay=1e-3, betas=(0.8, 0.99))),
    (dt.AdamW, torch.optim.AdamW, dict(lr=1e-2)),
    (dt.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    (dt.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)),
])
def test_optimizers_match_torch_after_100_steps(ours, theirs, kwargs):
    a, b = make_model(), make_model()
    pa = train(a, ours(a.parameters(), **kwargs))
    pb = train(b, theirs(b.parameters(), **kwargs))
    assert (pa - pb).abs().max().item() < 1e-6


def test_float32_and_lr_scheduler():
    a, b = make_model(torch.float32), make_model(torch.float32)
    oa, ob = dt.Adam(a.parameters(), lr=1e-2), torch.optim.Adam(b.parameters(), lr=1e-2)
    sa = torch.optim.lr_scheduler.StepLR(oa, step_size=30, gamma=0.1)
    sb = torch.optim.lr_scheduler.StepLR(ob, step_size=30, gamma=0.1)
    pa, pb = train(a, oa, 100, sa), train(b, ob, 100, sb)
    assert (pa - pb).abs().max().item() < 1e-4
    assert oa.param_groups[0]["lr"] == pytest.approx(1e-5)


def test_updates_in_place_and_state_dict_round_trip():
    model = make_model()
    opt = dt.DiffGrad(model.parameters(), lr=1e-2)
    pointers = [p.data_ptr() for p in model.parameters()]
    train(model, opt, 5)
    assert [p.data_ptr() for p in model.parameters()] == pointers
    state = opt.state[next(model.parameters())]
    assert state["step"] == 5 and set(state) >= {"exp_avg", "exp_avg_sq", "previous_grad"}
    # A copy resumed from the state dict continues exactly like the original.
    clone = make_model()
    clone.load_state_dict(model.state_dict())
    opt2 = dt.DiffGrad(clone.parameters(), lr=1e-2)
    opt2.load_state_dict(opt.state_dict())
    assert (train(model, opt, 5) - train(clone, opt2, 5)).abs().max().item() == 0.0


def test_parameter_groups_and_other_rules():
    model = make_model()
    opt = dt.NormalizedMomentum([{"params": model[0].parameters(), "lr": 1e-2},
                                 {"params": model[2].parameters()}], lr=1e-3)
    before = [p.detach().clone() for p in model.parameters()]
    train(model, opt, 3)
    moved = [(p.detach() - q).norm().item() for p, q in zip(model.parameters(), before)]
    assert all(m > 0 for m in moved)
    with pytest.raises(ValueError):
        dt.DiffGrad(model.parameters(), variant="adam")
    with pytest.raises(descent.InvalidOption):
        opt = dt.Adam(model.parameters(), lr=-1.0)
        train(model, opt, 1)


def test_sinkhorn2_value_and_gradients_by_finite_differences():
    ot = pytest.importorskip("ot")
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20, 2, generator=g, dtype=torch.float64)
    y = torch.randn(25, 2, generator=g, dtype=torch.float64)
    M = (torch.cdist(x, y) ** 2).requires_grad_(True)
    a = torch.full((20,), 1 / 20, dtype=torch.float64, requires_grad=True)
    b = torch.full((25,), 1 / 25, dtype=torch.float64, requires_grad=True)
    reg = 0.1
    loss = dt.sinkhorn2(a, b, M, reg, stopThr=1e-13)
    loss.backward()

    def value(av, bv, Mv):  # the regularised value from POT's plan, an independent solver
        P = ot.sinkhorn(av, bv, Mv, reg, method="sinkhorn_log", stopThr=1e-14,
                        numItermax=200000)
        return float((Mv * P).sum() + reg * (P * np.log(P)).sum())

    A, B, C = a.detach().numpy(), b.detach().numpy(), M.detach().numpy()
    assert loss.item() == pytest.approx(value(A, B, C), rel=1e-9)
    rng = np.random.default_rng(1)
    h = 1e-5
    D = rng.normal(size=C.shape)
    fd_M = (value(A, B, C + h * D) - value(A, B, C - h * D)) / (2 * h)
    assert (M.grad.numpy() * D).sum() == pytest.approx(fd_M, rel=1e-5)
    d = rng.normal(size=20)
    d -= d.mean()  # a direction along the simplex
    fd_a = (value(A + h * d, B, C) - value(A - h * d, B, C)) / (2 * h)
    assert a.grad.numpy() @ d == pytest.approx(fd_a, rel=1e-5)
    e = rng.normal(size=25)
    e -= e.mean()
    fd_b = (value(A, B + h * e, C) - value(A, B - h * e, C)) / (2 * h)
    assert b.grad.numpy() @ e == pytest.approx(fd_b, rel=1e-5)
    with pytest.raises(ValueError, match="sum to 1"):
        dt.sinkhorn2(2 * a.detach(), b.detach(), M.detach(), reg)


def test_hessian_tools_match_autograd():
    model = make_model()
    x, y = data()
    crit = torch.nn.functional.cross_entropy
    params = list(model.parameters())
    flat = torch.cat([p.detach().reshape(-1) for p in params])

    def loss_of(v):
        out, offset = [], 0
        for p in params:
            out.append(v[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
        h = torch.tanh(x @ out[0].T + out[1])
        return crit(h @ out[2].T + out[3], y)

    H = torch.autograd.functional.hessian(loss_of, flat)
    eig = torch.linalg.eigvalsh(H)
    v = torch.randn(flat.numel(), dtype=torch.float64)
    hv = dt.hvp(crit(model(x), y), params, v)
    np.testing.assert_allclose(hv.numpy(), (H @ v).numpy(), rtol=1e-8, atol=1e-10)
    top = dt.hessian_eigs(model, crit, (x, y), top_n=2, steps=flat.numel())
    np.testing.assert_allclose(top, eig.flip(0)[:2].numpy(), rtol=1e-6)
    tr = dt.hessian_trace(model, crit, (x, y), max_probes=300, rtol=0.0)
    assert abs(tr.trace - torch.trace(H).item()) < 4 * tr.standard_error
