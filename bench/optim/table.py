#!/usr/bin/python3
"""Prints the optimizer-step table of bench/optim/run.sh (ns per parameter, medians).

    /usr/bin/python3 bench/optim/table.py OURS.json PYTORCH.json
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        ours = json.load(f)
    with open(sys.argv[2]) as f:
        py = json.load(f)
    rows = {}
    for b in ours["benchmarks"]:
        if b.get("aggregate_name", "median") != "median" or b.get("error_occurred"):
            continue
        name, n = b["name"].split("/")[0], int(b["name"].split("/")[1])
        rows.setdefault(n, {})[name] = b
    ctx = ours.get("context", {})
    print("Machine: %s CPUs @ %s MHz; LibTorch/PyTorch %s; float32, one thread; median of "
          "repetitions; ns per parameter per step (wall clock).\n"
          % (ctx.get("num_cpus", "?"), ctx.get("mhz_per_cpu", "?"), py.get("torch_version", "?")))
    print("| n | fused Adam | fused diffGrad | ours torch::optim Adam | ours torch::optim diffGrad "
          "| LibTorch Adam | PyTorch Adam | PyTorch diffGrad (tensor ops) | diffGrad / LibTorch Adam "
          "(wall) | (CPU time) | fused diffGrad GB/s | copy GB/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    pyrows = {r["n"]: r for r in py["rows"]}
    for n in sorted(rows):
        r = rows[n]

        def ns(k):
            return r[k]["ns_per_param"] if k in r else float("nan")

        def gbs(k):
            return r[k]["bytes_per_second"] / 1e9 if k in r else float("nan")

        def cpu(k):
            return r[k]["cpu_time"] if k in r else float("nan")

        p = pyrows.get(n, {})
        print("| %.0e | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f |" % (
            n, ns("BM_FusedAdam"), ns("BM_FusedDiffGrad"), ns("BM_OursTorchAdam"),
            ns("BM_OursTorchDiffGrad"), ns("BM_LibTorchAdam"),
            p.get("adam_ns_per_param", float("nan")), p.get("diffgrad_ns_per_param", float("nan")),
            ns("BM_FusedDiffGrad") / ns("BM_LibTorchAdam"),
            cpu("BM_FusedDiffGrad") / cpu("BM_LibTorchAdam"), gbs("BM_FusedDiffGrad"),
            gbs("BM_Copy")))


if __name__ == "__main__":
    main()
