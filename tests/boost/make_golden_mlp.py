#!/usr/bin/env python3
"""Golden values for descent::boost's weak learner: scikit-learn MLPRegressor(solver='lbfgs').

The problem is deterministic (no RNG): x_ij = sin(1.3 i + 0.7 j + 0.1), i < 40, j < 3, and
y_i = cos(2 x_i0) + x_i1 x_i2 - 0.5 x_i2. The initial weights are sklearn's own for
random_state=0 (its _init_coef draws, replayed here), so both sides start from the same point.
Writes golden_mlp_lbfgs.json next to this script. Run with /usr/bin/python3 (Debian sklearn 1.2).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.neural_network import MLPRegressor

N, D, H = 40, 3, 3
i = np.arange(N)[:, None]
j = np.arange(D)[None, :]
X = np.sin(1.3 * i + 0.7 * j + 0.1)
y = np.cos(2 * X[:, 0]) + X[:, 1] * X[:, 2] - 0.5 * X[:, 2]

# sklearn's initialisation for random_state=0: per layer, coef U(-b, b) (fan_in x fan_out),
# then intercept U(-b, b), b = sqrt(2 / (fan_in + fan_out)) for the logistic activation.
rs = np.random.RandomState(0)
init = []
for fan_in, fan_out in [(D, H), (H, 1)]:
    b = np.sqrt(2.0 / (fan_in + fan_out))
    init.append((rs.uniform(-b, b, (fan_in, fan_out)), rs.uniform(-b, b, fan_out)))

out = {"sklearn": sklearn.__version__, "n": N, "d": D, "hidden": H, "alpha": 1e-4}
for max_iter in (15, 2000):
    m = MLPRegressor(hidden_layer_sizes=(H,), activation="logistic", solver="lbfgs",
                     alpha=1e-4, max_iter=max_iter, tol=0.0, n_iter_no_change=max_iter,
                     random_state=0)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, y)
    out[f"max_iter_{max_iter}"] = {"loss": float(m.loss_), "n_iter": int(m.n_iter_),
                                   "predictions": m.predict(X).tolist()}

# The objective at the initial point, from sklearn's own loss function.
m = MLPRegressor(hidden_layer_sizes=(H,), activation="logistic", solver="lbfgs", alpha=1e-4,
                 max_iter=1, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    m.fit(X, y)
m.coefs_ = [init[0][0].copy(), init[1][0].copy()]
m.intercepts_ = [init[0][1].copy(), init[1][1].copy()]
pred0 = m.predict(X)
out["initial_loss"] = float(0.5 * np.mean((pred0 - y) ** 2)
                            + 0.5 * 1e-4 * sum((c ** 2).sum() for c in m.coefs_) / N)
# descent's layout: w1 is hidden x inputs (sklearn's coef transposed), w2 outputs x hidden.
out["w1"] = init[0][0].T.tolist()
out["b1"] = init[0][1].tolist()
out["w2"] = init[1][0].T.tolist()
out["b2"] = init[1][1].tolist()

# The local minimum both fits head for: scipy's L-BFGS-B run to a tight tolerance on the same
# objective (numpy; at the start it equals sklearn's loss above), from the same weights.
import scipy.optimize


def objective(theta, identity=False):
    w1 = theta[:D * H].reshape(D, H)
    b1 = theta[D * H:D * H + H]
    w2 = theta[D * H + H:D * H + 2 * H].reshape(H, 1)
    b2 = theta[-1:]
    z = X @ w1 + b1
    a = z if identity else 1.0 / (1.0 + np.exp(-z))
    e = (a @ w2 + b2)[:, 0] - y
    f = 0.5 * np.mean(e ** 2) + 0.5 * 1e-4 * ((w1 ** 2).sum() + (w2 ** 2).sum()) / N
    de = e[:, None] / N
    gw2 = a.T @ de + 1e-4 * w2 / N
    gb2 = de.sum(0)
    da = de @ w2.T if identity else de @ w2.T * a * (1 - a)
    gw1 = X.T @ da + 1e-4 * w1 / N
    gb1 = da.sum(0)
    return f, np.concatenate([gw1.ravel(), gb1, gw2.ravel(), gb2])


theta0 = np.concatenate([init[0][0].ravel(), init[0][1], init[1][0].ravel(), init[1][1]])
assert abs(objective(theta0)[0] - out["initial_loss"]) < 1e-14
res = scipy.optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B",
                              options={"maxiter": 100000, "maxfun": 100000, "ftol": 0.0,
                                       "gtol": 1e-12})
out["converged"] = {"loss": float(res.fun), "n_iter": int(res.nit),
                    "gradient_max": float(np.abs(res.jac).max())}

# The same net with the identity activation: a linear model in a product parametrisation with
# weight decay, whose minimum value every descent path reaches: sklearn's own fit (which stops
# by scipy's relative-reduction rule after a few iterations) and scipy run to |g| < 1e-13.
m = MLPRegressor(hidden_layer_sizes=(H,), activation="identity", solver="lbfgs", alpha=1e-4,
                 max_iter=20000, max_fun=100000, tol=1e-12, n_iter_no_change=20000,
                 random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    m.fit(X, y)
res = scipy.optimize.minimize(objective, theta0, args=(True,), jac=True, method="L-BFGS-B",
                              options={"maxiter": 100000, "maxfun": 100000, "ftol": 0.0,
                                       "gtol": 1e-13})
out["identity"] = {"sklearn_loss": float(m.loss_), "sklearn_n_iter": int(m.n_iter_),
                   "loss": float(res.fun), "gradient_max": float(np.abs(res.jac).max())}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden_mlp_lbfgs.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(path, out["converged"], out["initial_loss"], out["max_iter_15"]["loss"], out["max_iter_2000"]["loss"],
      out["max_iter_2000"]["n_iter"])
