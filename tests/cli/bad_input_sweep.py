#!/usr/bin/python3
"""The CLI bad-input sweep (issue 15): every `descent` command fed bad files, bad outputs and
out-of-range numbers must fail cleanly.

    bad_input_sweep.py DESCENT_BINARY [--list]

For every subcommand in `descent --help` (a command missing from COMMANDS below fails the test,
so a new command must say how it is swept), the cases are generated from its table entry:
  - each input file (flag or positional): missing, empty, a directory, binary garbage, a valid
    file cut in half, and non-finite values (for numeric tables);
  - each output path: inside a folder that does not exist, and /dev/full;
  - each listed numeric flag: the values the entry says must be refused (NaN, Inf, -1, 1e308...).
Every case must exit 1 or 2 (never 0, a signal or 3 "internal error"), print a "descent: error"
line that names the file or flag, leave no output file behind, and leave /dev/full a device.
"""
import concurrent.futures
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile

TABLE, VECTOR, MTX, MTX_VEC, CHECKPOINT, PNG, MANIFEST, RESULTS, GBNN_MODEL, DESIGNS = (
    "table", "vector", "mtx", "mtx-vector", "checkpoint", "png", "manifest", "results",
    "gbnn-model", "designs")

# base: a fast valid run ({name} = a valid file of the kind given in inputs[name]);
# inputs: placeholder -> file kind; extra_inputs: flag -> kind (appended when swept);
# outputs: flags taking an output path; refuse: (flag, value) pairs that must exit 2 naming
# the flag; none: why the command takes no user input worth sweeping.
COMMANDS = {
    "ot": dict(base="ot --source {src} --target {dst} --method sinkhorn --eta 0.5 --max-iterations 200",
               inputs={"src": TABLE, "dst": TABLE},
               extra_inputs={"--source-weights": VECTOR},
               outputs=["--plan", "--potentials", "--log"],
               refuse=[("--eta", "nan"), ("--eta", "-1"), ("--tol", "inf"), ("--tol", "-1"),
                       ("--max-iterations", "-1"), ("--image-floor", "nan"),
                       ("--memory-budget", "nan"), ("--memory-budget", "-1"), ("--mpi", "bogus")]),
    # The matrix-free path reads the same files through another route.
    "ot --matrix-free": dict(
        base="ot --source {src} --target {dst} --matrix-free --eta 0.5 --max-iterations 200",
        inputs={"src": TABLE, "dst": TABLE},
        extra_inputs={"--target-weights": VECTOR},
        outputs=["--potentials", "--log"],
        refuse=[("--eta", "nan"), ("--tol", "-1"), ("--method", "sns"), ("--method", "exact")]),
    "solve": dict(base="solve {A} {b} --method sor --omega 1.2", inputs={"A": MTX, "b": MTX_VEC},
                  extra_inputs={"--x0": MTX_VEC},
                  outputs=["--out", "--history", "--log"],
                  refuse=[("--tol", "nan"), ("--tol", "-1"), ("--max-iterations", "-1"),
                          ("--omega", "inf"), ("--omega", "2.5")]),
    "solve-seq": dict(base="solve-seq {manifest} --method sor --grid 1,1.9,4",
                      inputs={"manifest": MANIFEST}, outputs=["--csv"],
                      refuse=[("--tol", "nan"), ("--tol", "-1"), ("--bins", "-1"),
                              ("--grid", "1,nan,4")]),
    "hv": dict(base="hv --front {front} --ref 10,10", inputs={"front": TABLE}, outputs=[],
               refuse=[("--ref", "nan"), ("--ref", "1,2,3"), ("--ref", "0,0"),
                       ("--columns", "a,b"), ("--maximize", "nope")]),
    "search": dict(base="search --evals 10 --population 5 --inner-evals 10 --out {outdir}/front.csv",
                   inputs={}, outputs=["--results"],
                   refuse=[("--method", "bogus"), ("--evals", "0"), ("--population", "1"),
                           ("--ref", "nan"), ("--ref", "1,2,3"), ("--predictor", "mlp"),
                           ("--objectives", "accuracy"), ("--objectives", "accuracy,params"),
                           ("--inner-evals", "1"), ("--evaluator", "cat"),
                           ("--mpi", "bogus")]),
    "predict-fit": dict(base="predict-fit --data {designs} --target y --folds 2",
                        inputs={"designs": DESIGNS}, outputs=[],
                        refuse=[("--target", "missing"), ("--model", "mlp"), ("--folds", "1"),
                                ("--holdout", "20"), ("--features", "a,y")]),
    "gen": dict(base="gen shifted-laplacian --m 4 --count 2 --out {outdir}", inputs={},
                outputs=[], refuse=[]),
    "minimize": dict(base="minimize --problem booth --iters 20", inputs={},
                     outputs=["--log", "--trace"],
                     refuse=[("--lr", "nan"), ("--step", "-1"), ("--iters", "-1"),
                             ("--iters", "1e308"), ("--time-limit", "nan")]),
    "newton": dict(base="newton --problem logsumexp:n=10,m=10 --max-iterations 5", inputs={},
                   outputs=["--log"],
                   refuse=[("--tol", "nan"), ("--max-iterations", "-1"), ("--gtol", "inf")]),
    "recover": dict(base="recover --d 8 --rank 2 --measurements 200 --iterations 400", inputs={},
                    extra_inputs={"--operator": TABLE, "--observations": VECTOR,
                                  "--reference": TABLE},
                    outputs=["--output", "--output-matrix", "--history", "--log"],
                    refuse=[("--d", "-1"), ("--rank", "0"), ("--outliers", "nan"),
                            ("--iterations", "-1"), ("--tol", "nan")]),
    "bilevel": dict(base="bilevel --problem cosh-toy --method borep --iterations 20", inputs={},
                    outputs=["--log"],
                    refuse=[("--step", "nan"), ("--iterations", "-1"), ("--sigma", "nan"),
                            ("--lower-step", "-1")]),
    "dp-train": dict(base="dp-train --method dpgd --rounds 3 --mpi serial --model mlp:1-4-1 --data {data}",
                     inputs={"data": TABLE}, outputs=["--params", "--history", "--out", "--log"],
                     refuse=[("--epsilon", "nan"), ("--epsilon", "-1"), ("--delta", "2"),
                             ("--rounds", "-1"), ("--workers", "0"), ("--clip", "inf")]),
    "dp-account": dict(base="dp-account --sigma 5 --rounds 10 --n 1000", inputs={}, outputs=[],
                       refuse=[("--sigma", "nan"), ("--sigma", "-1"), ("--delta", "2"),
                               ("--n", "-5")]),
    "sso": dict(base="sso --data iris --model linear --loss ce --epochs 1", inputs={},
                outputs=["--log"],
                refuse=[("--eta", "nan"), ("--eta", "-3"), ("--epochs", "-1"),
                        ("--epochs", "1e308"), ("--eta", "inf")]),
    "hyperopt": dict(base="hyperopt --data diabetes --model ridge --outer-steps 2", inputs={},
                     outputs=["--log"],
                     refuse=[("--lr", "nan"), ("--outer-steps", "-1"), ("--lambda0", "inf"),
                             ("--inner-tol", "-1")]),
    "distill": dict(base="distill --data digits --outer-steps 2 --limit 500", inputs={},
                    outputs=["--out", "--log"],
                    refuse=[("--lambda", "nan"), ("--lambda", "-1"), ("--images-per-class", "0"),
                            ("--outer-steps", "-1")]),
    "train": dict(base="train --data iris --model mlp:8 --epochs 1", inputs={},
                  outputs=["--log"],  # --checkpoint DIR is created on demand
                  refuse=[("--lr", "nan"), ("--lr", "-1"), ("--epochs", "-1"), ("--batch", "0"),
                          ("--tract", "-1"), ("--tract", "nan"), ("--weight-decay", "inf"),
                          ("--blocks", "0"), ("--noprop-eta", "nan"), ("--method", "forward")]),
    "hessian": dict(base="hessian --data digits --checkpoint {ck} --samples 100 --what density --probes 1 --lanczos-steps 5",
                    inputs={"ck": CHECKPOINT}, outputs=["--plot"],
                    refuse=[("--samples", "-1"), ("--probes", "0"), ("--sigma", "nan"),
                            ("--lanczos-steps", "-1")]),
    "saliency": dict(base="saliency --checkpoint {ck} --data {png}",
                     inputs={"ck": CHECKPOINT, "png": PNG}, outputs=["--out", "--npy"],
                     refuse=[("--index", "-1"), ("--class", "-2"), ("--class", "99"),
                             ("--meta-lr", "nan"), ("--meta-lr", "-1")]),
    "pointing-game": dict(base="pointing-game --checkpoint {canvas_ck} --limit 20",
                          inputs={"canvas_ck": CHECKPOINT}, outputs=["--out"],
                          refuse=[("--tolerance", "-1"), ("--limit", "-1"),
                                  ("--layer", "conv99")]),
    # `boost` has three subcommands; "boost" sweeps fit, the other two have their own entries.
    "boost": dict(base="boost fit --data {data} --task regress --rounds 3 --out {outdir}/m.json",
                  inputs={"data": TABLE}, outputs=["--network", "--log"],
                  refuse=[("--eta", "nan"), ("--eta", "-1"), ("--subsample", "0"),
                          ("--subsample", "1.5"), ("--rounds", "0"), ("--units", "-1"),
                          ("--alpha", "inf"), ("--tol", "nan"), ("--task", "ranking")]),
    "boost predict": dict(base="boost predict --model {model} --data {data} --out {outdir}/p.csv",
                          inputs={"model": GBNN_MODEL, "data": TABLE},
                          outputs=["--staged"],  # --out is in base (required)
                          refuse=[("--rounds", "0"), ("--rounds", "99")]),
    "boost cv": dict(base="boost cv --data {data} --task regress --rounds 3 --folds 2 --grid none",
                     inputs={"data": TABLE}, outputs=["--out"],
                     refuse=[("--folds", "1"), ("--inner-folds", "0"), ("--grid", "eta=nan"),
                             ("--grid", "depth=3")]),
    # `offline` has two subcommands; "offline" sweeps propose, "offline eval" has its entry.
    "offline": dict(base="offline propose --data {designs} --hidden 8 --epochs 1 --steps 2 "
                         "--count 4 --out {outdir}/p.csv",
                    inputs={"designs": DESIGNS}, outputs=["--log"],
                    refuse=[("--epsilon", "nan"), ("--epsilon", "-1"), ("--rho", "0"),
                            ("--r", "inf"), ("--count", "0"), ("--epochs", "0"),
                            ("--lr", "nan"), ("--hidden", "0"), ("--regularizer", "sam"),
                            ("--discrete", "A,,C"), ("--target", "missing_column")]),
    "offline eval": dict(base="offline eval --task branin20 --samples 200 --hidden 8 --epochs 1 "
                              "--steps 2 --count 4",
                         inputs={}, outputs=["--out", "--log"],
                         refuse=[("--task", "ackley"), ("--samples", "2"),
                                 ("--cmaes-sigma", "nan"), ("--ensemble", "0")]),
    "report": dict(base="report {results}", inputs={"results": RESULTS}, outputs=[], refuse=[]),
    "repro": dict(base="repro gd-rosenbrock --quick --out {outdir}", inputs={}, outputs=[],
                  refuse=[]),
    "list": dict(none="reads no file and takes no number"),
    "data": dict(none="reads only the installed packages; an unknown name is tested in cli_test"),
}


