#include "descent/privacy/accountant.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::privacy {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The tight conversion's objective at a real order alpha > 1.
double tight_objective(double rdp_at_alpha, double alpha, double log_delta) {
  return rdp_at_alpha + std::log1p(-1.0 / alpha) - (log_delta + std::log(alpha)) / (alpha - 1.0);
}

// Minimises the tight conversion of eps_RDP(alpha) = alpha rho over real alpha > 1. The search
// runs over u = log(alpha - 1): a grid locates the basin (robust even if the objective were not
// unimodal) and golden-section search refines it. Deterministic, and continuous in rho, which
// the bisection in rho_of_epsilon relies on.
EpsilonAtOrder tight_gaussian(double rho, double delta) {
  const double log_delta = std::log(delta);
  auto f = [&](double u) {
    const double alpha = 1.0 + std::exp(u);
    return tight_objective(alpha * rho, alpha, log_delta);
  };
  constexpr double lo = -12.0, hi = 25.0, h = 0.05;
  const int n = static_cast<int>((hi - lo) / h) + 1;
  int best = 0;
  double best_value = kInf;
  for (int k = 0; k < n; ++k) {
    const double v = f(lo + h * k);
    if (v < best_value) best_value = v, best = k;
  }
  double a = lo + h * std::max(0, best - 1), b = lo + h * std::min(n - 1, best + 1);
  const double g = 0.5 * (std::sqrt(5.0) - 1.0);
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = f(c), fd = f(d);
  for (int it = 0; it < 200 && b - a > 1e-13; ++it) {
    if (fc < fd) {
      b = d, d = c, fd = fc;
      c = b - g * (b - a), fc = f(c);
    } else {
      a = c, c = d, fc = fd;
      d = a + g * (b - a), fd = f(d);
    }
  }
  const double u = 0.5 * (a + b);
  double value = f(u);
  double order = 1.0 + std::exp(u);
  if (best_value < value) value = best_value, order = 1.0 + std::exp(lo + h * best);
  // For rho -> 0 the objective tends to 0 from below at alpha > 1/delta; epsilon is >= 0.
  return {std::max(0.0, value), order};
}

double log_binomial(int n, int k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

}  // namespace

std::string_view to_string(Adjacency a) noexcept {
  return a == Adjacency::replace_one ? "replace-one" : "add-remove";
}

Adjacency adjacency_from_string(std::string_view s) {
  if (s == "replace-one") return Adjacency::replace_one;
  if (s == "add-remove") return Adjacency::add_remove;
  throw Error("unknown adjacency '" + std::string(s) + "' (replace-one or add-remove)");
}

std::string_view to_string(Conversion c) noexcept {
  return c == Conversion::tight ? "tight" : "classic";
}

Conversion conversion_from_string(std::string_view s) {
  if (s == "tight") return Conversion::tight;
  if (s == "classic") return Conversion::classic;
  throw Error("unknown conversion '" + std::string(s) + "' (tight or classic)");
}

void PrivacyBudget::validate() const {
  check::positive("epsilon", epsilon);
  check::require(delta > 0 && delta < 1, "delta", "must lie in (0, 1), got " + check::show(delta));
}

double gaussian_rho(double sigma, double n, Adjacency adjacency) {
  check::non_negative("sigma", sigma);
  check::positive("n", n);
  if (sigma == 0) return kInf;
  const double ns = n * sigma;
  return adjacency == Adjacency::replace_one ? 2.0 / (ns * ns) : 0.5 / (ns * ns);
}

double sensitivity_multiplier(double sigma, double n, Adjacency adjacency) {
  return adjacency == Adjacency::replace_one ? sigma * n / 2.0 : sigma * n;
}

double sigma_for_rho(double rho, std::size_t rounds, double n, Adjacency adjacency) {
  check::positive("rho", rho);
  check::positive("n", n);
  // rounds * c / (n sigma)^2 = rho with c = 2 (replace-one) or 1/2 (add/remove).
  const double c = adjacency == Adjacency::replace_one ? 2.0 : 0.5;
  return std::sqrt(c * static_cast<double>(rounds) / (n * n * rho));
}

