#!/usr/bin/python3
"""Prints the ours-vs-PETSc-vs-scipy table of bench/linalg/run.sh from the two JSON files it writes.

    /usr/bin/python3 bench/linalg/table.py OURS.json PEERS.json
OURS.json is Google Benchmark's --benchmark_out of linalg_bench; PEERS.json is linalg_petsc.py --out.
Time per iteration in microseconds; ratios below 1 mean descent is faster.
"""
import json
import sys


def load_ours(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        parts = b["name"].split("/")
        kind, problem = parts[0], parts[1]
        method = parts[2] if kind == "BM_Solve" else "sor-sweep"
        # per_iteration is an inverted rate: seconds per iteration. Keep the best repetition
        # (the peers report their best of several solves too).
        row = {"seconds": b["per_iteration"], "iterations": int(b["iterations"])}
        key = (problem, method)
        if key not in out or row["seconds"] < out[key]["seconds"]:
            out[key] = row
    return data.get("context", {}), out


def main():
    context, ours = load_ours(sys.argv[1])
    with open(sys.argv[2]) as f:
        peers = json.load(f)
    by = {}
    for r in peers["rows"]:
        by[(r["problem"], r["method"], r["peer"])] = r
    print("Machine: %s CPUs @ %s MHz, one thread, CPU time per iteration; PETSc %s (petsc4py, "
          "sequential), scipy %s. b = 1, x0 = 0, ||r|| <= %g ||b|| or the cap; omega = %g.\n"
          % (context.get("num_cpus", "?"), context.get("mhz_per_cpu", "?"),
             peers["petsc_version"], peers["scipy_version"], peers["tolerance"], peers["omega"]))
    print("| problem | n | method | iterations (ours/PETSc/scipy) | ours us/it | PETSc us/it "
          "| scipy us/it | ours/PETSc | ours/scipy |")
    print("|---|---|---|---|---|---|---|---|---|")
    problems = []
    for r in peers["rows"]:
        if r["problem"] not in problems:
            problems.append(r["problem"])
    for problem in problems:
        for method in ["cg", "pcg-jacobi", "ssor-cg", "sor-sweep"]:
            o = ours.get((problem, method))
            p = by.get((problem, method, "petsc"))
            s = by.get((problem, method, "scipy"))
            if not o and not p:
                continue
            n = (p or s or {}).get("n", "?")

            def us(x):
                return "%.1f" % (x * 1e6) if x else "-"

            os_ = o["seconds"] if o else None
            ps = p["seconds_per_iteration"] if p else None
            ss = s["seconds_per_iteration"] if s else None
            its = "%s/%s/%s" % (o["iterations"] if o and method != "sor-sweep" else "-",
                                p["iterations"] if p and method != "sor-sweep" else "-",
                                s["iterations"] if s and method != "sor-sweep" else "-")
            note = " (scipy: spsolve_triangular, 5 its)" if s and s.get("note") else ""
            print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                problem, n, method + note, its, us(os_), us(ps), us(ss),
                "%.2f" % (os_ / ps) if os_ and ps else "-",
                "%.3f" % (os_ / ss) if os_ and ss else "-"))


if __name__ == "__main__":
    main()
