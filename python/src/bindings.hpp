// The pieces of descent._core, one per family (python/src/<family>.cpp), and the registry
// listing they share.
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "descent/core/method_registry.hpp"

namespace descent::python {

namespace py = pybind11;

void bind_ot(py::module_& m);
void bind_linalg(py::module_& m);
void bind_optimize(py::module_& m);
void bind_privacy(py::module_& m);
void bind_curvature(py::module_& m);
void bind_newton(py::module_& m);
void bind_recovery(py::module_& m);
void bind_implicit(py::module_& m);

/// A registry as {name: {"summary", "paper", "options": {key: (default, help)}}}.
template <class Runner>
py::dict method_list(const MethodRegistry<Runner>& registry) {
  py::dict out;
  for (const auto& method : registry.methods()) {
    py::dict options;
    for (const OptionDoc& d : method.options())
      options[py::str(d.key)] = py::make_tuple(d.default_value, d.help);
    py::dict entry;
    entry["summary"] = method.info.summary;
    entry["paper"] = method.info.paper;
    entry["options"] = options;
    out[py::str(method.info.name)] = entry;
  }
  return out;
}

}  // namespace descent::python