double epsilon_of_rho(double rho, double delta, Conversion conversion) {
  check::require(rho >= 0, "rho", "must be >= 0, got " + check::show(rho));
  check::require(delta > 0 && delta < 1, "delta", "must lie in (0, 1), got " + check::show(delta));
  if (std::isinf(rho)) return kInf;
  if (conversion == Conversion::classic) return rho + 2.0 * std::sqrt(rho * std::log(1.0 / delta));
  return tight_gaussian(rho, delta).epsilon;
}

double rho_of_epsilon(double epsilon, double delta, Conversion conversion) {
  check::positive("epsilon", epsilon);
  check::require(delta > 0 && delta < 1, "delta", "must lie in (0, 1), got " + check::show(delta));
  const double L = std::log(1.0 / delta);
  if (conversion == Conversion::classic) {
    const double r = std::sqrt(L + epsilon) - std::sqrt(L);
    return r * r;
  }
  // epsilon_of_rho is increasing in rho; the classic rho is a valid lower start (tight <= classic).
  double lo = rho_of_epsilon(epsilon, delta, Conversion::classic), hi = 2.0 * lo + 1e-12;
  while (tight_gaussian(hi, delta).epsilon <= epsilon) hi *= 2.0;
  for (int it = 0; it < 300 && hi - lo > 1e-16 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (tight_gaussian(mid, delta).epsilon <= epsilon ? lo : hi) = mid;
  }
  return lo;
}

EpsilonAtOrder epsilon_of_rdp(std::span<const double> orders, std::span<const double> rdp,
                              double delta) {
  if (orders.size() != rdp.size() || orders.empty())
    throw Error("epsilon_of_rdp: need as many RDP values as orders (and at least one)");
  const double log_delta = std::log(delta);
  EpsilonAtOrder best{kInf, orders[0]};
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (!(orders[i] > 1)) throw Error("epsilon_of_rdp: orders must be > 1");
    const double e = tight_objective(rdp[i], orders[i], log_delta);
    if (e < best.epsilon) best = {e, orders[i]};
  }
  best.epsilon = std::max(0.0, best.epsilon);
  return best;
}

double subsampled_gaussian_rdp(double q, double z, int alpha) {
  check::in_closed("q", q, 0.0, 1.0);
  check::positive("z", z);
  check::at_least("alpha", alpha, 2);
  if (q == 0) return 0.0;
  const double a = alpha;
  // q = 1: the sum has the single term k = alpha, i.e. the full-batch Gaussian alpha/(2 z^2).
  if (q == 1) return a / (2.0 * z * z);
  const double log_q = std::log(q), log_1mq = std::log1p(-q);
  std::vector<double> terms(static_cast<std::size_t>(alpha) + 1);
  double top = -kInf;
  for (int k = 0; k <= alpha; ++k) {
    const double kk = k;
    const double t =
        log_binomial(alpha, k) + (a - kk) * log_1mq + kk * log_q + (kk * kk - kk) / (2.0 * z * z);
    terms[static_cast<std::size_t>(k)] = t;
    top = std::max(top, t);
  }
  double sum = 0.0;
  for (double t : terms) sum += std::exp(t - top);
  return (top + std::log(sum)) / (a - 1.0);
}

std::vector<double> integer_orders() {
  std::vector<double> orders;
  for (int a = 2; a <= 64; ++a) orders.push_back(a);
  orders.push_back(128);
  orders.push_back(256);
  return orders;
}

void RdpAccountant::compose_gaussian(double rho, std::size_t count) {
  check::require(rho >= 0, "rho", "must be >= 0, got " + check::show(rho));
  rho_ += rho * static_cast<double>(count);
}

