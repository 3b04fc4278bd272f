// descent._core's implicit differentiation (jaxopt's root_vjp / root_jvp, Blondel et al.,
// NeurIPS 2022) on an optimality function F(x, theta) and its products given as Python
// callables. descent/implicit.py wraps it as custom_root.
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "descent/implicit/root.hpp"

namespace descent::python {

namespace {

using implicit::Vec;

/// A Python callable (x, theta[, v]) -> array as a product of the given output size.
std::function<Vec(const Vec&, const Vec&, const Vec&)> product(const py::object& f,
                                                               Eigen::Index size,
                                                               const char* name) {
  if (f.is_none()) return {};
  if (!PyCallable_Check(f.ptr())) throw py::type_error(std::string(name) + " must be callable");
  return [f, size, name](const Vec& x, const Vec& theta, const Vec& v) -> Vec {
    py::gil_scoped_acquire gil;
    const Array a = as_array(f(to_numpy(Vec(x)), to_numpy(Vec(theta)), to_numpy(Vec(v))), name);
    if (a.ndim() != 1 || a.shape(0) != size)
      throw py::value_error(std::string(name) + " must return a 1-D array of length " +
                            std::to_string(size));
    return vector_view(a, name);
  };
}

implicit::LinearSolveOptions solve_options(const py::dict& o) {
  implicit::LinearSolveOptions s;
  for (const auto& [k, v] : o) {
    const std::string key = py::str(k);
    if (key == "solver") {
      s.solver = implicit::solver_from_string(v.cast<std::string>());
    } else if (key == "tol" || key == "tolerance") {
      s.tolerance = v.cast<double>();
    } else if (key == "maxiter" || key == "max_iterations") {
      s.max_iterations = v.cast<std::size_t>();
    } else if (key == "ridge") {
      s.ridge = v.cast<double>();
    } else if (key == "restart") {
      s.restart = v.cast<std::size_t>();
    } else if (key == "check_symmetry") {
      s.check_symmetry = v.cast<bool>();
    } else {
      throw InvalidOption(key,
                          "unknown linear-solve option (known: solver, tol, maxiter, "
                          "ridge, restart, check_symmetry)");
    }
  }
  s.validate();
  return s;
}

py::tuple root_product(const std::string& kind, const py::object& value, const py::object& vjp_x,
                       const py::object& vjp_theta, const py::object& jvp_x,
                       const py::object& jvp_theta, const Array& x, const Array& theta,
                       const py::object& direction, const py::dict& options) {
  implicit::Optimality f;
  const Vec xv = vector_view(x, "x");
  const Vec tv = vector_view(theta, "theta");
  f.dim_x = xv.size();
  f.dim_theta = tv.size();
  if (!PyCallable_Check(value.ptr())) throw py::type_error("F must be callable");
  f.value = [value, n = f.dim_x](const Vec& x, const Vec& theta) -> Vec {
    py::gil_scoped_acquire gil;
    const Array a = as_array(value(to_numpy(Vec(x)), to_numpy(Vec(theta))), "F");
    if (a.ndim() != 1 || a.shape(0) != n)
      throw py::value_error("F must return a 1-D array of x's length");
    return vector_view(a, "F");
  };
  f.vjp_x = product(vjp_x, f.dim_x, "vjp_x");
  f.vjp_theta = product(vjp_theta, f.dim_theta, "vjp_theta");
  f.jvp_x = product(jvp_x, f.dim_x, "jvp_x");
  f.jvp_theta = product(jvp_theta, f.dim_x, "jvp_theta");
  const implicit::LinearSolveOptions o = solve_options(options);
  py::object result;
  py::dict info;
  auto record = [&info](const implicit::LinearSolveResult& s) {
    info["status"] = std::string(to_string(s.status));
    info["message"] = s.message;
    info["iterations"] = s.iterations;
    info["matvecs"] = s.matvecs;
    info["relative_residual"] = s.relative_residual;
  };
  if (kind == "jacobian") {
    implicit::JacobianResult r;
    {
      py::gil_scoped_release release;
      r = implicit::root_jacobian(f, xv, tv, o);
    }
    record(r.worst);
    result = to_numpy(std::move(r.jacobian));
  } else {
    const char* what = kind == "vjp" ? "cotangent" : "tangent";
    const Array d = as_array(direction, what);
    const Vec v = vector_view(d, what);
    implicit::VjpResult r;
    {
      py::gil_scoped_release release;
      r = kind == "vjp" ? implicit::root_vjp(f, xv, tv, v, o) : implicit::root_jvp(f, xv, tv, v, o);
    }
    record(r.solve);
    result = to_numpy(std::move(r.value));
  }
  return py::make_tuple(result, info);
}

}  // namespace

void bind_implicit(py::module_& m) {
  m.def("implicit_root", &root_product, py::arg("kind"), py::arg("F"), py::arg("vjp_x"),
        py::arg("vjp_theta"), py::arg("jvp_x"), py::arg("jvp_theta"), py::arg("x"),
        py::arg("theta"), py::arg("direction"), py::arg("options") = py::dict());
  m.def("implicit_solvers", &implicit::solver_names);
}

}  // namespace descent::python
