#include "convert.hpp"

#include <cstdio>
#include <memory>
#include <string>

#include "descent/core/error.hpp"

namespace descent::python {

namespace {

std::string dims_error(const char* name, int want, const py::array& a) {
  return std::string(name) + " must be a " + std::to_string(want) + "-D array, got " +
         std::to_string(a.ndim()) + "-D";
}

template <class T>
py::array owned(T&& value, std::vector<py::ssize_t> shape, std::vector<py::ssize_t> strides) {
  // The capsule owns the moved-in object; numpy's base keeps the capsule alive.
  auto* heap = new T(std::forward<T>(value));
  py::capsule owner(heap, [](void* p) { delete static_cast<T*>(p); });
  return py::array(py::dtype::of<double>(), std::move(shape), std::move(strides), heap->data(),
                   owner);
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

Array as_array(const py::handle& object, const char* name) {
  Array a = Array::ensure(object);
  if (!a) {
    PyErr_Clear();
    throw py::type_error(std::string(name) + " must be an array of numbers, got " +
                         std::string(py::str(object.get_type().attr("__name__"))));
  }
  return a;
}

Eigen::Map<const Eigen::VectorXd> vector_view(const Array& a, const char* name) {
  if (a.ndim() != 1) throw py::value_error(dims_error(name, 1, a));
  return {a.data(), static_cast<Eigen::Index>(a.shape(0))};
}

Eigen::Map<const RowMatrix> matrix_view(const Array& a, const char* name) {
  if (a.ndim() != 2) throw py::value_error(dims_error(name, 2, a));
  return {a.data(), static_cast<Eigen::Index>(a.shape(0)), static_cast<Eigen::Index>(a.shape(1))};
}

py::array to_numpy(Eigen::VectorXd&& v) {
  const auto n = static_cast<py::ssize_t>(v.size());
  return owned(std::move(v), {n}, {static_cast<py::ssize_t>(sizeof(double))});
}

py::array to_numpy(Eigen::MatrixXd&& m) {
  const auto rows = static_cast<py::ssize_t>(m.rows());
  const auto cols = static_cast<py::ssize_t>(m.cols());
  const auto d = static_cast<py::ssize_t>(sizeof(double));
  return owned(std::move(m), {rows, cols}, {d, d * rows});  // column-major
}

py::array to_numpy(std::vector<double>&& v) {
  const auto n = static_cast<py::ssize_t>(v.size());
  return owned(std::move(v), {n}, {static_cast<py::ssize_t>(sizeof(double))});
}

Settings settings_from(const py::dict& options) {
  Settings s;
  for (const auto& [k, v] : options) {
    const std::string key = py::str(k);
    if (v.is_none()) continue;  // None means "the library's default"
    if (py::isinstance<py::bool_>(v) ||
        std::string(py::str(v.get_type().attr("__name__"))) == "bool_") {
      s.set(key, PyObject_IsTrue(v.ptr()) ? "true" : "false");
    } else if (py::isinstance<py::int_>(v)) {
      s.set(key, std::string(py::str(v)));
    } else if (py::isinstance<py::str>(v)) {
      s.set(key, v.cast<std::string>());
    } else if (py::hasattr(v, "__index__")) {  // numpy integers
      s.set(key, std::to_string(v.cast<long long>()));
    } else if (py::hasattr(v, "__float__")) {  // float, numpy floats, 0-d arrays
      s.set(key, number_text(v.cast<double>()));
    } else {
      throw py::type_error("option '" + key + "' must be a number, bool or string, got " +
                           std::string(py::str(v.get_type().attr("__name__"))));
    }
  }
  return s;
}

py::dict summary_dict(const Summary& summary) {
  py::dict d;
  d["status"] = std::string(to_string(summary.status));
  d["message"] = summary.message;
  d["method"] = summary.method;
  d["iterations"] = summary.iterations;
  d["function_evaluations"] = summary.function_evaluations;
  d["gradient_evaluations"] = summary.gradient_evaluations;
  d["objective"] = summary.objective;
  d["gradient_norm"] = summary.gradient_norm;
  d["seconds"] = summary.seconds;
  py::dict counters;
  for (const auto& [k, v] : summary.counters) counters[py::str(k)] = v;
  d["counters"] = counters;
  if (!summary.history.empty()) {
    const std::size_t n = summary.history.size();
    std::vector<double> it(n), f(n), g(n), step(n), sec(n);
    std::map<std::string, std::vector<double>> extras;
    for (std::size_t i = 0; i < n; ++i) {
      const HistoryRow& r = summary.history[i];
      it[i] = static_cast<double>(r.iteration);
      f[i] = r.objective;
      g[i] = r.gradient_norm;
      step[i] = r.step_size;
      sec[i] = r.seconds;
      for (const auto& [name, value] : r.extras) {
        auto& col = extras[name];
        col.resize(n, std::numeric_limits<double>::quiet_NaN());
        col[i] = value;
      }
    }
    py::dict h;
    h["iteration"] = to_numpy(std::move(it));
    h["objective"] = to_numpy(std::move(f));
    h["gradient_norm"] = to_numpy(std::move(g));
    h["step_size"] = to_numpy(std::move(step));
    h["seconds"] = to_numpy(std::move(sec));
    for (auto& [name, col] : extras) h[py::str(name)] = to_numpy(std::move(col));
    d["history"] = h;
  }
  return d;
}

bool PythonCallback::iteration(const IterationInfo& info) {
  if (error_) return true;
  py::gil_scoped_acquire gil;
  try {
    py::dict d;
    d["iteration"] = info.iteration;
    d["objective"] = info.objective;
    d["gradient_norm"] = info.gradient_norm;
    d["step_size"] = info.step_size;
    d["seconds"] = info.seconds;
    if (!info.x.empty()) d["x"] = to_numpy(std::vector<double>(info.x.begin(), info.x.end()));
    for (const Metric& m : info.extras) d[py::str(std::string(m.name))] = m.value;
    return py::bool_(function_(d));
  } catch (py::error_already_set& e) {
    error_ = std::make_unique<py::error_already_set>(std::move(e));
    return true;
  }
}

void PythonCallback::rethrow_if_failed() {
  if (error_) {
    auto e = std::move(error_);
    throw std::move(*e);
  }
}

std::shared_ptr<PythonCallback> attach(Callbacks& callbacks, const py::object& callback) {
  if (callback.is_none()) return nullptr;
  if (!PyCallable_Check(callback.ptr())) throw py::type_error("callback must be callable");
  return callbacks.emplace<PythonCallback>(callback);
}

void register_exceptions(py::module_& m) {
  // Created once and kept by the module (never destroyed after the interpreter finalises).
  static PyObject* invalid_option = PyErr_NewExceptionWithDoc(
      "descent._core.InvalidOption", "An option failed validation; .field names it.",
      PyExc_ValueError, nullptr);
  static PyObject* input_error = PyErr_NewExceptionWithDoc(
      "descent._core.InputError", "Malformed input data; .file, .line and .field locate it.",
      PyExc_ValueError, nullptr);
  m.attr("InvalidOption") = py::handle(invalid_option);
  m.attr("InputError") = py::handle(input_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InvalidOption& e) {
      py::object instance = py::reinterpret_borrow<py::object>(invalid_option)(e.what());
      instance.attr("field") = e.field();
      PyErr_SetObject(invalid_option, instance.ptr());
    } catch (const InputError& e) {
      py::object instance = py::reinterpret_borrow<py::object>(input_error)(e.what());
      instance.attr("file") = e.file();
      instance.attr("line") = e.line();
      instance.attr("field") = e.field();
      PyErr_SetObject(input_error, instance.ptr());
    } catch (const Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

}  // namespace descent::python
