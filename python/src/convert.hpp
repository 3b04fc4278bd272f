// Conversions shared by the bindings: numpy <-> Eigen without hidden copies, Settings from
// keyword arguments, Summary to a dict, Python callables as callbacks.
//
// Inputs: float64 arrays in C order are viewed in place (Eigen::Map, no copy). Anything else
// (another dtype, a strided view, Fortran order) is converted once when it enters the call —
// that is pybind11's forcecast, documented in docs/python.md — never inside a loop.
// Outputs: Eigen results are moved into a capsule that owns them, so numpy sees the library's
// buffer without a copy (a column-major matrix comes back as a Fortran-ordered array).
#pragma once

#include <string>
#include <utility>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"

namespace descent::python {

namespace py = pybind11;

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// A float64 C-ordered array (converted once on entry if it was not one).
using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// `object` as a float64 C-ordered array (converted once if needed); throws TypeError naming
/// `name` when it cannot be one. Keep the result in a named variable while views of it live.
Array as_array(const py::handle& object, const char* name);

/// A 1-D view; throws ValueError naming `name` for another number of dimensions.
Eigen::Map<const Eigen::VectorXd> vector_view(const Array& a, const char* name);
/// A 2-D row-major view; throws ValueError naming `name` otherwise.
Eigen::Map<const RowMatrix> matrix_view(const Array& a, const char* name);

/// The library's buffer as a numpy array (no copy; the array owns the moved-in object).
py::array to_numpy(Eigen::VectorXd&& v);
py::array to_numpy(Eigen::MatrixXd&& m);
py::array to_numpy(std::vector<double>&& v);

/// Keyword arguments as Settings: numbers with 17 significant digits, bools as true/false,
/// strings as they are. Throws TypeError for another value type, naming the key.
Settings settings_from(const py::dict& options);

/// The Summary as a dict: status (its name), message, method, iterations, evaluations,
/// objective, gradient_norm, seconds, counters, and history (a dict of columns) when recorded.
py::dict summary_dict(const Summary& summary);

/// A Python callable as a callback: called with a dict (iteration, objective, gradient_norm,
/// step_size, seconds, x when the method exposes it, and the method's extra columns) under the
/// GIL; a truthy return stops the run. A Python exception stops the run and is re-raised by
/// rethrow_if_failed() once the method has returned.
class PythonCallback : public Callback {
 public:
  explicit PythonCallback(py::object function) : function_(std::move(function)) {}
  bool iteration(const IterationInfo& info) override;
  std::string stop_reason() const override { return "stopped by the Python callback"; }
  void rethrow_if_failed();

 private:
  py::object function_;
  std::unique_ptr<py::error_already_set> error_;
};

/// Callbacks holding `callback` when it is not None (the returned pointer may be null).
std::shared_ptr<PythonCallback> attach(Callbacks& callbacks, const py::object& callback);

/// Runs `method(callbacks)` without the GIL, with `callback` (a Python callable or None)
/// attached, and re-raises an exception the callback raised. Returns what `method` returns.
template <class Method>
auto run_without_gil(const py::object& callback, Method&& method) {
  Callbacks callbacks;
  auto python_callback = attach(callbacks, callback);
  decltype(method(std::move(callbacks))) result;
  {
    py::gil_scoped_release release;
    result = method(std::move(callbacks));
  }
  if (python_callback) python_callback->rethrow_if_failed();
  return result;
}

/// Registers descent's exceptions: descent.InvalidOption (a ValueError with .field) for invalid
/// options, descent.InputError (a ValueError with .file, .line, .field) for malformed input,
/// and ValueError for every other misuse (descent::Error).
void register_exceptions(py::module_& m);

}  // namespace descent::python
