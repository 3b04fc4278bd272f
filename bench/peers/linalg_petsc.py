#!/usr/bin/python3
"""PETSc (petsc4py) and scipy peers for bench/linalg: CG, Jacobi-PCG, SSOR-PCG and one SOR sweep
on the Matrix Market files written by `linalg_bench --write-mtx DIR`.

    /usr/bin/python3 bench/peers/linalg_petsc.py --mtx-dir DIR --out peers.json [--repeat 3]

Same rules as linalg_bench: b = 1, x0 = 0, stop at ||r|| <= 1e-8 ||b|| (unpreconditioned norm) or
at the cap (60 iterations above 5e5 unknowns, else 200); SSOR and the sweep use omega = 1.5.
Reports CPU seconds per iteration (best of --repeat solves; one thread). PETSc runs sequentially (no MPI), with
MAT_USE_INODES off (the spec's pitfall for omega != 1). scipy has no SOR/SSOR: its SSOR
preconditioner and sweep use spsolve_triangular, which is a Python-level loop in scipy 1.10, so
they are timed only on the smallest problems and with a few iterations.
Needs python3-petsc4py and python3-scipy (Debian).
"""
import argparse
import glob
import json
import os
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as sla

try:
    from petsc4py import PETSc
except ImportError:  # Debian installs it under PETSC_DIR; find it without the env variable
    for d in sorted(glob.glob("/usr/lib/petscdir/petsc*/*/lib/python3/dist-packages")):
        sys.path.append(d)
    from petsc4py import PETSc

PROBLEMS = ["poisson2d_100", "poisson2d_316", "poisson2d_1000",
            "poisson3d_22", "poisson3d_46", "poisson3d_100"]
TOL = 1e-8
OMEGA = 1.5


def cap_for(n):
    return 60 if n > 500000 else 200


def read_mtx(path):
    """Fast reader for the coordinate files linalg_bench writes (real, general or symmetric)."""
    with open(path, "rb") as f:
        banner = f.readline().decode().lower().split()
        symmetric = "symmetric" in banner
        line = f.readline()
        while line.startswith(b"%"):
            line = f.readline()
        rows, cols, nnz = (int(v) for v in line.split())
        data = np.fromfile(f, sep=" ")
    data = data.reshape(nnz, 3)
    i = data[:, 0].astype(np.int64) - 1
    j = data[:, 1].astype(np.int64) - 1
    v = data[:, 2]
    if symmetric:
        off = i != j
        i, j, v = np.concatenate([i, j[off]]), np.concatenate([j, i[off]]), np.concatenate([v, v[off]])
    a = sp.csr_matrix((v, (i, j)), shape=(rows, cols))
    a.sort_indices()
    return a


def best_of(repeat, fn):
    """Best CPU time of `repeat` calls (process CPU time, as linalg_bench: robust to other load)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        best = min(best, time.process_time() - t)
    return best, out


def petsc_rows(name, a, repeat):
    n = a.shape[0]
    m = PETSc.Mat().createAIJ(size=a.shape, csr=(a.indptr.astype(PETSc.IntType),
                                                  a.indices.astype(PETSc.IntType), a.data))
    m.setOption(PETSc.Mat.Option.USE_INODES, False)
    m.assemble()
    b = m.createVecLeft()
    b.set(1.0)
    x = m.createVecRight()
    rows = []
    opts = PETSc.Options()
    for method, pc in [("cg", "none"), ("pcg-jacobi", "jacobi"), ("ssor-cg", "sor")]:
        prefix = "l2r_%s_%s_" % (name, pc)
        ksp = PETSc.KSP().create()
        ksp.setOptionsPrefix(prefix)
        ksp.setOperators(m)
        ksp.setType("cg")
        ksp.getPC().setType(pc)
        if pc == "sor":
            opts[prefix + "pc_sor_symmetric"] = None
            opts[prefix + "pc_sor_omega"] = OMEGA
        ksp.setFromOptions()
        ksp.setTolerances(rtol=TOL, atol=0.0, max_it=cap_for(n))
        ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
        ksp.setUp()

        def solve():
            x.set(0.0)
            ksp.solve(b, x)
            return ksp.getIterationNumber()

        secs, its = best_of(repeat, solve)
        rows.append({"problem": name, "n": n, "method": method, "peer": "petsc",
                     "iterations": its, "seconds_per_iteration": secs / max(its, 1)})
    # One in-place forward SOR sweep (MatSOR, SOR_FORWARD_SWEEP).
    x.set(0.0)
    sweeps = 20 if n < 500000 else 5

    def sweep():
        for _ in range(sweeps):
            m.SOR(b, x, omega=OMEGA, sortype=PETSc.Mat.SORType.FORWARD_SWEEP)
        return sweeps

    secs, _ = best_of(repeat, sweep)
    rows.append({"problem": name, "n": n, "method": "sor-sweep", "peer": "petsc",
                 "iterations": 1, "seconds_per_iteration": secs / sweeps})
    return rows


def scipy_rows(name, a, repeat):
    n = a.shape[0]
    b = np.ones(n)
    rows = []
    d = a.diagonal()
    lower = (sp.tril(a, k=-1) * OMEGA + sp.diags(d)).tocsr()  # D + omega L
    upper = (sp.triu(a, k=1) * OMEGA + sp.diags(d)).tocsr()   # D + omega U
    slow_ok = n <= 20000  # spsolve_triangular is a Python loop: smallest problems only

    def ssor(r):
        y = sla.spsolve_triangular(lower, r, lower=True)
        return OMEGA * (2.0 - OMEGA) * sla.spsolve_triangular(upper, d * y, lower=False)

    precs = [("cg", None, cap_for(n)),
             ("pcg-jacobi", sla.LinearOperator((n, n), matvec=lambda r: r / d), cap_for(n))]
    if slow_ok:
        precs.append(("ssor-cg", sla.LinearOperator((n, n), matvec=ssor), 5))
    for method, prec, cap in precs:
        its = [0]

        def count(_):
            its[0] += 1

        def solve():
            its[0] = 0
            sla.cg(a, b, x0=np.zeros(n), tol=TOL, atol=0.0, maxiter=cap, M=prec, callback=count)
            return its[0]

        secs, it = best_of(repeat if method != "ssor-cg" else 1, solve)
        rows.append({"problem": name, "n": n, "method": method, "peer": "scipy",
                     "iterations": it, "seconds_per_iteration": secs / max(it, 1),
                     "note": "capped at 5 iterations" if method == "ssor-cg" else ""})
    if slow_ok:  # x <- x + (D/omega + L)^{-1} (b - A x): one SOR step by a triangular solve
        w = (sp.tril(a, k=-1) + sp.diags(d / OMEGA)).tocsr()
        x = np.zeros(n)

        def sweep():
            x[:] += sla.spsolve_triangular(w, b - a @ x, lower=True)
            return 1

        secs, _ = best_of(1, sweep)
        rows.append({"problem": name, "n": n, "method": "sor-sweep", "peer": "scipy",
                     "iterations": 1, "seconds_per_iteration": secs})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mtx-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for name in args.problems.split(","):
        path = os.path.join(args.mtx_dir, name + ".mtx")
        a = read_mtx(path)
        print("peers: %s (n = %d)" % (name, a.shape[0]), file=sys.stderr)
        rows += petsc_rows(name, a, args.repeat)
        rows += scipy_rows(name, a, args.repeat)
    out = {"rows": rows, "tolerance": TOL, "omega": OMEGA,
           "petsc_version": ".".join(str(v) for v in PETSc.Sys.getVersion()),
           "scipy_version": scipy.__version__, "numpy_version": np.__version__}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
