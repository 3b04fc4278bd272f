// descent._core's curvature tools on a Python matvec: Lanczos, stochastic Lanczos quadrature
// and Hutchinson's trace estimator (descent/curvature). The matvec is called under the GIL with
// a fresh float64 vector and must return one of the same length.
#include <memory>
#include <string>

#include "bindings.hpp"
#include "convert.hpp"
#include "descent/curvature/hutchinson.hpp"
#include "descent/curvature/lanczos.hpp"
#include "descent/curvature/slq.hpp"

namespace descent::python {

namespace {

/// The operator and the first Python error it met (the C++ methods never see it: a failed
/// product writes NaN, so the method ends as diverged, and the error is re-raised afterwards).
struct PythonOperator {
  curvature::SymmetricOperator op;
  std::shared_ptr<std::unique_ptr<py::error_already_set>> error =
      std::make_shared<std::unique_ptr<py::error_already_set>>();

  PythonOperator(py::object matvec, Eigen::Index n) {
    if (n < 1) throw py::value_error("n must be >= 1");
    if (!PyCallable_Check(matvec.ptr())) throw py::type_error("matvec must be callable");
    auto err = error;
    op = curvature::symmetric_operator(n, [matvec = std::move(matvec), err, n](
                                              std::span<const double> v, std::span<double> out) {
      py::gil_scoped_acquire gil;
      if (*err) {
        std::fill(out.begin(), out.end(), std::numeric_limits<double>::quiet_NaN());
        return;
      }
      try {
        py::object r = matvec(to_numpy(std::vector<double>(v.begin(), v.end())));
        const Array a = as_array(r, "matvec's result");
        if (a.ndim() != 1 || a.shape(0) != n)
          throw py::value_error("matvec must return a 1-D array of length " + std::to_string(n));
        std::copy(a.data(), a.data() + n, out.begin());
      } catch (py::error_already_set& e) {
        *err = std::make_unique<py::error_already_set>(std::move(e));
        std::fill(out.begin(), out.end(), std::numeric_limits<double>::quiet_NaN());
      } catch (const py::builtin_exception& e) {
        e.set_error();
        *err = std::make_unique<py::error_already_set>();
        std::fill(out.begin(), out.end(), std::numeric_limits<double>::quiet_NaN());
      }
    });
  }
  void rethrow() {
    if (*error) {
      auto e = std::move(*error);
      throw std::move(*e);
    }
  }
};

py::dict lanczos(const py::object& matvec, Eigen::Index n, std::size_t steps, bool reorthogonalize,
                 bool vectors, std::uint64_t seed, const py::object& start) {
  PythonOperator a(matvec, n);
  curvature::LanczosOptions o;
  o.steps = steps;
  o.full_reorthogonalization = reorthogonalize;
  o.ritz_vectors = vectors;
  o.seed = seed;
  o.validate();
  std::optional<Eigen::VectorXd> v0;
  if (!start.is_none()) {
    const Array s = as_array(start, "v0");
    v0 = Eigen::VectorXd(vector_view(s, "v0"));
  }
  curvature::LanczosResult r;
  {
    py::gil_scoped_release release;
    r = curvature::lanczos(a.op, o, v0);
  }
  a.rethrow();
  py::dict d;
  d["status"] = std::string(to_string(r.status));
  d["steps"] = r.steps;
  d["alpha"] = to_numpy(std::move(r.alpha));
  d["beta"] = to_numpy(std::move(r.beta));
  d["eigenvalues"] = to_numpy(std::move(r.ritz_values));
  d["weights"] = to_numpy(std::move(r.weights));
  d["residuals"] = to_numpy(std::move(r.residuals));
  if (vectors) d["eigenvectors"] = to_numpy(std::move(r.ritz_vectors));
  return d;
}

py::dict slq(const py::object& matvec, Eigen::Index n, std::size_t steps, std::size_t probes,
             std::uint64_t seed) {
  PythonOperator a(matvec, n);
  curvature::SlqOptions o;
  o.steps = steps;
  o.probes = probes;
  o.seed = seed;
  o.validate();
  curvature::SpectralDensity r;
  {
    py::gil_scoped_release release;
    r = curvature::slq(a.op, o);
  }
  a.rethrow();
  py::dict d;
  d["status"] = std::string(to_string(r.status));
  d["trace"] = r.trace();
  d["nodes"] = to_numpy(std::move(r.nodes));
  d["weights"] = to_numpy(std::move(r.weights));
  return d;
}

py::dict hutchinson(const py::object& matvec, Eigen::Index n, std::size_t max_probes,
                    std::size_t min_probes, double rtol, std::uint64_t seed) {
  PythonOperator a(matvec, n);
  curvature::HutchinsonOptions o;
  o.max_probes = max_probes;
  o.min_probes = min_probes;
  o.relative_tolerance = rtol;
  o.seed = seed;
  o.validate();
  curvature::TraceEstimate r;
  {
    py::gil_scoped_release release;
    r = curvature::hutchinson(a.op, o);
  }
  a.rethrow();
  py::dict d;
  d["status"] = std::string(to_string(r.status));
  d["trace"] = r.trace;
  d["standard_error"] = r.standard_error;
  d["probes"] = r.probes;
  return d;
}

}  // namespace

void bind_curvature(py::module_& m) {
  m.def("lanczos", &lanczos, py::arg("matvec"), py::arg("n"), py::arg("steps") = 20,
        py::arg("reorthogonalize") = true, py::arg("vectors") = false, py::arg("seed") = 0,
        py::arg("v0") = py::none());
  m.def("slq", &slq, py::arg("matvec"), py::arg("n"), py::arg("steps") = 30, py::arg("probes") = 1,
        py::arg("seed") = 0);
  m.def("hutchinson", &hutchinson, py::arg("matvec"), py::arg("n"), py::arg("max_probes") = 1000,
        py::arg("min_probes") = 10, py::arg("rtol") = 0.0, py::arg("seed") = 0);
}

}  // namespace descent::python
