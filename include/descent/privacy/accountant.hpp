// Privacy accounting for Gaussian mechanisms: RDP/zCDP composition, (epsilon, delta) conversion,
// noise calibration and the Poisson-subsampled Gaussian.
//
//  - I. Mironov, "Renyi Differential Privacy", IEEE CSF 2017 (RDP, composition, classic
//    conversion).
//  - M. Bun, T. Steinke, "Concentrated Differential Privacy: Simplifications, Extensions, and
//    Lower Bounds", TCC 2016 (zCDP; the Gaussian mechanism is rho-zCDP with rho = D^2/(2 s^2)).
//  - B. Balle, G. Barthe, M. Gaboardi, J. Hsu, T. Sato, "Hypothesis Testing Interpretations and
//    Renyi Differential Privacy", AISTATS 2020, Thm. 21 (the tight conversion used by Opacus and
//    dp-accounting).
//  - I. Mironov, K. Talwar, L. Zhang, "Renyi Differential Privacy of the Sampled Gaussian
//    Mechanism", arXiv 1908.10530, 2019 (integer-order formula for Poisson subsampling).
//
// Conventions (see docs/privacy.md). A worker releases ClippedMean(per-sample gradients, C) + N(0,
// (sigma C)^2 I) over its n records: sigma is the noise multiplier *relative to the clip radius*.
// Under replace-one adjacency the clipped mean has L2 sensitivity 2C/n, under add/remove C/n, so
// one release is rho-zCDP with rho = 2/(n sigma)^2 (replace-one) or 1/(2 (n sigma)^2) (add/remove).
// The clip radius cancels: that is why C never enters the accountant. Composition adds rho;
// RDP of order alpha is alpha * rho, exact for Gaussians.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace descent::privacy {

/// Which data sets count as neighbours. Always reported with epsilon.
enum class Adjacency {
  replace_one,  ///< same n, one record replaced (default; sensitivity 2C/n)
  add_remove,   ///< one record added or removed (sensitivity C/n; rho 4x smaller)
};
std::string_view to_string(Adjacency a) noexcept;
/// "replace-one" or "add-remove"; throws descent::Error otherwise.
Adjacency adjacency_from_string(std::string_view s);

/// RDP/zCDP -> (epsilon, delta).
enum class Conversion {
  tight,    ///< Balle et al. 2020 Thm. 21, minimised over real orders alpha > 1 (default)
  classic,  ///< epsilon = rho + 2 sqrt(rho log(1/delta)) (Bun-Steinke / Mironov)
};
std::string_view to_string(Conversion c) noexcept;
Conversion conversion_from_string(std::string_view s);

/// The target of a calibrated run.
struct PrivacyBudget {
  double epsilon = 1.0;  ///< > 0
  double delta = 1e-5;   ///< in (0, 1)
  Adjacency adjacency = Adjacency::replace_one;
  Conversion conversion = Conversion::tight;
  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("epsilon", epsilon, "target epsilon (> 0)");
    f("delta", delta, "target delta in (0, 1)");
    f.choice("adjacency", adjacency,
             {{"replace-one", Adjacency::replace_one}, {"add-remove", Adjacency::add_remove}},
             "neighbouring data sets");
    f.choice("conversion", conversion,
             {{"tight", Conversion::tight}, {"classic", Conversion::classic}},
             "zCDP to (epsilon, delta)");
  }
};

// --- Gaussian mechanism ------------------------------------------------------------------

/// zCDP rho of one release of a clipped mean over n records with noise multiplier sigma
/// (std sigma * C). sigma = 0 gives +inf.
double gaussian_rho(double sigma, double n, Adjacency adjacency = Adjacency::replace_one);
/// The sensitivity-normalised multiplier z = std / sensitivity (sigma n / 2 or sigma n): what
/// Opacus and dp-accounting call noise_multiplier.
double sensitivity_multiplier(double sigma, double n, Adjacency adjacency = Adjacency::replace_one);
/// The sigma that makes `rounds` releases cost `rho` in total (inverse of rounds * gaussian_rho).
double sigma_for_rho(double rho, std::size_t rounds, double n,
                     Adjacency adjacency = Adjacency::replace_one);

// --- conversions -------------------------------------------------------------------------

