// descent._core's second-order methods (descent::newton's registry: gns, gns-approx, cubic,
// super-universal, gd, fgm) on a Python objective with its Hessian, or on a named instance.
#include <optional>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "descent/newton/methods.hpp"
#include "descent/problems/factory.hpp"

namespace descent::python {

namespace {

/// f, g and H from Python callables (fun returns (f, g); hess(x) returns an n x n array). Each
/// call takes the GIL.
class PythonOracle : public problems::Oracle {
 public:
  PythonOracle(py::object fun, py::object hess, Eigen::Index n)
      : fun_(std::move(fun)), hess_(std::move(hess)), n_(n) {}
  std::string name() const override { return "python"; }
  Eigen::Index dimension() const override { return n_; }
  double value(const Eigen::VectorXd& x) const override {
    Eigen::VectorXd g(n_);
    return value_and_gradient(x, g);
  }
  void gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override {
    value_and_gradient(x, g);
  }
  double value_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override {
    py::gil_scoped_acquire gil;
    py::tuple fg = fun_(to_numpy(Eigen::VectorXd(x)));
    if (fg.size() != 2) throw py::value_error("fun must return (f, g)");
    const Array ga = as_array(fg[1], "the gradient");
    const auto gv = vector_view(ga, "the gradient");
    if (gv.size() != n_) throw py::value_error("the gradient has the wrong length");
    g = gv;
    return fg[0].cast<double>();
  }
  void hessian(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const override {
    py::gil_scoped_acquire gil;
    const Array a = as_array(hess_(to_numpy(Eigen::VectorXd(x))), "the Hessian");
    const auto m = matrix_view(a, "Hessian");
    if (m.rows() != n_ || m.cols() != n_)
      throw py::value_error("the Hessian must be " + std::to_string(n_) + " x " +
                            std::to_string(n_));
    h = m;
  }

 private:
  py::object fun_, hess_;
  Eigen::Index n_;
};

py::tuple run(const problems::Instance& instance, Eigen::VectorXd x, const std::string& method,
              const py::dict& options, const py::object& callback) {
  const Settings settings = settings_from(options);
  const auto& m = newton::methods().at(method);
  const Summary s = run_without_gil(
      callback, [&](Callbacks cb) { return m.run(instance, x, settings, std::move(cb)); });
  return py::make_tuple(to_numpy(std::move(x)), summary_dict(s));
}

py::tuple minimize(const py::object& fun, const py::object& hess, const Array& x0,
                   const py::object& metric, const std::string& method, const py::dict& options,
                   const py::object& callback) {
  if (!PyCallable_Check(hess.ptr())) throw py::type_error("hess must be callable");
  Eigen::VectorXd x = vector_view(x0, "x0");
  problems::Instance instance;
  instance.oracle = std::make_shared<PythonOracle>(fun, hess, x.size());
  instance.name = "python";
  instance.description = "a Python objective";
  instance.x0 = x;
  if (!metric.is_none()) {
    const Array b = as_array(metric, "B");
    instance.metric = matrix_view(b, "B");
    if (instance.metric.rows() != x.size() || instance.metric.cols() != x.size())
      throw py::value_error("B must be n x n");
  }
  return run(instance, std::move(x), method, options, callback);
}

py::tuple minimize_instance(const std::string& spec, std::uint64_t seed, const std::string& method,
                            const py::dict& options, const py::object& callback) {
  problems::Instance instance;
  {
    py::gil_scoped_release release;  // random instances of large sizes take a while
    instance = problems::make_instance(spec, seed);
  }
  Eigen::VectorXd x = instance.x0;
  py::tuple out = run(instance, std::move(x), method, options, callback);
  py::dict s = out[1];
  s["problem"] = instance.description;
  if (instance.optimal_value) s["optimal_value"] = *instance.optimal_value;
  return out;
}

}  // namespace

void bind_newton(py::module_& m) {
  m.def("newton_minimize", &minimize, py::arg("fun"), py::arg("hess"), py::arg("x0"),
        py::arg("metric"), py::arg("method"), py::arg("options") = py::dict(),
        py::arg("callback") = py::none());
  m.def("newton_minimize_instance", &minimize_instance, py::arg("spec"), py::arg("seed"),
        py::arg("method"), py::arg("options") = py::dict(), py::arg("callback") = py::none());
  m.def("newton_methods", [] { return method_list(newton::methods()); });
  m.def("newton_instances", &problems::instance_names);
}

}  // namespace descent::python
