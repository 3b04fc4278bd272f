#!/usr/bin/python3
"""The crash-safety test (issue 15): long-running commands killed with SIGKILL at random moments
leave every result file either absent, the old version or the new complete version, and a
restart finishes with the result of an uninterrupted run.

    sigkill.py DESCENT_BINARY [--kills N] [--seed S]

Commands (kills spread over them, N >= 50 by default 52):
  - `train --checkpoint DIR --resume --log`: restarted with --resume after every kill until it
    completes; the final test loss and accuracy must equal an uninterrupted run's bit for bit,
    and the log must hold each epoch exactly once;
  - `repro gbnn --quick --out DIR` (no resume: rerun), `boost fit --out M.json`,
    `offline propose --out P.csv`: after each kill the outputs present must be complete; a final
    uninterrupted run must match the reference.
A file is complete when it parses: JSON loads, a CSV has a header and rows of equal width ending
in a newline, a .pt checkpoint is an intact zip archive, a PNG ends with its IEND chunk. Logs
(`--log`) are streamed, not atomic: they hold every row written before the kill, none if the
kill came before the first row.
Temporary files of killed writers ("NAME.tmp.PID.*") are allowed while a run is dead and must be
gone after the next completed run.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile


def complete(path):
    """None if the file at path is a complete file of its kind, else why not."""
    name = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    try:
        if name.endswith(".json"):
            json.loads(data)
        elif name.endswith(".csv"):
            text = data.decode()
            if name == "log.csv" and not text:
                return None  # a streamed log killed before its first row (docs/reliability.md)
            if not text.endswith("\n"):
                return "no final newline"
            rows = [r for r in text.split("\n")[:-1] if r and not r.startswith("#")]
            widths = {r.count(",") for r in rows}
            if len(widths) > 1:
                return f"rows of different widths {sorted(widths)}"
        elif name.endswith(".pt"):
            with zipfile.ZipFile(path) as z:
                bad = z.testzip()
                if bad:
                    return f"corrupt member {bad}"
        elif name.endswith(".png"):
            if not (data.startswith(b"\x89PNG\r\n\x1a\n") and data[-12:-8] == b"\x00\x00\x00\x00"
                    and data[-8:-4] == b"IEND"):
                return "not a complete PNG"
    except Exception as e:  # noqa: BLE001 - any parse failure is the finding
        return f"{type(e).__name__}: {e}"
    return None


TEMP = re.compile(r"\.tmp(\.\d+\.\d+\.\d+)?$")


def check_outputs(root, allow_temps):
    problems = []
    for d, _, files in os.walk(root):
        for n in files:
            p = os.path.join(d, n)
            if TEMP.search(n):
                if not allow_temps:
                    problems.append(f"{p}: temporary file left behind")
                continue
            why = complete(p)
            if why:
                problems.append(f"{p}: {why}")
    return problems


def kill_at(cmd, cwd, delay):
    """Starts cmd, SIGKILLs it after delay seconds (or lets it finish). Returns its exit code."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
    return p.returncode


def run_json(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}: {p.stdout[-400:]}{p.stderr[-400:]}")
    return p.stdout


