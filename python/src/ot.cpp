// descent._core's OT functions: one entry point over the ot::solvers() registry (every solver
// and option by name) and the ground-cost matrix. descent/ot.py gives them POT's names.
#include <chrono>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "descent/core/settings.hpp"
#include "descent/ot/clouds.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/solvers.hpp"

namespace descent::python {

namespace {

/// The result's potentials, cost (for the problem's own mass), error history and summary, into
/// `out` (the plan is the caller's: dense or CSR).
void fill_result(ot::Result& r, double mass, py::dict& out) {
  out["x"] = to_numpy(std::move(r.x));
  out["y"] = to_numpy(std::move(r.y));
  out["cost"] = r.transport_cost * mass;
  out["marginal_error"] = r.marginal_error;
  out["mass"] = mass;
  std::vector<double> err;
  err.reserve(r.error_history.size());
  for (const ot::ErrorSample& e : r.error_history) err.push_back(e.error);
  out["err"] = to_numpy(std::move(err));
  out["summary"] = summary_dict(r.summary);
}

/// Solves one problem; the result dict has plan (dense, or CSR arrays), the potentials x and y
/// (P = exp(eta (-C + x 1^T + 1 y^T) - 1)), cost <C, P>, marginal_error, err (the L1 marginal
/// error per iteration) and summary. Plans and costs are for the problem's own mass (POT's
/// convention), not the unit mass the solvers work with.
py::dict solve(const Array& a, const Array& b, const Array& cost, const std::string& method,
               const py::dict& options, const py::object& callback) {
  const auto av = vector_view(a, "a");
  const auto bv = vector_view(b, "b");
  const auto cv = matrix_view(cost, "M");
  // One copy: the Problem owns its validated, normalised data (column-major cost). Timed, so
  // that the benchmark separates it from the binding's own overhead.
  const auto setup_start = std::chrono::steady_clock::now();
  ot::Problem problem(av, bv, cv);
  const double setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();
  Settings settings = Settings{{"plan", "dense"}}.merge(settings_from(options));
  const auto& solver = ot::solvers().at(method);
  ot::Result r = run_without_gil(
      callback, [&](Callbacks cb) { return solver.run(problem, settings, std::move(cb)); });

  const double mass = problem.mass();
  py::dict out;
  if (r.plan.size() > 0) {
    if (mass != 1.0) r.plan *= mass;
    out["plan"] = to_numpy(std::move(r.plan));
  } else if (r.sparse_plan.rows() > 0) {
    auto& s = r.sparse_plan;
    s.makeCompressed();
    if (mass != 1.0) s *= mass;
    std::vector<double> values(s.valuePtr(), s.valuePtr() + s.nonZeros());
    py::array_t<int> indices(s.nonZeros(), s.innerIndexPtr());
    py::array_t<int> indptr(s.rows() + 1, s.outerIndexPtr());
    out["plan_csr"] = py::make_tuple(to_numpy(std::move(values)), indices, indptr,
                                     py::make_tuple(s.rows(), s.cols()));
  }
  fill_result(r, mass, out);
  out["setup_seconds"] = setup_seconds;
  return out;
}

/// Matrix-free Sinkhorn (or epsilon scaling) between two point clouds: the cost is computed on
/// the fly, so no n x m array exists unless options ask for a plan ("plan": "dense").
py::dict solve_clouds(const Array& x, const Array& y, const Array& a, const Array& b,
                      const std::string& metric, const std::string& method, const py::dict& options,
                      const py::object& callback) {
  if (method != "sinkhorn" && method != "sinkhorn-eps")
    throw Error("point clouds: method '" + method +
                "' needs the dense cost (matrix-free: "
                "sinkhorn or sinkhorn-eps)");
  Eigen::MatrixXd X = matrix_view(x, "xs");
  Eigen::MatrixXd Y = matrix_view(y, "xt");
  Eigen::VectorXd av = a.size() ? Eigen::VectorXd(vector_view(a, "a")) : Eigen::VectorXd();
  Eigen::VectorXd bv = b.size() ? Eigen::VectorXd(vector_view(b, "b")) : Eigen::VectorXd();
  const ot::CloudProblem problem(std::move(X), std::move(Y), ot::ground_cost_from_string(metric),
                                 std::move(av), std::move(bv));
  const Settings settings = Settings{{"plan", "none"}}.merge(settings_from(options));
  ot::Result r = run_without_gil(callback, [&](Callbacks cb) {
    if (method == "sinkhorn")
      return ot::sinkhorn(problem, options_from<ot::SinkhornOptions>(settings, method),
                          std::move(cb));
    return ot::sinkhorn_epsilon_scaling(
        problem, options_from<ot::EpsilonScalingOptions>(settings, method), std::move(cb));
  });
  const double mass = problem.mass();
  py::dict out;
  if (r.plan.size() > 0) {
    if (mass != 1.0) r.plan *= mass;
    out["plan"] = to_numpy(std::move(r.plan));
  }
  fill_result(r, mass, out);
  return out;
}

py::array cost_matrix(const Array& x, const Array& y, const std::string& metric) {
  const ot::GroundCost c = ot::ground_cost_from_string(metric);
  Eigen::MatrixXd X = matrix_view(x, "x1");
  Eigen::MatrixXd Y = matrix_view(y, "x2");
  Eigen::MatrixXd C;
  {
    py::gil_scoped_release release;
    C = ot::cost_matrix(X, Y, c);
  }
  return to_numpy(std::move(C));
}

}  // namespace

void bind_ot(py::module_& m) {
  m.def("ot_solve", &solve, py::arg("a"), py::arg("b"), py::arg("M"), py::arg("method"),
        py::arg("options") = py::dict(), py::arg("callback") = py::none(),
        "Solve an OT problem with any descent::ot solver (options by name).");
  m.def("ot_solve_clouds", &solve_clouds, py::arg("xs"), py::arg("xt"), py::arg("a"), py::arg("b"),
        py::arg("metric"), py::arg("method"), py::arg("options") = py::dict(),
        py::arg("callback") = py::none(),
        "Matrix-free Sinkhorn between two point clouds (the cost is never stored).");
  m.def("ot_cost_matrix", &cost_matrix, py::arg("x1"), py::arg("x2"), py::arg("metric"),
        "Ground-cost matrix between the rows of x1 and x2.");
  m.def("ot_methods", [] { return method_list(ot::solvers()); });
}

}  // namespace descent::python