/// epsilon of a rho-zCDP mechanism at delta. Tight: min over real alpha > 1 of
/// alpha rho + log((alpha-1)/alpha) - (log delta + log alpha)/(alpha-1). rho = inf gives inf.
double epsilon_of_rho(double rho, double delta, Conversion conversion = Conversion::tight);
/// The largest rho with epsilon_of_rho(rho, delta) <= epsilon (bisection for tight, closed form
/// (sqrt(log(1/delta) + eps) - sqrt(log(1/delta)))^2 for classic).
double rho_of_epsilon(double epsilon, double delta, Conversion conversion = Conversion::tight);

struct EpsilonAtOrder {
  double epsilon;
  double order;  ///< the minimising alpha
};
/// The tight conversion over a finite set of orders (for non-Gaussian RDP curves).
EpsilonAtOrder epsilon_of_rdp(std::span<const double> orders, std::span<const double> rdp,
                              double delta);

// --- Poisson-subsampled Gaussian -----------------------------------------------------------

/// RDP epsilon(alpha) of one step of the Poisson-subsampled Gaussian with sampling rate q and
/// multiplier z = std/sensitivity, for integer alpha >= 2 (add/remove adjacency):
/// 1/(alpha-1) log sum_k C(alpha,k) (1-q)^(alpha-k) q^k exp((k^2-k)/(2 z^2)), evaluated in log
/// space. q = 1 is the full-batch Gaussian alpha/(2 z^2); q = 0 is 0.
double subsampled_gaussian_rdp(double q, double z, int alpha);
/// {2, 3, ..., 64, 128, 256}: the orders used for subsampled composition.
std::vector<double> integer_orders();

/// Composes Gaussian (zCDP) and subsampled-Gaussian (RDP at integer orders) mechanisms.
class RdpAccountant {
 public:
  /// `count` releases that are each rho-zCDP.
  void compose_gaussian(double rho, std::size_t count = 1);
  /// `steps` Poisson-subsampled Gaussian steps (rate q, multiplier z).
  void compose_subsampled_gaussian(double q, double z, std::size_t steps);
  /// Total zCDP rho of the Gaussian releases (the subsampled part is not zCDP-summarised).
  double rho() const noexcept { return rho_; }
  bool has_subsampled() const noexcept { return !subsampled_.empty(); }
  /// (epsilon, order). Gaussian-only: real-order minimisation (the order is the minimiser);
  /// with subsampled steps: the integer_orders() grid. classic needs Gaussian-only (else Error).
  EpsilonAtOrder epsilon(double delta, Conversion conversion = Conversion::tight) const;

 private:
  double rho_ = 0.0;
  std::vector<double> subsampled_;  // RDP per integer order, summed over steps
};

// --- calibration -------------------------------------------------------------------------

/// DP-GD: sigma = sqrt(2 R / (n^2 rho*)) (replace-one) with rho* = rho_of_epsilon(eps, delta).
double calibrate_dpgd_sigma(const PrivacyBudget& budget, double n, std::size_t rounds);

/// DIFF2's two noise levels: restart rounds R1 = ceil(R/T) (sigma1), difference rounds R2 = R -
/// R1 (sigma2), with rho1 = split * rho*, rho2 = (1 - split) * rho*. A phase without rounds gets
/// no budget (T = 1: rho1 = rho*, so DIFF2 is DP-GD with the same sigma).
struct Diff2Noise {
  std::size_t restart_rounds = 0;     ///< R1
  std::size_t difference_rounds = 0;  ///< R2
  double rho = 0, rho1 = 0, rho2 = 0;
  double sigma1 = 0, sigma2 = 0;  ///< sigma2 = 0 (unused) when R2 = 0
};
std::size_t restart_round_count(std::size_t rounds, std::size_t restart_period);
Diff2Noise calibrate_diff2(const PrivacyBudget& budget, double n, std::size_t rounds,
                           std::size_t restart_period, double split = 0.5);

/// The (epsilon, rho) spent by `r1` releases at sigma1 and `r2` at sigma2 (pass r2 = 0 for DP-GD).
struct Spent {
  double epsilon;
  double rho;
};
Spent spent(const PrivacyBudget& budget, double n, std::size_t r1, double sigma1, std::size_t r2,
            double sigma2);

}  // namespace descent::privacy