void RdpAccountant::compose_subsampled_gaussian(double q, double z, std::size_t steps) {
  const std::vector<double> orders = integer_orders();
  if (subsampled_.empty()) subsampled_.assign(orders.size(), 0.0);
  for (std::size_t i = 0; i < orders.size(); ++i)
    subsampled_[i] +=
        static_cast<double>(steps) * subsampled_gaussian_rdp(q, z, static_cast<int>(orders[i]));
}

EpsilonAtOrder RdpAccountant::epsilon(double delta, Conversion conversion) const {
  check::require(delta > 0 && delta < 1, "delta", "must lie in (0, 1), got " + check::show(delta));
  if (!has_subsampled()) {
    if (std::isinf(rho_)) return {kInf, kInf};
    if (conversion == Conversion::classic) return {epsilon_of_rho(rho_, delta, conversion), kInf};
    return tight_gaussian(rho_, delta);
  }
  if (conversion == Conversion::classic)
    throw Error("RdpAccountant: the classic conversion needs a zCDP (Gaussian-only) composition");
  const std::vector<double> orders = integer_orders();
  std::vector<double> rdp(orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) rdp[i] = orders[i] * rho_ + subsampled_[i];
  // Nothing was released (q = 0 samples no record): the mechanism is (0, 0)-DP. The RDP-to-DP
  // conversion below would still charge log(1/delta)/(alpha - 1) > 0.
  if (std::all_of(rdp.begin(), rdp.end(), [](double v) { return v == 0.0; }))
    return {0.0, orders.back()};
  return epsilon_of_rdp(orders, rdp, delta);
}

double calibrate_dpgd_sigma(const PrivacyBudget& budget, double n, std::size_t rounds) {
  budget.validate();
  check::at_least("rounds", static_cast<long long>(rounds), 1);
  const double rho = rho_of_epsilon(budget.epsilon, budget.delta, budget.conversion);
  return sigma_for_rho(rho, rounds, n, budget.adjacency);
}

std::size_t restart_round_count(std::size_t rounds, std::size_t restart_period) {
  check::at_least("restart", static_cast<long long>(restart_period), 1);
  return (rounds + restart_period - 1) / restart_period;
}

Diff2Noise calibrate_diff2(const PrivacyBudget& budget, double n, std::size_t rounds,
                           std::size_t restart_period, double split) {
  budget.validate();
  check::at_least("rounds", static_cast<long long>(rounds), 1);
  check::require(split > 0 && split < 1, "budget_split",
                 "must lie in (0, 1), got " + check::show(split));
  Diff2Noise out;
  out.restart_rounds = restart_round_count(rounds, restart_period);
  out.difference_rounds = rounds - out.restart_rounds;
  out.rho = rho_of_epsilon(budget.epsilon, budget.delta, budget.conversion);
  // A phase without rounds gets no budget: with T = 1 every round is a restart and DIFF2 must be
  // DP-GD with DP-GD's sigma (an equal split would waste half the budget).
  if (out.difference_rounds == 0) {
    out.rho1 = out.rho;
    out.rho2 = 0;
  } else {
    out.rho1 = split * out.rho;
    out.rho2 = out.rho - out.rho1;
  }
  out.sigma1 = sigma_for_rho(out.rho1, out.restart_rounds, n, budget.adjacency);
  out.sigma2 = out.difference_rounds == 0
                   ? 0.0
                   : sigma_for_rho(out.rho2, out.difference_rounds, n, budget.adjacency);
  return out;
}

Spent spent(const PrivacyBudget& budget, double n, std::size_t r1, double sigma1, std::size_t r2,
            double sigma2) {
  double rho = 0;
  if (r1 > 0) rho += static_cast<double>(r1) * gaussian_rho(sigma1, n, budget.adjacency);
  if (r2 > 0) rho += static_cast<double>(r2) * gaussian_rho(sigma2, n, budget.adjacency);
  return {epsilon_of_rho(rho, budget.delta, budget.conversion), rho};
}

}  // namespace descent::privacy
