#!/usr/bin/python3
"""Prints the ours-vs-POT table of bench/ot/run.sh from the two JSON files it writes.

    /usr/bin/python3 bench/ot/table.py OURS.json POT.json
OURS.json is Google Benchmark's --benchmark_out of ot_bench; POT.json is ot_pot.py --out.
"""
import json
import sys


def ms(seconds):
    return seconds * 1e3


def load_ours(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        parts = b["name"].split("/")
        name, args = parts[0], [p for p in parts[1:] if p.isdigit()]
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        out[(name,) + tuple(int(a) for a in args)] = dict(b, seconds=b["real_time"] * scale)
    return data.get("context", {}), out


def main():
    context, ours = load_ours(sys.argv[1])
    with open(sys.argv[2]) as f:
        pot = json.load(f)
    if "per_eta" in pot:
        per_eta_table(ours, pot)
        return
    print("Machine: %s CPUs @ %s MHz; POT %s; eta = %g per iteration, eta = %g and L1 tol %g "
          "to tolerance; one thread unless noted.\n"
          % (context.get("num_cpus", "?"), context.get("mhz_per_cpu", "?"),
             pot["rows"][0]["pot_version"] if pot["rows"] else "?", pot["eta_iteration"],
             pot["eta_tolerance"], pot["tolerance"]))
    print("| n | ours ms/it | POT sinkhorn_log ms/it | POT/ours | POT sinkhorn_log ms/it "
          "(eta %g) | POT/ours | ours 2 threads ms/it | ours GB/s | copy GB/s | read GB/s "
          "| POT sinkhorn ms/it (eta %g) | ours fast path ms/it (eta %g) |"
          % (pot["eta_tolerance"], pot["eta_tolerance"], pot["eta_tolerance"]))
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in pot["rows"]:
        n = row["n"]
        it = ours.get(("BM_SinkhornIteration", n, 1, 0))
        it2 = ours.get(("BM_SinkhornIteration", n, 2, 0))
        fast = ours.get(("BM_SinkhornIteration", n, 1, 1))
        copy = ours.get(("BM_Copy", n))
        read = ours.get(("BM_Read", n))
        pl = row["sinkhorn_log_seconds_per_iteration"]
        pl2 = row.get("sinkhorn_log_seconds_per_iteration_eta_tolerance", float("nan"))
        cells = [str(n),
                 "%.2f" % ms(it["seconds"]) if it else "-",
                 "%.1f" % ms(pl),
                 "%.1fx" % (pl / it["seconds"]) if it else "-",
                 "%.1f" % ms(pl2),
                 "%.1fx" % (pl2 / it["seconds"]) if it else "-",
                 "%.2f" % ms(it2["seconds"]) if it2 else "-",
                 "%.1f" % it["GBps"] if it else "-",
                 "%.1f" % (copy["bytes_per_second"] / 1e9) if copy else "-",
                 "%.1f" % (read["bytes_per_second"] / 1e9) if read else "-",
                 "%.2f" % ms(row["sinkhorn_seconds_per_iteration"]),
                 "%.2f" % ms(fast["seconds"]) if fast else "-"]
        print("| " + " | ".join(cells) + " |")
    print()
    print("| n | ours to tol: ms (iterations) | POT sinkhorn_log: ms (iterations, L1 error) "
          "| POT/ours | POT sinkhorn: ms (iterations, L1 error) | POT/ours | ours SNS eta 1200 "
          "to 1e-10: ms (Newton steps) |")
    print("|---|---|---|---|---|---|---|")
    for row in pot["rows"]:
        n = row["n"]
        t = ours.get(("BM_SinkhornToTolerance", n))
        s = ours.get(("BM_SnsToTolerance", n))
        pl, ps = row["sinkhorn_log_to_tolerance"], row["sinkhorn_to_tolerance"]
        cells = [str(n),
                 "%.1f (%d)" % (ms(t["seconds"]), t["iterations"]) if t else "-",
                 "%.1f (%d, %.1e)" % (ms(pl["seconds"]), pl["iterations"], pl["l1_error"]),
                 "%.1fx" % (pl["seconds"] / t["seconds"]) if t else "-",
                 "%.1f (%d, %.1e)" % (ms(ps["seconds"]), ps["iterations"], ps["l1_error"]),
                 "%.2fx" % (ps["seconds"] / t["seconds"]) if t else "-",
                 "%.0f (%d)" % (ms(s["seconds"]), s["newton_steps"]) if s else "-"]
        print("| " + " | ".join(cells) + " |")


def per_eta_table(ours, pot):
    """Time to an L1 error of 1e-9 per eta: descent's default and log domain vs every POT method."""
    methods = []
    for r in pot["per_eta"]:
        if r["method"] not in methods:
            methods.append(r["method"])
    print("| n | eta | ours default: ms (it) | ours log domain: ms | "
          + " | ".join("POT %s: ms" % m for m in methods)
          + " | fastest POT / ours default | POT sinkhorn_log / ours default |")
    print("|" + "---|" * (6 + len(methods)))
    keys = sorted({(r["n"], r["eta"]) for r in pot["per_eta"]})
    for n, eta in keys:
        fast = ours.get(("BM_SinkhornToToleranceEta", n, int(eta), 0))
        log = ours.get(("BM_SinkhornToToleranceEta", n, int(eta), 1))
        cells = [str(n), "%g" % eta,
                 "%.1f (%d)" % (ms(fast["seconds"]), fast["iterations"]) if fast else "not converged",
                 "%.1f" % ms(log["seconds"]) if log else "not converged"]
        best = None
        sinkhorn_log = None
        for m in methods:
            r = next((r for r in pot["per_eta"] if (r["n"], r["eta"], r["method"]) == (n, eta, m)),
                     None)
            if r is None:
                cells.append("-")
                continue
            if r["converged"]:
                cells.append("%.1f" % ms(r["seconds"]))
                best = r["seconds"] if best is None else min(best, r["seconds"])
                if m == "sinkhorn_log":
                    sinkhorn_log = r["seconds"]
            elif "note" in r:
                cells.append("not conv. (%s)" % r["note"])
            else:
                cells.append("not conv. (%.0e)" % r["l1_error"])
        cells.append("%.2fx" % (best / fast["seconds"]) if fast and best else "-")
        cells.append("%.1fx" % (sinkhorn_log / fast["seconds"]) if fast and sinkhorn_log else "-")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
