#!/usr/bin/python3
"""Golden values for the predictor tests (tests/evo/predictor_test.cpp), from scikit-learn.

    /usr/bin/python3 tests/evo/make_golden.py > data/evo/sklearn_predictor_golden.json

Rows: the unique OFA-MobileNetV3 sub-networks of data/dynast/*.csv in file order (files sorted
by name); the first 300 train, the next 100 test. Features: 45 integer variables (20 kernel
sizes 3/5/7, 20 expansions 3/4/6, 5 depths 2/3/4, each as its index 0..2), one-hot encoded
(135 columns), as DyNAS-T's onehot_generic. For the MACs (in millions) and the top-1 accuracy:
labels divided by 10^(floor(log10 max|y|) - 1), features constant on the training rows dropped
(DyNAS-T's Predictor.train, so SVR's gamma='auto' is 1 / features kept), GridSearchCV with an unshuffled 5-fold and
neg_mean_absolute_percentage_error over Ridge(alpha = 0.1..10.0) and SVR(rbf, gamma='auto',
epsilon=0, C = 1..100); we record each search's best parameter, its CV score and the refitted
model's test predictions (scaled back).
"""
import ast
import csv
import glob
import json
import math
import os

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVR

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KS, E, D = [3, 5, 7], [3, 4, 6], [2, 3, 4]


def rows():
    seen = set()
    for path in sorted(glob.glob(os.path.join(ROOT, "data", "dynast", "*.csv"))):
        with open(path) as f:
            for r in csv.DictReader(f):
                net = ast.literal_eval(r["Sub-network"])
                config = ([KS.index(k) for k in net["ks"]] + [E.index(e) for e in net["e"]]
                          + [D.index(d) for d in net["d"]])
                key = tuple(config)
                if key in seen:
                    continue
                seen.add(key)
                yield config, float(r["MACs"]) / 1e6, float(r["Top-1 Acc (%)"])


def one_hot(configs):
    X = np.zeros((len(configs), 135))
    for i, c in enumerate(configs):
        for j, v in enumerate(c):
            X[i, 3 * j + v] = 1.0
    return X


def search(model, grid, X, y):
    g = GridSearchCV(model, grid, scoring="neg_mean_absolute_percentage_error",
                     cv=KFold(5, shuffle=False), n_jobs=1)
    g.fit(X, y)
    return g


def main():
    data = list(rows())[:400]
    configs = [c for c, _, _ in data]
    X = one_hot(configs)
    out = {"configs_train": configs[:300], "configs_test": configs[300:], "targets": {}}
    for name, col in (("macs", 1), ("accuracy", 2)):
        y = np.array([r[col] for r in data])
        scale = 10.0 ** (math.floor(math.log10(np.abs(y[:300]).max())) - 1)
        ys = y / scale
        keep = np.nonzero(np.var(X[:300], 0))[0]  # DyNAS-T drops constant features first
        Xk = X[:, keep]
        ridge = search(Ridge(), {"alpha": [i / 10 for i in range(1, 101)]}, Xk[:300], ys[:300])
        svr = search(SVR(kernel="rbf", gamma="auto", epsilon=0.0),
                     {"C": [float(c) for c in range(1, 101)]}, Xk[:300], ys[:300])
        out["targets"][name] = {
            "y_train": y[:300].tolist(), "y_test": y[300:].tolist(), "scale": scale,
            "ridge_alpha": ridge.best_params_["alpha"], "ridge_score": ridge.best_score_,
            "columns": keep.tolist(),
            "ridge_test": (ridge.predict(Xk[300:]) * scale).tolist(),
            "svr_C": svr.best_params_["C"], "svr_score": svr.best_score_,
            "svr_test": (svr.predict(Xk[300:]) * scale).tolist(),
        }
    json.dump(out, __import__("sys").stdout)


if __name__ == "__main__":
    main()
