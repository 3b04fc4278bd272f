"""Privacy accounting with Opacus' names, on descent's accountant (descent/privacy).

    acc = descent.privacy.RDPAccountant()
    for _ in range(steps):
        acc.step(noise_multiplier=1.1, sample_rate=256 / 60000)
    eps = acc.get_epsilon(delta=1e-5)
    z = descent.privacy.get_noise_multiplier(target_epsilon=3.0, target_delta=1e-5,
                                             sample_rate=256 / 60000, steps=10000)

Add/remove adjacency (as Opacus). The conversion to (epsilon, delta) is Balle et al. 2020's
(Opacus' too), over integer orders 2..64, 128, 256 for subsampled steps and over all real
orders for full-batch steps (sample_rate = 1, where RDP is exact in alpha). Opacus' default
orders differ (1.1..10.9 in steps of 0.1, then 12..63), so its epsilon can differ slightly
either way: lower where a fractional order is best, higher where 128 or 256 is.
"""

from . import _core

__all__ = ["RDPAccountant", "get_noise_multiplier", "calibrate_sigma", "epsilon_of_rho",
           "rho_of_epsilon", "gaussian_rho"]

epsilon_of_rho = _core.epsilon_of_rho
rho_of_epsilon = _core.rho_of_epsilon
gaussian_rho = _core.gaussian_rho


class RDPAccountant:
    """Composes Poisson-subsampled Gaussian steps. history: [(noise_multiplier, sample_rate,
    steps)], merged like Opacus' (consecutive steps with the same parameters share an entry)."""

    @classmethod
    def mechanism(cls):
        return "rdp"

    def __init__(self):
        self.history = []

    def step(self, *, noise_multiplier, sample_rate):
        if not noise_multiplier > 0:
            raise ValueError(f"noise_multiplier must be > 0, got {noise_multiplier}")
        if not 0 <= sample_rate <= 1:
            raise ValueError(f"sample_rate must be in [0, 1], got {sample_rate}")
        if self.history and self.history[-1][:2] == (noise_multiplier, sample_rate):
            z, q, n = self.history[-1]
            self.history[-1] = (z, q, n + 1)
        else:
            self.history.append((noise_multiplier, sample_rate, 1))

    def __len__(self):
        return len(self.history)

    def _accountant(self):
        acc = _core.RdpAccountant()
        for z, q, steps in self.history:
            if q == 1.0:  # the full-batch Gaussian: rho = 1 / (2 z^2) per step, exact in alpha
                acc.compose_gaussian(1.0 / (2.0 * z * z), steps)
            elif q > 0:
                acc.compose_subsampled_gaussian(q, z, steps)
        return acc

    def get_privacy_spent(self, *, delta, alphas=None):
        """(epsilon, best_alpha) after the recorded steps; (0, 0) before any step."""
        _no_alphas(alphas)
        if not self.history:
            return 0.0, 0.0
        return self._accountant().epsilon(delta)

    def get_epsilon(self, delta, alphas=None):
        return self.get_privacy_spent(delta=delta, alphas=alphas)[0]


def _no_alphas(alphas):
    if alphas is not None:
        raise ValueError("descent's accountant uses its own orders (2..64, 128, 256 for "
                         "subsampled steps, every real order for full-batch ones); alphas must "
                         "be None")


def get_noise_multiplier(*, target_epsilon, target_delta, sample_rate, steps,
                         epsilon_tolerance=0.01):
    """The smallest noise multiplier (to epsilon_tolerance in epsilon) whose `steps` subsampled
    Gaussian steps cost at most target_epsilon, by bisection like Opacus' helper."""
    if not target_epsilon > 0 or not 0 < target_delta < 1:
        raise ValueError("target_epsilon must be > 0 and target_delta in (0, 1)")

    def eps(z):
        acc = RDPAccountant()
        acc.history = [(z, sample_rate, int(steps))]
        return acc.get_epsilon(target_delta)

    low, high = 0.0, 10.0
    while eps(high) > target_epsilon:
        high *= 2
        if high > 1e6:
            raise ValueError("no noise multiplier below 1e6 reaches the target epsilon")
    while target_epsilon - eps(high) > epsilon_tolerance:
        mid = (low + high) / 2
        if eps(mid) < target_epsilon:
            high = mid
        else:
            low = mid
    return high


def calibrate_sigma(epsilon, delta, n, rounds, adjacency="replace-one", conversion="tight"):
    """DP-GD's noise multiplier relative to the clip radius (descent's convention, see
    docs/privacy.md): `rounds` full-batch clipped-mean releases over n records cost (epsilon,
    delta) under the given adjacency."""
    return _core.calibrate_dpgd_sigma(epsilon, delta, n, int(rounds), adjacency, conversion)
