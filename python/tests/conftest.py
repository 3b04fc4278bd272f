"""Shared fixtures: the CLI binary (for tests that compare the two paths) and small problems."""
import os
import pathlib

import numpy as np
import pytest


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("DESCENT_CLI")
    if not path or not pathlib.Path(path).exists():
        pytest.skip("the descent CLI is not built (DESCENT_CLI unset)")
    return path


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def poisson2d(n):
    """The 5-point Laplacian on an n x n grid (SPD), as scipy CSR."""
    import scipy.sparse as sp
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    return (sp.kron(sp.eye(n), t) + sp.kron(t, sp.eye(n))).tocsr()
