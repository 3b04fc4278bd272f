// descent._core's minimisers on Python objectives and the update-rule kernels on arrays.
//
// minimize(): any method of core's gradient registry (gd, heavy-ball) or optim's (every update
// rule) on a Python fun/jac, the GIL held only while Python code runs. UpdateRule: the span
// kernels of descent/optim/kernels.hpp applied in place to caller-owned float32/float64 arrays
// (descent.torch's optimizers pass tensor memory through numpy views, so there is one copy of
// the update math and no copy of the parameters).
#include <cstdint>
#include <span>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/optim/rule.hpp"

namespace descent::python {

namespace {

/// f and its gradient from Python: fun(x) -> f and jac(x) -> g, or fun(x) -> (f, g) when jac is
/// True (scipy's convention). Each call takes the GIL.
class PythonFunction : public DifferentiableFunction {
 public:
  PythonFunction(py::object fun, py::object jac, Eigen::Index n)
      : fun_(std::move(fun)), jac_(std::move(jac)), n_(n) {
    combined_ = py::isinstance<py::bool_>(jac_) && jac_.cast<bool>();
    if (!combined_ && !PyCallable_Check(jac_.ptr()))
      throw py::type_error("jac must be a callable or True (fun returns (f, g))");
  }
  Eigen::Index dimension() const override { return n_; }
  double value(const Eigen::VectorXd& x) const override {
    Eigen::VectorXd g(n_);
    return value_and_gradient(x, g);
  }
  void gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override {
    if (combined_) {
      value_and_gradient(x, g);
      return;
    }
    py::gil_scoped_acquire gil;
    read_gradient(jac_(argument(x)), g);
  }
  double value_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override {
    py::gil_scoped_acquire gil;
    py::object xa = argument(x);
    if (combined_) {
      py::tuple fg = fun_(xa);
      if (fg.size() != 2) throw py::value_error("fun must return (f, g) when jac=True");
      read_gradient(fg[1], g);
      return fg[0].cast<double>();
    }
    const double f = fun_(xa).cast<double>();
    read_gradient(jac_(xa), g);
    return f;
  }

 private:
  // A fresh array per call: the callee may keep it (scipy's functions may, too).
  static py::object argument(const Eigen::VectorXd& x) { return to_numpy(Eigen::VectorXd(x)); }
  void read_gradient(const py::handle& result, Eigen::VectorXd& g) const {
    const Array a = as_array(result, "the gradient");
    const auto v = vector_view(a, "gradient");
    if (v.size() != n_)
      throw py::value_error("the gradient has " + std::to_string(v.size()) + " entries, x has " +
                            std::to_string(n_));
    g = v;
  }
  py::object fun_, jac_;
  Eigen::Index n_;
  bool combined_ = false;
};

py::tuple minimize(const py::object& fun, const Array& x0, const py::object& jac,
                   const std::string& method, const py::dict& options, const py::object& callback) {
  Eigen::VectorXd x = vector_view(x0, "x0");
  PythonFunction f(fun, jac, x.size());
  const Settings settings = settings_from(options);
  // core's gradient methods first (gd, heavy-ball), then every update rule of optim.
  const auto& run = gradient_methods().contains(method) ? gradient_methods().at(method).run
                                                        : optim::methods().at(method).run;
  const Summary s =
      run_without_gil(callback, [&](Callbacks cb) { return run(f, x, settings, std::move(cb)); });
  return py::make_tuple(to_numpy(std::move(x)), summary_dict(s));
}

py::dict minimize_methods() {
  py::dict out = method_list(gradient_methods());
  for (auto [k, v] : method_list(optim::methods())) out[k] = v;
  return out;
}

/// A writable, contiguous array of T, or TypeError (never a silent copy: the update is in place).
template <class T>
std::span<T> writable_span(py::array a, const char* name) {
  if (!py::isinstance<py::array_t<T>>(a) || !(a.flags() & py::array::c_style) || !a.writeable())
    throw py::type_error(std::string(name) + " must be a writable C-contiguous " +
                         (sizeof(T) == 4 ? "float32" : "float64") + " array");
  return {static_cast<T*>(a.mutable_data()), static_cast<std::size_t>(a.size())};
}

template <class T>
void apply_rule(const optim::UpdateRule& rule, std::int64_t t, const py::array& x,
                const py::array& g, const py::list& buffers) {
  std::span<T> xs = writable_span<T>(x, "x");
  if (!py::isinstance<py::array_t<T>>(g) || !(g.flags() & py::array::c_style))
    throw py::type_error("g must be a C-contiguous array of x's dtype");
  std::span<const T> gs{static_cast<const T*>(g.data()), static_cast<std::size_t>(g.size())};
  if (gs.size() != xs.size()) throw py::value_error("g and x differ in size");
  if (static_cast<int>(buffers.size()) != rule.buffers())
    throw py::value_error("rule '" + rule.name() + "' needs " + std::to_string(rule.buffers()) +
                          " state buffers, got " + std::to_string(buffers.size()));
  std::span<T> b[3];
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    b[i] = writable_span<T>(buffers[i].cast<py::array>(), "state buffer");
    if (b[i].size() != xs.size()) throw py::value_error("a state buffer differs from x in size");
  }
  if (t < 1) throw py::value_error("t counts steps from 1");
  // Small tensors: the kernel is faster than releasing the GIL would be.
  if (xs.size() >= (std::size_t{1} << 16)) {
    py::gil_scoped_release release;
    rule.apply<T>(t, xs, gs, b[0], b[1], b[2]);
  } else {
    rule.apply<T>(t, xs, gs, b[0], b[1], b[2]);
  }
}

}  // namespace

void bind_optimize(py::module_& m) {
  m.def("minimize", &minimize, py::arg("fun"), py::arg("x0"), py::arg("jac"), py::arg("method"),
        py::arg("options") = py::dict(), py::arg("callback") = py::none(),
        "Minimise a Python objective with a gradient method; returns (x, summary).");
  m.def("minimize_methods", &minimize_methods);
  py::class_<optim::UpdateRule>(m, "UpdateRule")
      .def(py::init(&optim::UpdateRule::make), py::arg("name"))
      .def_static("names", &optim::UpdateRule::names)
      .def_property_readonly("name", &optim::UpdateRule::name)
      .def_property_readonly("buffers", &optim::UpdateRule::buffers)
      .def_property_readonly("hyperparameters", &optim::UpdateRule::hyperparameters)
      .def("get", &optim::UpdateRule::get)
      .def("set", &optim::UpdateRule::set)
      .def("validate", &optim::UpdateRule::validate)
      .def(
          "apply",
          [](const optim::UpdateRule& rule, std::int64_t t, const py::array& x, const py::array& g,
             const py::list& buffers) {
            if (py::isinstance<py::array_t<float>>(x)) {
              apply_rule<float>(rule, t, x, g, buffers);
            } else {
              apply_rule<double>(rule, t, x, g, buffers);
            }
          },
          py::arg("t"), py::arg("x"), py::arg("g"), py::arg("buffers"),
          "One step t (1, 2, ...) in place on x with gradient g and the rule's state buffers.");
}

}  // namespace descent::python
