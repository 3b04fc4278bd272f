#include "descent/linalg/solvers.hpp"

#include <charconv>
#include <cmath>
#include <memory>
#include <string>

#include "descent/core/options.hpp"
#include "descent/core/timer.hpp"
#include "descent/linalg/cg.hpp"
#include "descent/linalg/preconditioners.hpp"
#include "descent/linalg/sor.hpp"
#include "descent/linalg/spectral.hpp"

namespace descent::linalg {

namespace {

// A method's options with omega as the user spells it ("1.5" or "optimal").
template <class Base>
struct WithOmega {
  Base base;
  std::string omega = "1";
  template <class Fields>
  void fields(Fields& f) {
    base.fields(f);
    f("omega", omega, "relaxation weight in (0, 2), or optimal (Young's omega*)");
  }
};

Summary run_cg(std::string_view name, const SparseMatrix& a, const Vector& b, Vector& x,
               const Settings& settings, Callbacks callbacks) {
  std::unique_ptr<Preconditioner> m;
  CgOptions o;
  if (name == "ssor-cg") {
    const auto w = options_from<WithOmega<CgOptions>>(settings, name);
    o = w.base;
    const double omega = resolve_omega(w.omega, a);
    Stopwatch setup;
    m = std::make_unique<SsorPreconditioner>(a, omega);
    const double setup_seconds = setup.seconds();
    Summary s = conjugate_gradient(a, b, x, m.get(), o, std::move(callbacks));
    s.counters["omega"] = omega;
    s.counters["setup_seconds"] = setup_seconds;
    s.method = std::string(name);
    return s;
  }
  o = options_from<CgOptions>(settings, name);
  Stopwatch setup;
  if (name == "pcg-jacobi") m = std::make_unique<JacobiPreconditioner>(a);
  if (name == "pcg-ic") m = std::make_unique<IncompleteCholesky>(a);
  const double setup_seconds = setup.seconds();
  Summary s = conjugate_gradient(a, b, x, m.get(), o, std::move(callbacks));
  s.counters["setup_seconds"] = setup_seconds;
  if (auto* ic = dynamic_cast<IncompleteCholesky*>(m.get())) s.counters["ic_shift"] = ic->shift();
  s.method = std::string(name);
  return s;
}

Summary run_sor(std::string_view name, const SparseMatrix& a, const Vector& b, Vector& x,
                const Settings& settings, Callbacks callbacks) {
  const auto w = options_from<WithOmega<SorOptions>>(settings, name);
  SorOptions o = w.base;
  o.omega = resolve_omega(w.omega, a);
  o.symmetric = name == "ssor";
  Summary s = sor(a, b, x, o, std::move(callbacks));
  s.counters["omega"] = o.omega;
  s.method = std::string(name);
  return s;
}

}  // namespace

bool needs_symmetric(std::string_view method) {
  return method != "sor" && method != "ssor";
}

double resolve_omega(std::string_view text, const SparseMatrix& a) {
  if (text == "optimal" || text == "auto") return optimal_sor_omega(a);
  double w = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), w);
  if (ec != std::errc() || end != text.data() + text.size())
    throw InvalidOption(
        "omega", "expected a number in (0, 2) or 'optimal', got '" + std::string(text) + "'");
  check::require(w > 0 && w < 2, "omega", "must lie in (0, 2), got " + std::string(text));
  return w;
}

const MethodRegistry<Solver>& solvers() {
  static const MethodRegistry<Solver> registry = [] {
    MethodRegistry<Solver> r("linalg");
    const auto cg_method = [&](const char* name, const char* paper, const char* summary,
                               auto docs) {
      r.add({name, "", paper, summary}, docs,
            [name](const SparseMatrix& a, const Vector& b, Vector& x, const Settings& s,
                   Callbacks cb) { return run_cg(name, a, b, x, s, std::move(cb)); });
    };
    cg_method("cg", "Hestenes, Stiefel, J. Res. NBS 1952", "Conjugate gradients",
              option_docs<CgOptions>);
    cg_method("pcg-jacobi", "", "CG with the Jacobi (diagonal) preconditioner",
              option_docs<CgOptions>);
    cg_method("pcg-ic", "Meijerink, van der Vorst, Math. Comp. 1977",
              "CG with incomplete Cholesky IC(0)", option_docs<CgOptions>);
    cg_method("ssor-cg", "Khodak et al., ICLR 2024", "CG with the SSOR(omega) preconditioner",
              option_docs<WithOmega<CgOptions>>);
    for (const char* name : {"sor", "ssor"})
      r.add({name, "", "Young 1971; Khodak et al., ICLR 2024",
             std::string(name) == "sor" ? "Successive over-relaxation"
                                        : "Symmetric successive over-relaxation"},
            option_docs<WithOmega<SorOptions>>,
            [name](const SparseMatrix& a, const Vector& b, Vector& x, const Settings& s,
                   Callbacks cb) { return run_sor(name, a, b, x, s, std::move(cb)); });
    return r;
  }();
  return registry;
}

}  // namespace descent::linalg