# Open defects the sweep found, each "command [case]": the test fails if one of them passes
# (remove it here) or if anything else fails. Issue 15 tracks them.
KNOWN = {
    # "command [case]": "why it is still open". Empty: every case passes.
}


def run(binary, args, cwd):
    p = subprocess.run([binary] + shlex.split(args), cwd=cwd, capture_output=True, text=True,
                       timeout=300)
    return p.returncode, p.stdout + p.stderr


def subcommands(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    names, on = [], False
    for line in out.splitlines():
        if line.startswith("Subcommands:"):
            on = True
            continue
        if on and line.startswith("  ") and line.strip():
            names.append(line.split()[0])
    return names


class Fixtures:
    """Valid files of each kind, made once; bad variants of them per case."""

    def __init__(self, binary, root):
        self.root = root
        self.valid = {}
        w = lambda name, text: self._write(name, text)
        self.valid[TABLE] = w("points.csv", "".join(f"{i % 5},{(i * 7) % 3}\n" for i in range(12)))
        self.valid[DESIGNS] = w("designs.csv", "a,b,y\n" + "".join(
            f"{i % 5},{(i * 7) % 3},{(i * 3) % 4}\n" for i in range(12)))
        self.valid[VECTOR] = w("weights.csv", "".join("1\n" for _ in range(12)))
        n = 6
        entries = [f"{i} {i} 4" for i in range(1, n + 1)] + \
                  [f"{i + 1} {i} -1" for i in range(1, n)]
        self.valid[MTX] = w("A.mtx", "%%MatrixMarket matrix coordinate real symmetric\n"
                            f"{n} {n} {len(entries)}\n" + "\n".join(entries) + "\n")
        self.valid[MTX_VEC] = w("b.mtx", "%%MatrixMarket matrix array real general\n"
                                f"{n} 1\n" + "".join("1\n" for _ in range(n)))
        self.valid[MANIFEST] = w("systems.txt", f"{self.valid[MTX]} {self.valid[MTX_VEC]}\n" * 2)
        png = os.path.join(root, "digit.png")
        # An 8x8 greyscale PNG, written by the CLI's own writer is not available here: use zlib.
        import struct, zlib
        def chunk(kind, data):
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
        raw = b"".join(b"\x00" + bytes((x * 30) % 256 for x in range(8)) for _ in range(8))
        with open(png, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
                    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
        self.valid[PNG] = png
        for name, args in [("ck", "train --data digits --model cnn-small --epochs 1"),
                           ("canvas_ck", "train --data fashion-mnist-canvas --model cnn-small "
                                         "--epochs 1 --train-limit 300 --test-limit 50")]:
            code, out = run(binary, f"{args} --quiet --checkpoint {os.path.join(root, name)}", root)
            if code != 0:
                raise SystemExit(f"fixture {name} failed: {out}")
        self.valid[CHECKPOINT] = os.path.join(root, "ck", "checkpoint.pt")
        self.canvas_checkpoint = os.path.join(root, "canvas_ck", "checkpoint.pt")
        model = os.path.join(root, "gbnn.json")
        code, out = run(binary, f"boost fit --data {self.valid[TABLE]} --task regress --rounds 3 "
                                f"--quiet --out {model}", root)
        if code != 0:
            raise SystemExit(f"fixture gbnn-model failed: {out}")
        self.valid[GBNN_MODEL] = model
        results = os.path.join(root, "results")
        code, out = run(binary, f"repro gd-rosenbrock --quick --out {results}", root)
        if code != 0:
            raise SystemExit(f"fixture results failed: {out}")
        self.valid[RESULTS] = results

    def _write(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def for_placeholder(self, name, kind):
        return self.canvas_checkpoint if name == "canvas_ck" else self.valid[kind]

    def bad_variants(self, kind, case_dir):
        """(label, path) of bad files of this kind, created in case_dir."""
        valid = self.valid[kind]
        out = [("missing", os.path.join(case_dir, "absent" + os.path.splitext(valid)[1]))]
        if kind == RESULTS:
            empty = os.path.join(case_dir, "empty_results")
            os.makedirs(empty)
            out.append(("empty folder", empty))
            f = os.path.join(case_dir, "file_not_folder")
            open(f, "w").write("x")
            out.append(("a file", f))
            return out
        ext = os.path.splitext(valid)[1]
        def make(label, data):
            p = os.path.join(case_dir, label.replace(" ", "_") + ext)
            with open(p, "wb") as f:
                f.write(data)
            out.append((label, p))
        make("empty", b"")
        d = os.path.join(case_dir, "a_folder" + ext)
        os.makedirs(d)
        out.append(("directory", d))
        make("garbage", bytes(range(256)) * 3)
        data = open(valid, "rb").read()
        if kind != VECTOR:  # a one-column text table cut anywhere is a valid (shorter) vector
            cut = len(data) // 2
            if kind in (TABLE, MTX, MTX_VEC, MANIFEST, DESIGNS):
                # End right after a separator, so the last row is short: a text table cut at
                # a row boundary is just a smaller valid table.
                cut = max(data.rfind(b",", 0, cut), data.rfind(b" ", 0, cut)) + 1
            make("truncated", data[:cut])
        if kind in (TABLE, VECTOR):
            make("non-finite", data.replace(b"1", b"nan", 1))
        if kind == DESIGNS:  # "nan" is a missing value there (skipped); infinity is refused
            make("non-finite", data.replace(b"1", b"inf", 1))
        if kind in (MTX, MTX_VEC):
            make("non-finite", data.replace(b" 4\n", b" inf\n", 1).replace(b"\n1\n", b"\nnan\n", 1))
        return out


def cases(binary, fx, root):
    """(command, label, args, outputs-to-check, must-mention) for every case."""
    out = []
    for cmd, spec in COMMANDS.items():
        if "none" in spec:
            continue
        inputs = spec.get("inputs", {})
        def fill(over=None, outdir=None):
            values = {k: fx.for_placeholder(k, v) for k, v in inputs.items()}
            values.update(over or {})
            values["outdir"] = outdir or os.path.join(root, "unused_out")
            return spec["base"].format(**values)
        # The valid run itself must succeed, or the cases below would prove nothing. Both
        # output folders exist, so a command whose base writes into {outdir} (boost) fails
        # only for the reason a case is about.
        ok_dir = os.path.join(root, f"{cmd}_ok".replace(" ", "_"))
        os.makedirs(ok_dir, exist_ok=True)
        os.makedirs(os.path.join(root, "unused_out"), exist_ok=True)
        out.append((cmd, "valid", fill(outdir=ok_dir), None, ""))
        k = 0
        for name, kind in list(inputs.items()) + list(spec.get("extra_inputs", {}).items()):
            for label, path in fx.bad_variants(kind, new_dir(root, f"{cmd}_{k}")):
                k += 1
                if name.startswith("--"):
                    args = fill() + f" {name} {path}"
                else:
                    args = fill({name: path})
                # The error names the file, or the flag when the flag is refused first (e.g.
                # --operator without its --observations).
                out.append((cmd, f"{name} {label}", args, [],
                            (os.path.basename(path), name) if name.startswith("--")
                            else os.path.basename(path)))
        for flag in spec.get("outputs", []):
            case_dir = new_dir(root, f"{cmd}_{k}")
            k += 1
            target = os.path.join(case_dir, "no_such_folder", "result.out")
            out.append((cmd, f"{flag} in a missing folder", fill() + f" {flag} {target}", [target],
                        "no_such_folder"))
            if flag != "--checkpoint":
                out.append((cmd, f"{flag} /dev/full", fill() + f" {flag} /dev/full", [], ""))
        for flag, value in spec.get("refuse", []):
            out.append((cmd, f"{flag} {value}", fill() + f" {flag} {value}", [], flag))
    return out


def new_dir(root, name):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    return d


def check(binary, case, root):
    cmd, label, args, outputs, mention = case
    code, text = run(binary, args, root)
    problems = []
    if outputs is None:  # the valid run
        return (cmd, label, args, [] if code == 0 else [f"the valid run exited {code}"],
                text.strip()[-400:])
    if code not in (1, 2):
        problems.append(f"exit {code}")
    if "internal error" in text:
        problems.append("internal error")
    errors = [l for l in text.splitlines() if l.startswith("descent: error")]
    if not errors:
        problems.append("no 'descent: error' line")
    elif mention:
        names = mention if isinstance(mention, tuple) else (mention,)
        # A flag must appear as the user typed it ("--tol", not the library's "tolerance").
        if not any(m in l for m in names for l in errors):
            problems.append(f"the error does not name '{' or '.join(names)}'")
    for path in outputs:
        if os.path.exists(path):
            problems.append(f"left {path}")
    return (cmd, label, args, problems, text.strip()[-400:])


def main():
    binary = os.path.abspath(sys.argv[1])
    missing = [c for c in subcommands(binary) if c not in COMMANDS]
    root = tempfile.mkdtemp(prefix="descent_sweep_")
    failures = []
    try:
        if missing:
            failures.append(f"commands without a sweep entry (add them to COMMANDS): {missing}")
        fx = Fixtures(binary, root)
        all_cases = cases(binary, fx, root)
        if "--list" in sys.argv:
            for c in all_cases:
                print(c[0], "|", c[1], "|", c[2])
            return 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda c: check(binary, c, root), all_cases))
        for cmd, label, args, problems, text in results:
            key = f"{cmd} [{label}]"
            if key in KNOWN:
                if not problems:
                    failures.append(f"{key} passes now: remove it from KNOWN")
                continue
            if problems:
                failures.append(f"{cmd} [{label}]: {', '.join(problems)}\n  descent {args}\n  "
                                + text.replace("\n", "\n  "))
        if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
            failures.append("/dev/full is no longer a character device")
        print(f"{len(all_cases)} cases over {len(COMMANDS)} commands, {len(failures)} failed")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
