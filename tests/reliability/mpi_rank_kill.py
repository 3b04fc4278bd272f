#!/usr/bin/python3
"""The MPI rank-failure test (issue 15): `descent dp-train` under `mpirun -np 4`, one rank
killed with SIGKILL mid-run; every rank must be gone and mpirun must exit non-zero within 30 s,
with no result file written.

    mpi_rank_kill.py DESCENT_BINARY MPIEXEC [--trials N]

Each trial kills a different rank (0, 1, 2, 3, ...) at a random moment after all four started.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

LIMIT = 30.0


def ranks_of(marker):
    """PIDs of the running descent processes whose command line contains marker."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and args and os.path.basename(args[0]) == b"descent" and \
                marker.encode() in b" ".join(args):
            pids.append(int(entry))
    return sorted(pids)


def trial(binary, mpiexec, work, victim, rng):
    os.makedirs(work)
    outputs = [os.path.join(work, n) for n in ("params.npy", "summary.json", "history.csv")]
    cmd = [mpiexec, "--oversubscribe", "-np", "4", binary, "dp-train", "--method", "diff2",
           "--workers", "4", "--rounds", "200000", "--restart", "7", "--guard", "cap",
           "--data", "synthetic:n=300,test=200",
           "--eval-every", "1000", "--mpi", "mpi", "--params", outputs[0], "--out", outputs[1],
           "--history", outputs[2], "--quiet"]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    job = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while len(ranks_of(work)) < 4:
            if job.poll() is not None or time.monotonic() > deadline:
                return [f"the job did not start 4 ranks (exit {job.poll()}): "
                        f"{job.stdout.read().decode()[-300:]}"]
            time.sleep(0.05)
        time.sleep(rng.uniform(0.5, 2.0))
        ranks = ranks_of(work)
        if len(ranks) < 4 or job.poll() is not None:
            return ["the job ended before the kill: make it longer"]
        os.kill(ranks[victim % len(ranks)], signal.SIGKILL)
        killed_at = time.monotonic()
        try:
            rc = job.wait(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            return [f"mpirun still running {LIMIT:.0f} s after a rank was killed"]
        took = time.monotonic() - killed_at
        problems = []
        if rc == 0:
            problems.append("mpirun exited 0 after a rank was killed")
        left = ranks_of(work)
        if left:
            problems.append(f"{len(left)} rank(s) still running after mpirun exited")
        for p in outputs:
            if os.path.exists(p):
                problems.append(f"{os.path.basename(p)} was written")
        print(f"  rank #{victim % 4} killed: mpirun exited {rc} after {took:.1f} s")
        return problems
    finally:
        if job.poll() is None:
            job.kill()
            job.wait()
        for pid in ranks_of(work):
            os.kill(pid, signal.SIGKILL)


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    binary, mpiexec = os.path.abspath(args[0]), args[1]
    trials = int(args[args.index("--trials") + 1]) if "--trials" in args else 4
    rng = random.Random(0)
    root = tempfile.mkdtemp(prefix="descent_mpikill_")
    failures = []
    try:
        for t in range(trials):
            failures += [f"trial {t}: {p}" for p in
                         trial(binary, mpiexec, os.path.join(root, f"t{t}"), t, rng)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for f in failures:
        print("FAIL ", f)
    print(f"{trials} trials, {len(failures)} problems")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
