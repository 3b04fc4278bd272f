// descent._core's linear solvers: one entry point over the linalg::solvers() registry on CSR
// arrays (scipy's layout), and the ICLR 2024 sequence runner. descent/linalg.py gives them
// scipy.sparse.linalg's calling convention.
#include <memory>
#include <mutex>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "descent/core/error.hpp"
#include "descent/linalg/sequence.hpp"
#include "descent/linalg/solvers.hpp"

namespace descent::python {

namespace {

using IndexArray = py::array_t<int, py::array::c_style | py::array::forcecast>;

/// A CSR copy of scipy's arrays (the solvers keep their own compressed matrix; O(nnz), once).
linalg::SparseMatrix csr_from(const Array& data, const IndexArray& indices,
                              const IndexArray& indptr, py::ssize_t rows, py::ssize_t cols) {
  if (rows < 0 || cols < 0) throw py::value_error("A: negative shape");
  if (indptr.ndim() != 1 || indptr.shape(0) != rows + 1)
    throw py::value_error("A: indptr must have rows + 1 entries");
  if (indices.ndim() != 1 || data.ndim() != 1 || indices.shape(0) != data.shape(0))
    throw py::value_error("A: indices and data must be 1-D of equal length");
  const int* ptr = indptr.data();
  const int* idx = indices.data();
  const py::ssize_t nnz = data.shape(0);
  if (ptr[0] != 0 || ptr[rows] != nnz)
    throw py::value_error("A: indptr must start at 0 and end at nnz");
  for (py::ssize_t r = 0; r < rows; ++r)  // before any row is read
    if (ptr[r + 1] < ptr[r]) throw py::value_error("A: indptr must be non-decreasing");
  linalg::SparseMatrix a(rows, cols);
  std::vector<Eigen::Triplet<double, int>> entries;
  entries.reserve(static_cast<std::size_t>(nnz));
  for (py::ssize_t r = 0; r < rows; ++r) {
    for (int k = ptr[r]; k < ptr[r + 1]; ++k) {
      if (idx[k] < 0 || idx[k] >= cols)
        throw py::value_error("A: column index " + std::to_string(idx[k]) + " in row " +
                              std::to_string(r) + " is out of range");
      entries.emplace_back(static_cast<int>(r), idx[k], data.data()[k]);
    }
  }
  // Duplicates are summed, as scipy does when it converts to canonical form.
  a.setFromTriplets(entries.begin(), entries.end());
  a.makeCompressed();
  return a;
}

py::tuple solve(const Array& data, const IndexArray& indices, const IndexArray& indptr,
                py::tuple shape, const Array& b, const Array& x0, const std::string& method,
                const py::dict& options, const py::object& callback) {
  const auto rows = shape[0].cast<py::ssize_t>();
  const auto cols = shape[1].cast<py::ssize_t>();
  linalg::SparseMatrix a = csr_from(data, indices, indptr, rows, cols);
  linalg::Vector rhs = vector_view(b, "b");
  linalg::Vector x = vector_view(x0, "x0");
  if (rhs.size() != rows) throw py::value_error("b has the wrong length for A");
  if (x.size() != cols) throw py::value_error("x0 has the wrong length for A");
  const Settings settings = settings_from(options);
  const auto& solver = linalg::solvers().at(method);
  const Summary s = run_without_gil(
      callback, [&](Callbacks cb) { return solver.run(a, rhs, x, settings, std::move(cb)); });
  return py::make_tuple(to_numpy(std::move(x)), summary_dict(s));
}

linalg::OmegaPolicy policy_from(const std::string& name) {
  using P = linalg::OmegaPolicy;
  for (P p : {P::fixed, P::optimal, P::tsallis, P::tsallis_cb, P::chebcb})
    if (linalg::to_string(p) == name) return p;
  if (name == "tsallis") return P::tsallis;  // short names, as in the CLI's help
  if (name == "tsallis-cb") return P::tsallis_cb;
  throw InvalidOption("policy", "unknown policy '" + name +
                                    "' (expected fixed | optimal | tsallis | tsallis-cb | chebcb)");
}

/// The sequence runner with the state it keeps between systems.
class Sequence {
 public:
  Sequence(const std::string& solver, const std::string& policy, double omega,
           std::vector<double> grid, double context_lo, double context_hi, std::size_t bins,
           std::size_t features, double tol, const std::string& tolerance_mode, std::size_t maxiter,
           std::uint64_t seed)
      : runner_(make_options(solver, policy, omega, std::move(grid), context_lo, context_hi, bins,
                             features, tol, tolerance_mode, maxiter, seed)) {}