class Case:
    def __init__(self, name, cmd, outputs, result, window, resume=None):
        self.name, self.cmd, self.outputs, self.result = name, cmd, outputs, result
        self.window, self.resume = window, resume


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    binary = os.path.abspath(args[0])
    kills = int(args[args.index("--kills") + 1]) if "--kills" in args else 52
    rng = random.Random(int(args[args.index("--seed") + 1]) if "--seed" in args else 0)
    root = tempfile.mkdtemp(prefix="descent_sigkill_")
    failures = []
    try:
        designs = os.path.join(root, "designs.csv")
        with open(designs, "w") as f:
            f.write("a,b,c,y\n")
            for i in range(3000):
                a, b, c = (i * 37 % 101) / 50 - 1, (i * 53 % 97) / 48 - 1, (i * 11 % 89) / 44 - 1
                f.write(f"{a},{b},{c},{-(a - 0.3) ** 2 - b * b + 0.5 * c}\n")
        # About 25 s uninterrupted: 20 kills, each after 0.8-3 s (LibTorch loads in about 1 s),
        # leave it unfinished, so that every restart resumes mid-run.
        epochs = 2400
        train = ["train", "--data", "digits", "--model", "mlp:64", "--batch", "8", "--epochs",
                 str(epochs), "--standardize", "--seed", "5", "--json", "--quiet"]

        def train_result(out):
            j = json.loads(out)
            return (j["counters"]["test_loss"], j["counters"]["test_accuracy"])

        cases = [
            Case("train", lambda d: train + ["--checkpoint", d, "--log", os.path.join(d, "log.csv"),
                                             "--resume"],
                 None, train_result, (0.8, 3.0), resume=True),
            Case("repro", lambda d: ["repro", "gbnn", "--quick", "--out", d, "--quiet"], None,
                 lambda _, d: json.load(open(os.path.join(d, "gbnn", "summary.json")))["metrics"]
                 ["merge.max_abs_diff"], None),
            Case("boost", lambda d: ["boost", "fit", "--data", "digits", "--task", "multiclass",
                                     "--rounds", "60", "--out", os.path.join(d, "m.json"),
                                     "--quiet"], None,
                 lambda _, d: open(os.path.join(d, "m.json")).read(), None),
            Case("offline", lambda d: ["offline", "propose", "--data", designs, "--hidden", "64,64",
                                       "--epochs", "40", "--regularizer", "ignite", "--count",
                                       "32", "--out", os.path.join(d, "p.csv"), "--log",
                                       os.path.join(d, "log.csv"), "--quiet"], None,
                 lambda _, d: open(os.path.join(d, "p.csv")).read(), None),
        ]
        epochs_total = epochs
        share = {"train": 20, "repro": 12, "boost": 10, "offline": 10}
        scale = kills / sum(share.values())
        done = 0
        for case in cases:
            n = max(1, round(share[case.name] * scale))
            ref_dir = os.path.join(root, case.name + "_ref")
            os.makedirs(ref_dir)
            start = time.monotonic()
            out = run_json([binary] + case.cmd(ref_dir), root)
            # Kill anywhere in a run's life (window None: the reference run's duration).
            window = case.window or (0.2, time.monotonic() - start)
            reference = case.result(out, ref_dir) if case.name != "train" else case.result(out)
            work = os.path.join(root, case.name)
            os.makedirs(work)
            killed = temps = 0
            for _ in range(n):
                rc = kill_at([binary] + case.cmd(work), root, rng.uniform(*window))
                done += 1
                killed += rc == -signal.SIGKILL
                temps += sum(1 for _, _, fs in os.walk(work) for f in fs if TEMP.search(f))
                failures += [f"{case.name}: {p}" for p in check_outputs(work, allow_temps=True)]
            # Finish: resume (train) or rerun, then compare with the reference.
            out = run_json([binary] + case.cmd(work), root)
            got = case.result(out, work) if case.name != "train" else case.result(out)
            if got != reference:
                failures.append(f"{case.name}: final result {str(got)[:80]} != reference "
                                f"{str(reference)[:80]}")
            failures += [f"{case.name}: {p}" for p in check_outputs(work, allow_temps=False)]
            if case.name == "train":
                with open(os.path.join(work, "log.csv")) as f:
                    epochs = [line.split(",")[0] for line in f.read().splitlines()[1:]]
                if epochs != [str(e) for e in range(1, epochs_total + 1)]:
                    failures.append(f"train: log epochs are not 1..{epochs_total} once each")
            print(f"{case.name}: {n} runs, {killed} killed mid-run ({temps} temporary files "
                  f"seen after kills), final result matches the uninterrupted run: "
                  f"{got == reference}")
        print(f"{done} kills, {len(failures)} problems")
        for f in failures[:20]:
            print("FAIL ", f)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
