#!/usr/bin/python3
"""scikit-learn and XGBoost on the folds of `descent repro gbnn`, for docs/boost.md.

    descent repro gbnn --out runs            # writes runs/gbnn/<set>_folds.csv
    OMP_NUM_THREADS=1 /usr/bin/python3 bench/peers/gbnn_sklearn.py --folds runs/gbnn [--out peers.json]

For each set (digits, breast-cancer, wine, diabetes; the same bundled CSVs, rows in the same
order as descent's loader) and each fold of <set>_folds.csv: features z-scored on the training
rows (the diabetes target too; RMSE is reported in the target's units), then
  - GradientBoostingClassifier/Regressor (trees, sklearn defaults: 100 rounds, lr 0.1, depth 3),
  - MLPClassifier/Regressor(hidden_layer_sizes=(200,)), the paper's baseline family (Adam),
  - MLPRegressor/Classifier(solver='lbfgs', hidden 200),
  - XGBClassifier/XGBRegressor (defaults of xgboost 1.7.4, tree_method='hist', 1 thread).
Prints the mean accuracy (RMSE) and total fit seconds per model, as a Markdown table.
"""
import argparse
import json
import time
import warnings

import numpy as np
from sklearn import datasets
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor

try:
    import xgboost
except ImportError:  # python3-xgboost is optional
    xgboost = None

SETS = {
    "digits": lambda: datasets.load_digits(return_X_y=True),
    "breast-cancer": lambda: datasets.load_breast_cancer(return_X_y=True),
    "wine": lambda: datasets.load_wine(return_X_y=True),
    "diabetes": lambda: datasets.load_diabetes(return_X_y=True, scaled=False),
}


def models(regression, seed):
    if regression:
        out = {
            "sklearn GradientBoostingRegressor": lambda: GradientBoostingRegressor(random_state=seed),
            "sklearn MLPRegressor adam (200)": lambda: MLPRegressor((200,), random_state=seed),
            "sklearn MLPRegressor lbfgs (200)": lambda: MLPRegressor((200,), solver="lbfgs",
                                                                     max_iter=200, random_state=seed),
        }
        if xgboost:
            out["XGBRegressor"] = lambda: xgboost.XGBRegressor(tree_method="hist", n_jobs=1,
                                                               random_state=seed)
    else:
        out = {
            "sklearn GradientBoostingClassifier": lambda: GradientBoostingClassifier(random_state=seed),
            "sklearn MLPClassifier adam (200)": lambda: MLPClassifier((200,), random_state=seed),
            "sklearn MLPClassifier lbfgs (200)": lambda: MLPClassifier((200,), solver="lbfgs",
                                                                       max_iter=200, random_state=seed),
        }
        if xgboost:
            out["XGBClassifier"] = lambda: xgboost.XGBClassifier(tree_method="hist", n_jobs=1,
                                                                 random_state=seed)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", required=True, help="the folder of `descent repro gbnn`")
    ap.add_argument("--out", help="write the results as JSON")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    results = {}
    for name, load in SETS.items():
        X, y = load()
        assign = np.loadtxt(f"{args.folds}/{name}_folds.csv", delimiter=",", skiprows=1)
        fold_of = np.empty(len(y), dtype=int)
        fold_of[assign[:, 0].astype(int)] = assign[:, 1].astype(int)
        regression = name == "diabetes"
        for label, make in models(regression, args.seed).items():
            scores, seconds = [], 0.0
            for f in range(fold_of.max() + 1):
                tr, te = fold_of != f, fold_of == f
                mu, sd = X[tr].mean(0), X[tr].std(0)
                sd[sd < 1e-12] = 1.0
                xtr, xte = (X[tr] - mu) / sd, (X[te] - mu) / sd
                ytr, yte = y[tr], y[te]
                if regression:
                    ym, ys = ytr.mean(), ytr.std()
                    ytr = (ytr - ym) / ys
                model = make()
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(xtr, ytr)
                seconds += time.perf_counter() - t0
                pred = model.predict(xte)
                if regression:
                    scores.append(float(np.sqrt(np.mean((pred * ys + ym - yte) ** 2))))
                else:
                    scores.append(float(np.mean(pred == yte)))
            results.setdefault(name, {})[label] = {"mean": float(np.mean(scores)),
                                                   "std": float(np.std(scores)),
                                                   "seconds": seconds}
    print("| set | model | score (accuracy or RMSE) | fit seconds (all folds) |")
    print("| --- | --- | --- | --- |")
    for name, rows in results.items():
        for label, r in rows.items():
            print(f"| {name} | {label} | {r['mean']:.4f} ± {r['std']:.4f} | {r['seconds']:.2f} |")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
