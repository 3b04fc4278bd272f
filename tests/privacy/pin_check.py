#!/usr/bin/python3
"""Issue 16, acceptance 1: descent's DP-GD and DIFF2 against the independent numpy reference.

At the spec task (P = 4 workers x n = 2000 records, local noise, eps = 1, delta = 1e-5; DP-GD
eta 1, C1 0.1; DIFF2 eta 1, C1 0.1, C2 0.3, T 5) both implementations run seeds 1..S, and the
medians over seeds of the train loss and of the mean |grad f|^2 over the last 40 rounds (every
5th) must agree within a relative tolerance; |grad f(x_R)|^2 at the last iterate is printed too. Both start from the same points on the same records: descent trains on the reference's records
(exported as .npy; descent deals them to the workers in another order, which changes nothing for
equal shards), and the reference starts seed s from descent's initial parameters for seed s
(at R = 300 the spread of the initialisations alone moved 10-seed medians by 15 %). The two share
no code and no noise stream, so they agree only where the medians are properties of the methods.

Usage: pin_check.py DESCENT [--rounds 300] [--seeds 10] [--tolerance 0.2] [--out FILE.json]
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = {
    "dpgd": ["--method", "dpgd", "--step", "1", "--clip", "0.1"],
    "diff2": ["--method", "diff2", "--step", "1", "--clip", "0.1", "--clip-diff", "0.3",
              "--restart", "5"],
}


def descent_medians(binary, rounds, seeds, data, tmp):
    out = {}
    history = os.path.join(tmp, "history.csv")
    for name, flags in CONFIGS.items():
        train, grad2, tail = [], [], []
        for seed in range(1, seeds + 1):
            r = subprocess.run([binary, "dp-train", *flags, "--rounds", str(rounds), "--epsilon",
                                "1", "--workers", "4", "--data", data, "--test-fraction", "0",
                                "--model", "mlp:20-20-1", "--eval-every", "5", "--history",
                                history, "--seed", str(seed), "--json", "--quiet"],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"descent dp-train failed ({r.returncode}): {r.stderr}")
            c = json.loads(r.stdout)["counters"]
            train.append(c["train_loss"])
            grad2.append(c["grad_norm2"])
            with open(history) as f:
                rows = list(csv.DictReader(f))
            tail.append(statistics.mean(float(row["grad_norm2"]) for row in rows
                                        if int(float(row["round"])) >= rounds - 40))
        out[name] = {"train": statistics.median(train), "grad2": statistics.median(grad2),
                     "grad2_tail": statistics.median(tail)}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("descent")
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--tolerance", type=float, default=0.2)
    ap.add_argument("--out")
    a = ap.parse_args()
    reference = os.path.join(HERE, "reference_dp.py")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "records.npy")
        subprocess.run([sys.executable, reference, "--export-data", data], check=True)
        ours = descent_medians(a.descent, a.rounds, a.seeds, data, tmp)
        # descent's initial parameters per seed: one round with a step far below every entry's
        # ulp (x_1 = x_0 exactly) and no noise.
        for seed in range(1, a.seeds + 1):
            subprocess.run([a.descent, "dp-train", "--method", "dpgd", "--step", "1e-300",
                            "--sigma", "0", "--rounds", "1", "--data", data, "--test-fraction",
                            "0", "--model", "mlp:20-20-1", "--eval-every", "0", "--seed",
                            str(seed), "--params", os.path.join(tmp, f"init{seed}.npy"),
                            "--quiet"], check=True, capture_output=True)
        r = subprocess.run([sys.executable, reference, "--configs", "pin", "--seeds",
                            f"1-{a.seeds}", "--rounds", str(a.rounds), "--eps", "1",
                            "--init-dir", tmp, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"reference_dp.py failed: {r.stderr}")
    ref = json.loads(r.stdout.strip().splitlines()[-1])
    failures, rows = [], []
    for name in CONFIGS:
        for metric in ("train", "grad2", "grad2_tail"):
            a_v, r_v = ours[name][metric], ref[name][metric]
            rel = a_v / r_v - 1
            rows.append({"method": name, "metric": metric, "descent": a_v, "numpy": r_v,
                         "relative_difference": rel})
            print(f"{name:6s} {metric:6s} descent {a_v:.5g}  numpy {r_v:.5g}  {100 * rel:+.1f} %")
            # |grad f(x_R)|^2 at one iterate swings up to 10x between rounds: its 10-seed median
            # moved 13-18 % between two noise streams of the reference alone, so it is reported
            # but not bounded; the train loss and the tail mean are.
            if metric != "grad2" and abs(rel) > a.tolerance:
                failures.append(f"{name} {metric}: {100 * rel:+.1f} % (bound "
                                f"±{100 * a.tolerance:.0f} %)")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"rounds": a.rounds, "seeds": a.seeds, "rows": rows}, f, indent=1)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
