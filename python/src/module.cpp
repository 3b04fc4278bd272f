// descent._core: the numpy tier of the Python package (no torch). The Python files in
// python/descent give these functions the names users know (POT, scipy, Opacus).
#include "bindings.hpp"
#include "convert.hpp"
#include "descent/core/threads.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() =
      "descent's C++ core (Eigen): OT, linear solvers, optimizers, Newton methods, recovery, "
      "privacy, curvature, implicit differentiation";
  descent::python::register_exceptions(m);
  descent::python::bind_ot(m);
  descent::python::bind_linalg(m);
  descent::python::bind_optimize(m);
  descent::python::bind_privacy(m);
  descent::python::bind_curvature(m);
  descent::python::bind_newton(m);
  descent::python::bind_recovery(m);
  descent::python::bind_implicit(m);
  m.def("set_threads", &descent::set_threads, pybind11::arg("threads"),
        "Threads for descent's parallel loops (0 = all cores).");
}
