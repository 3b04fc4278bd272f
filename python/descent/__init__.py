"""descent: optimization methods of recent machine-learning papers, from Python.

The numpy tier (no torch needed) mirrors the names users know:

    descent.ot          sinkhorn, sinkhorn2, emd, emd2, dist            (POT)
    descent.linalg      cg, pcg, sor, ssor_cg, solve, SolveSequence      (scipy.sparse.linalg)
    descent.optimize    minimize -> OptimizeResult                        (scipy.optimize)
    descent.privacy     RDPAccountant, get_noise_multiplier, calibrate_sigma   (Opacus)
    descent.curvature   lanczos, slq, hutchinson on a matvec              (PyHessian)
    descent.newton      gns, minimize (cubic, super-universal, ...) with a Hessian
    descent.recovery    subgm, solve: low-rank recovery robust to outliers
    descent.implicit    root_vjp, root_jvp, CustomRoot                    (jaxopt)

descent.torch (imported on first use, so `import descent` never loads torch) adds
torch.optim optimizers running descent's kernels, a differentiable sinkhorn2 and Hessian tools
for models. See docs/python.md.
"""

from . import _core
from ._core import InputError, InvalidOption
from . import curvature, implicit, linalg, newton, optimize, ot, privacy, recovery

__version__ = "0.1.0"
__all__ = ["ot", "linalg", "optimize", "newton", "recovery", "implicit", "privacy", "curvature",
           "torch", "InvalidOption",
           "InputError", "set_threads", "repro", "repro_list"]


def set_threads(threads: int) -> None:
    """Threads for descent's parallel loops (0 = all cores). The default is all cores."""
    _core.set_threads(int(threads))


def __getattr__(name):
    # descent.torch is imported lazily: it imports torch, which takes a second and ~300 MB.
    if name == "torch":
        import importlib
        module = importlib.import_module(".torch", __name__)
        globals()["torch"] = module
        return module
    raise AttributeError(f"module 'descent' has no attribute {name!r}")


def repro(id, quick=True, seed=0, out=None, threads=1, plots=False):
    """Runs the reproduction `id` in-process (as `descent repro ID`) and returns its summary
    dict: metrics, claims (each with its verdict: held, not held, not measured), config,
    wall_seconds, plots. Results go to out/<id>/ (a temporary folder, removed afterwards, when
    out is None). repro_list() names them."""
    import json
    import tempfile
    from . import _repro
    if out is None:
        with tempfile.TemporaryDirectory(prefix="descent-repro-") as tmp:
            return json.loads(_repro.run(id, bool(quick), int(seed), tmp, int(threads), False))
    return json.loads(_repro.run(id, bool(quick), int(seed), str(out), int(threads), bool(plots)))


def repro_list():
    """The reproductions: [{"id", "paper", "summary"}]."""
    from . import _repro
    return _repro.list()
