// descent._core's low-rank matrix recovery (descent::recovery's registry: subgm, l2-gd) on
// measurements given as an (m, d, d) array, and the synthetic problems of the reproduction.
#include <memory>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "descent/recovery/methods.hpp"
#include "descent/recovery/problem.hpp"

namespace descent::python {

namespace {

py::tuple solve(const Array& measurements, const Array& y, const Array& u0,
                const py::object& x_star, const std::string& method, const py::dict& options,
                const py::object& callback) {
  if (measurements.ndim() != 3 || measurements.shape(1) != measurements.shape(2))
    throw py::value_error("A must be an (m, d, d) array of measurement matrices");
  const auto m = static_cast<Eigen::Index>(measurements.shape(0));
  const auto d = static_cast<Eigen::Index>(measurements.shape(1));
  recovery::RecoveryProblem problem;
  problem.op = std::make_shared<recovery::DenseMeasurements>(
      recovery::DenseMeasurements::from_array(measurements.data(), m, d));
  problem.y = vector_view(y, "y");
  if (problem.y.size() != m) throw py::value_error("y must have one entry per measurement");
  if (!x_star.is_none()) {
    const Array xs = as_array(x_star, "X_star");
    problem.X_star = matrix_view(xs, "X_star");
    if (problem.X_star.rows() != d || problem.X_star.cols() != d)
      throw py::value_error("X_star must be d x d");
  }
  Eigen::MatrixXd U = matrix_view(u0, "U0");
  if (U.rows() != d) throw py::value_error("U0 must have d rows");
  const Settings settings = settings_from(options);
  const auto& solver = recovery::methods().at(method);
  const Summary s = run_without_gil(
      callback, [&](Callbacks cb) { return solver.run(problem, U, settings, std::move(cb)); });
  return py::make_tuple(to_numpy(std::move(U)), summary_dict(s));
}

py::dict synthetic(Eigen::Index d, Eigen::Index r, Eigen::Index m, const std::string& noise,
                   const std::string& ensemble, std::uint64_t seed) {
  recovery::SyntheticOptions o;
  o.dimension = d;
  o.rank = r;
  o.measurements = m;
  o.noise.parse(noise);
  o.ensemble = recovery::ensemble_from_string(ensemble);
  o.validate();
  recovery::RecoveryProblem p;
  {
    py::gil_scoped_release release;
    p = recovery::make_synthetic_problem(o, seed);
  }
  // The measurements back as (m, d, d) symmetric matrices: the packed form holds A_jk + A_kj,
  // so each off-diagonal pair is split evenly (the operator only sees the symmetric part).
  const Eigen::MatrixXd& packed = p.op->packed();
  py::array_t<double> a(
      {static_cast<py::ssize_t>(m), static_cast<py::ssize_t>(d), static_cast<py::ssize_t>(d)});
  auto view = a.mutable_unchecked<3>();
  for (Eigen::Index i = 0; i < m; ++i) {
    Eigen::Index col = 0;
    for (Eigen::Index k = 0; k < d; ++k) {
      for (Eigen::Index j = 0; j <= k; ++j, ++col) {
        const double v = packed(i, col);
        if (j == k) {
          view(i, j, k) = v;
        } else {
          view(i, j, k) = view(i, k, j) = 0.5 * v;
        }
      }
    }
  }
  py::dict out;
  out["A"] = a;
  out["y"] = to_numpy(std::move(p.y));
  out["noise"] = to_numpy(std::move(p.noise));
  out["U_star"] = to_numpy(std::move(p.U_star));
  out["X_star"] = to_numpy(std::move(p.X_star));
  return out;
}

}  // namespace

void bind_recovery(py::module_& m) {
  m.def("recovery_solve", &solve, py::arg("A"), py::arg("y"), py::arg("U0"), py::arg("X_star"),
        py::arg("method"), py::arg("options") = py::dict(), py::arg("callback") = py::none());
  m.def("recovery_synthetic", &synthetic, py::arg("d"), py::arg("r"), py::arg("m"),
        py::arg("noise"), py::arg("ensemble"), py::arg("seed"));
  m.def("recovery_methods", [] { return method_list(recovery::methods()); });
}

}  // namespace descent::python
