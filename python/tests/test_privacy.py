import math

import numpy as np
import pytest

import descent


def reference_rdp(q, z, alpha):
    """Mironov, Talwar, Zhang 2019, integer alpha (the binomial expansion), in plain Python."""
    terms = [math.lgamma(alpha + 1) - math.lgamma(k + 1) - math.lgamma(alpha - k + 1)
             + (alpha - k) * math.log1p(-q) + k * math.log(q) + (k * k - k) / (2 * z * z)
             for k in range(alpha + 1)]
    m = max(terms)
    return (m + math.log(sum(math.exp(t - m) for t in terms))) / (alpha - 1)


def reference_epsilon(rdp, orders, delta):
    """Balle et al. 2020, Thm. 21 (as Opacus' get_privacy_spent)."""
    eps = [r - (math.log(delta) + math.log(a)) / (a - 1) + math.log((a - 1) / a)
           for r, a in zip(rdp, orders)]
    i = int(np.argmin(eps))
    return eps[i], orders[i]


def test_accountant_equals_the_cpp_accountant_exactly():
    acc = descent.privacy.RDPAccountant()
    for _ in range(500):
        acc.step(noise_multiplier=1.1, sample_rate=0.01)
    for _ in range(200):
        acc.step(noise_multiplier=0.8, sample_rate=0.02)
    assert acc.history == [(1.1, 0.01, 500), (0.8, 0.02, 200)]
    core = descent._core.RdpAccountant()
    core.compose_subsampled_gaussian(0.01, 1.1, 500)
    core.compose_subsampled_gaussian(0.02, 0.8, 200)
    assert acc.get_privacy_spent(delta=1e-5) == core.epsilon(1e-5)


def test_accountant_matches_an_independent_formula():
    q, z, steps, delta = 256 / 60000, 1.1, 14000, 1e-5
    acc = descent.privacy.RDPAccountant()
    acc.history = [(z, q, steps)]
    orders = list(range(2, 65)) + [128, 256]
    rdp = [steps * reference_rdp(q, z, a) for a in orders]
    eps, order = reference_epsilon(rdp, orders, delta)
    got, got_order = acc.get_privacy_spent(delta=delta)
    assert got == pytest.approx(eps, rel=1e-9) and got_order == order


def test_full_batch_steps_are_exact_gaussians():
    acc = descent.privacy.RDPAccountant()
    for _ in range(100):
        acc.step(noise_multiplier=20.0, sample_rate=1.0)
    rho = 100 / (2 * 20.0 ** 2)
    assert acc.get_epsilon(1e-5) == pytest.approx(descent.privacy.epsilon_of_rho(rho, 1e-5),
                                                  rel=1e-12)


def test_noise_multiplier_inverts_the_accountant():
    z = descent.privacy.get_noise_multiplier(target_epsilon=2.0, target_delta=1e-5,
                                             sample_rate=0.004, steps=5000)
    acc = descent.privacy.RDPAccountant()
    acc.history = [(z, 0.004, 5000)]
    eps = acc.get_epsilon(1e-5)
    assert 2.0 - 0.01 <= eps <= 2.0
    acc.history = [(z * 0.97, 0.004, 5000)]
    assert acc.get_epsilon(1e-5) > eps


def test_calibrate_sigma_spends_the_budget():
    sigma = descent.privacy.calibrate_sigma(1.0, 1e-5, n=1000, rounds=50)
    rho = 50 * descent.privacy.gaussian_rho(sigma, 1000)
    assert descent.privacy.epsilon_of_rho(rho, 1e-5) == pytest.approx(1.0, rel=1e-6)


def test_bad_input():
    acc = descent.privacy.RDPAccountant()
    with pytest.raises(ValueError):
        acc.step(noise_multiplier=0.0, sample_rate=0.1)
    with pytest.raises(ValueError):
        acc.step(noise_multiplier=1.0, sample_rate=1.5)
    with pytest.raises(ValueError):
        descent.privacy.calibrate_sigma(-1.0, 1e-5, 100, 10)
    with pytest.raises(ValueError):
        descent.privacy.calibrate_sigma(1.0, 1e-5, 100, 10, adjacency="sideways")
