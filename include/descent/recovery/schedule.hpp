// Step-size schedules for SubGM.
//
// The sub-gradient of the l1 loss does not shrink near the solution, so linear convergence needs
// eta_t proportional to the error: a geometric decay eta_t = eta0 rho^t (Ma & Fattahi, JMLR 2023).
// Small initialization must first escape the alpha scale, which needs
// sum_t eta_t ~ eta0/(1 - rho) >~ |X*|_F log(1/alpha) / (2 phi sigma_r) (see escape_step_sum).
#pragma once

#include <cstddef>
#include <string>

namespace descent::recovery {

struct StepSchedule {
  enum class Kind {
    geometric,  ///< eta_t = eta0 rho^t from t = 0 (the paper's rule; default)
    warmup,     ///< eta_t = eta0 for t < T0, then eta0 rho^(t - T0 + 1) (NOT from the paper)
  };
  Kind kind = Kind::geometric;
  double eta0 = 0.5;                    ///< > 0; 0.5 assumes |X*|_2 = 1
  double rho = 0.99;                    ///< in (0, 1)
  std::size_t warmup_iterations = 100;  ///< T0 (warmup only)

  void validate() const;
  /// eta_t (t = 0, 1, ...).
  double step(std::size_t t) const;
  /// sum_{t < T} eta_t.
  double step_sum(std::size_t T) const;
  /// True for the paper's geometric rule; warm-up is labelled non-paper in outputs.
  bool from_paper() const noexcept { return kind == Kind::geometric; }

  /// "geometric[:eta0=0.5,rho=0.99]" or "warmup[:eta0=0.5,t0=100,rho=0.95]" (warm-up defaults to
  /// rho = 0.95). Throws descent::Error for anything else.
  static StepSchedule parse(const std::string& spec);
  std::string to_string() const;
};

/// The escape rule of thumb |X*|_F log(1/alpha) / (2 phi sigma_r): the step sum small
/// initialization needs before the signal leaves the alpha scale (shape only; the spec measures
/// 52 at d = 50, r = 3, kappa = 2, alpha = 1e-12, p = 0.1, where rho = 0.99's 50 still escapes).
double escape_step_sum(double xstar_fro, double sigma_r, double alpha, double phi);

/// phi's lower bound sqrt(2/pi) (1 - p) for corruption probability p (Gaussian measurements).
double phi_lower_bound(double corruption_probability);

}  // namespace descent::recovery