  py::tuple step(const Array& data, const IndexArray& indices, const IndexArray& indptr,
                 py::tuple shape, const Array& b, const Array& x0, double context) {
    const auto rows = shape[0].cast<py::ssize_t>();
    linalg::SparseMatrix a = csr_from(data, indices, indptr, rows, shape[1].cast<py::ssize_t>());
    linalg::Vector rhs = vector_view(b, "b");
    linalg::Vector x = vector_view(x0, "x0");
    if (rhs.size() != rows || x.size() != a.cols())
      throw py::value_error("b or x0 has the wrong length for A");
    linalg::StepRecord r;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);  // one system at a time per sequence
      r = runner_.step(a, rhs, x, context);
    }
    return py::make_tuple(to_numpy(std::move(x)), record_dict(r));
  }

  py::list records() const {
    std::lock_guard<std::mutex> lock(mutex_);
    py::list out;
    for (const auto& r : runner_.records()) out.append(record_dict(r));
    return out;
  }
  std::size_t total_iterations() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return runner_.total_iterations();
  }

 private:
  static linalg::SequenceOptions make_options(const std::string& solver, const std::string& policy,
                                              double omega, std::vector<double> grid,
                                              double context_lo, double context_hi,
                                              std::size_t bins, std::size_t features, double tol,
                                              const std::string& tolerance_mode,
                                              std::size_t maxiter, std::uint64_t seed) {
    linalg::SequenceOptions o;
    o.solver = linalg::relaxed_solver_from_string(solver);
    o.policy = policy_from(policy);
    o.fixed_omega = omega;
    if (!grid.empty()) o.grid = std::move(grid);
    o.context_lo = context_lo;
    o.context_hi = context_hi;
    o.bins = bins;
    o.features = features;
    o.tolerance = tol;
    o.tolerance_mode = linalg::tolerance_mode_from_string(tolerance_mode);
    o.max_iterations = maxiter;
    o.seed = seed;
    o.validate();
    return o;
  }
  static py::dict record_dict(const linalg::StepRecord& r) {
    py::dict d;
    d["omega"] = r.omega;
    d["arm"] = r.arm;
    d["iterations"] = r.iterations;
    d["cost"] = r.cost;
    d["status"] = std::string(to_string(r.status));
    d["context"] = r.context;
    d["solve_seconds"] = r.solve_seconds;
    d["choose_seconds"] = r.choose_seconds;
    return d;
  }
  linalg::SequenceRunner runner_;
  mutable std::mutex mutex_;
};

}  // namespace

void bind_linalg(py::module_& m) {
  m.def("linalg_solve", &solve, py::arg("data"), py::arg("indices"), py::arg("indptr"),
        py::arg("shape"), py::arg("b"), py::arg("x0"), py::arg("method"),
        py::arg("options") = py::dict(), py::arg("callback") = py::none(),
        "Solve A x = b (A in CSR arrays) with any descent::linalg solver; returns (x, summary).");
  m.def("linalg_methods", [] { return method_list(linalg::solvers()); });
  py::class_<Sequence>(m, "SolveSequence")
      .def(py::init<const std::string&, const std::string&, double, std::vector<double>, double,
                    double, std::size_t, std::size_t, double, const std::string&, std::size_t,
                    std::uint64_t>(),
           py::arg("solver") = "ssor-cg", py::arg("policy") = "tsallis", py::arg("omega") = 1.0,
           py::arg("grid") = std::vector<double>{}, py::arg("context_lo") = 0.0,
           py::arg("context_hi") = 0.0, py::arg("bins") = 5, py::arg("features") = 6,
           py::arg("tol") = 1e-8, py::arg("tolerance_mode") = "rhs", py::arg("maxiter") = 10000,
           py::arg("seed") = 0)
      .def("_step", &Sequence::step)
      .def_property_readonly("records", &Sequence::records)
      .def_property_readonly("total_iterations", &Sequence::total_iterations);
}

}  // namespace descent::python
