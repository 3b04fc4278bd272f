#!/usr/bin/env python3
"""Runs the `descent ...` examples of README.md and docs/*.md, so a documented example that
fails or diverges fails CI.

    run_doc_examples.py DESCENT_BINARY SOURCE_DIR [--list]

Which examples run (the rest are reported as skipped, with the reason):
  - synopsis lines (with [optional] parts or a|b alternatives) and pipelines are skipped;
  - `repro` and `report` are skipped (the repro tests run every reproduction's quick mode);
  - examples that read a file the reader must supply (a.csv, A.mtx, my.csv, ...) are skipped;
    output paths (--log, --out, --plot, ...) land in a temporary folder;
  - long runs are shortened (--epochs -> 1, --outer-steps -> 3, --rounds -> 20), unless the
    example's comment states an outcome (e.g. "diverged, exit 1"), which needs the full run.
Expected exit: non-zero when the comment says "exit 1" or "diverged", else 0.
"""
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

OUTPUT_FLAGS = {"--log", "--trace", "--plot", "--out", "--output", "--output-matrix", "--csv",
                "--plan", "--potentials"}
INPUT_FLAGS = {"--source", "--target", "--source-weights", "--target-weights", "--train", "--val",
               "--operator", "--observations", "--reference", "--x0-file"}
DATA_SUFFIXES = (".csv", ".npy", ".mtx", ".svm", ".libsvm", ".pt", ".txt", ".json", ".idx",
                 ".gz")
SHRINK = [(r"--epochs \d+", "--epochs 1"), (r"--outer-steps \d+", "--outer-steps 3"),
          (r"--rounds \d+", "--rounds 20")]
TIMEOUT = 120


def examples(source):
    files = [os.path.join(source, "README.md")] + sorted(glob.glob(os.path.join(source, "docs",
                                                                                "*.md")))
    for path in files:
        fence, buf = False, ""
        for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
            text = line.strip()
            if text.startswith("```"):
                fence, buf = not fence, ""
                continue
            if not fence:
                continue
            if text.startswith("$ "):
                text = text[2:]
            if buf:
                buf += " " + text
            elif text.startswith("descent "):
                buf, start = text, lineno
            else:
                continue
            if buf.endswith("\\"):
                buf = buf[:-1].strip()
                continue
            yield os.path.relpath(path, source), start, buf
            buf = ""


def split_comment(cmd):
    # A '#' after whitespace starts the example's comment (a '#' inside a token does not).
    m = re.search(r"\s#\s", " " + cmd + " ")
    if not m:
        return cmd.strip(), ""
    cut = m.start()
    return cmd[:cut].strip(), cmd[cut:].strip().lstrip("#").strip()


def skip_reason(cmd, words):
    if "[" in cmd or "|" in cmd or "<" in cmd:
        return "synopsis or pipeline"
    if len(words) > 1 and words[1] in ("repro", "report"):
        return "reproductions run in the repro tests"
    for i, w in enumerate(words):
        if "$" in w:
            return "uses a shell variable"
        prev = words[i - 1] if i > 0 else ""
        if prev in OUTPUT_FLAGS or (prev == "--checkpoint" and words[1] == "train"):
            continue
        value = w.split(":", 1)[1] if ":" in w and not w.startswith("-") else w
        if prev in INPUT_FLAGS or value.endswith(DATA_SUFFIXES) or (
                "/" in value and not value.startswith("-")):
            if not os.path.exists(value):
                return "reads a file the reader supplies (" + value + ")"
    return None


def main():
    binary, source = os.path.abspath(sys.argv[1]), sys.argv[2]
    list_only = "--list" in sys.argv
    work = tempfile.mkdtemp(prefix="descent_doc_examples_")
    try:
        return run_examples(binary, source, list_only, work)
    finally:
        if os.environ.get("DESCENT_KEEP_TEST_FILES") != "1":
            shutil.rmtree(work, ignore_errors=True)


def run_examples(binary, source, list_only, work):
    passed = failed = skipped = 0
    for path, line, raw in examples(source):
        cmd, comment = split_comment(raw)
        words = shlex.split(cmd)
        reason = skip_reason(cmd, words)
        where = f"{path}:{line}"
        if reason:
            skipped += 1
            print(f"skip  {where}: {cmd}  ({reason})")
            continue
        expect_failure = bool(re.search(r"exit 1|diverged|diverges", comment))
        if not expect_failure:
            for pattern, repl in SHRINK:
                cmd = re.sub(pattern, repl, cmd)
        if list_only:
            print(f"run   {where}: {cmd}")
            continue
        argv = [binary] + shlex.split(cmd)[1:]
        t0 = time.time()
        try:
            r = subprocess.run(argv, cwd=work, capture_output=True, text=True, timeout=TIMEOUT,
                               env=dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1",
                                        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1"))
            code, out = r.returncode, (r.stdout + r.stderr)[-1500:]
        except subprocess.TimeoutExpired:
            code, out = None, f"timed out after {TIMEOUT} s"
        ok = (code is not None and code != 0 and code < 128) if expect_failure else code == 0
        seconds = time.time() - t0
        if ok:
            passed += 1
            print(f"ok    {where}: {cmd}  ({seconds:.1f} s, exit {code})")
        else:
            failed += 1
            print(f"FAIL  {where}: {cmd}  (exit {code}, expected "
                  f"{'non-zero' if expect_failure else '0'}, {seconds:.1f} s)\n{out}")
    print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
