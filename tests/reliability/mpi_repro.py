#!/usr/bin/python3
"""`mpirun -np K descent repro IDS --quick` equals the serial run (issue 25).

    mpi_repro.py DESCENT_BINARY MPIEXEC NP ID[,ID...]

Runs the listed reproductions' quick versions once serially and once under `mpirun -np NP`
(experiments dealt to the ranks), both at --threads 1, and requires every experiment's metrics
(timings excluded, as in determinism.py) and claim verdicts to be identical, the report to be
written once, and the text output to list the experiments in registry order.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from determinism import compare  # noqa: E402

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    binary, mpiexec, np_, ids = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    root = tempfile.mkdtemp(prefix="descent_mpi_repro_")
    failures = []
    try:
        common = ["repro", ids, "--quick", "--threads", "1", "--report"]
        serial = subprocess.run([binary] + common + ["--out", os.path.join(root, "serial")],
                                capture_output=True, text=True, timeout=900, env=ENV)
        if serial.returncode != 0:
            sys.exit(f"serial run exited {serial.returncode}: {serial.stderr[-800:]}")
        mpi = subprocess.run([mpiexec, "--oversubscribe", "-np", np_, binary] + common +
                             ["--out", os.path.join(root, "mpi")],
                             capture_output=True, text=True, timeout=900, env=ENV)
        if mpi.returncode != 0:
            sys.exit(f"mpirun run exited {mpi.returncode}: {mpi.stdout[-800:]}{mpi.stderr[-800:]}")
        if f"on {np_} MPI ranks" not in mpi.stdout:
            failures.append("the mpirun output does not name the ranks")
        order = [line.split()[0] for line in mpi.stdout.splitlines()
                 if line and not line.startswith(" ") and "(" in line]
        if order != ids.split(","):
            failures.append(f"experiments printed as {order}, expected {ids.split(',')}")
        if mpi.stdout.count("report: ") != 1:
            failures.append("the report line is not printed exactly once")
        for exp in ids.split(","):
            with open(os.path.join(root, "serial", exp, "summary.json")) as f:
                a = json.load(f)
            with open(os.path.join(root, "mpi", exp, "summary.json")) as f:
                b = json.load(f)
            diff = compare(a["metrics"], b["metrics"])
            if diff:
                failures.append(f"{exp}: metrics differ: {'; '.join(diff[:5])}")
            va = [c["verdict"] for c in a["claims"]]
            vb = [c["verdict"] for c in b["claims"]]
            if va != vb:
                failures.append(f"{exp}: verdicts differ: {va} vs {vb}")
            print(f"{exp}: serial {a['wall_seconds']:.1f} s, mpirun -np {np_} "
                  f"{b['wall_seconds']:.1f} s, metrics identical" if not diff else f"{exp}: differs")
        if not os.path.exists(os.path.join(root, "mpi", "REPORT.md")):
            failures.append("no REPORT.md from the mpirun run")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for f in failures:
        print("FAIL  " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
