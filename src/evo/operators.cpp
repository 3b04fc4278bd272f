#include "descent/evo/operators.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "descent/core/error.hpp"

namespace descent::evo {

namespace {

double uniform01(Rng& rng) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

void check_probability(double p, const char* field) {
  if (!(p >= 0.0 && p <= 1.0))
    throw InvalidOption(field, "must be in [0, 1], got " + std::to_string(p));
}

// pymoo's calc_betaq for one side of the bounded SBX.
double betaq(double beta, double eta, double u) {
  const double alpha = 2.0 - std::pow(beta, -(eta + 1.0));
  if (u <= 1.0 / alpha) return std::pow(u * alpha, 1.0 / (eta + 1.0));
  return std::pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
}

}  // namespace

void Bounds::validate() const {
  if (lower.size() != upper.size())
    throw Error("bounds: lower has " + std::to_string(lower.size()) + " entries, upper " +
                std::to_string(upper.size()));
  if (!integer.empty() && integer.size() != static_cast<std::size_t>(lower.size()))
    throw Error("bounds: the integer flags do not match the number of variables");
  for (Eigen::Index i = 0; i < lower.size(); ++i)
    if (!std::isfinite(lower(i)) || !std::isfinite(upper(i)) || lower(i) > upper(i))
      throw Error("bounds: variable " + std::to_string(i) + " has bounds [" +
                  std::to_string(lower(i)) + ", " + std::to_string(upper(i)) + "]");
}

Bounds Bounds::categorical(const std::vector<int>& choices) {
  Bounds b;
  b.lower = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(choices.size()));
  b.upper.resize(b.lower.size());
  b.integer.assign(choices.size(), true);
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] < 1) throw Error("bounds: variable " + std::to_string(i) + " has no choices");
    b.upper(static_cast<Eigen::Index>(i)) = choices[i] - 1;
  }
  return b;
}

Bounds Bounds::box(Eigen::Index n, double lo, double hi) {
  Bounds b;
  b.lower = Eigen::VectorXd::Constant(n, lo);
  b.upper = Eigen::VectorXd::Constant(n, hi);
  b.validate();
  return b;
}

void SbxOptions::validate() const {
  check_probability(probability, "sbx_probability");
  check_probability(variable_probability, "sbx_variable_probability");
  check_probability(swap_probability, "sbx_swap_probability");
  if (!(eta >= 0.0)) throw InvalidOption("sbx_eta", "must be >= 0");
}

void MutationOptions::validate() const {
  check_probability(probability, "mutation_probability");
  if (variable_probability >= 0.0)
    check_probability(variable_probability, "mutation_variable_probability");
  if (!(eta >= 0.0)) throw InvalidOption("mutation_eta", "must be >= 0");
}

void repair(Eigen::Ref<Eigen::VectorXd> x, const Bounds& bounds) {
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    double v = x(i);
    if (bounds.is_integer(i)) v = std::round(v);
    x(i) = std::clamp(v, bounds.lower(i), bounds.upper(i));
  }
}

void sbx(const Eigen::VectorXd& p1, const Eigen::VectorXd& p2, Eigen::VectorXd& c1,
         Eigen::VectorXd& c2, const Bounds& bounds, const SbxOptions& o, Rng& rng) {
  c1 = p1;
  c2 = p2;
  if (uniform01(rng) < o.probability) {
    for (Eigen::Index i = 0; i < p1.size(); ++i) {
      const bool cross = uniform01(rng) < o.variable_probability;
      const double u = uniform01(rng);
      const bool swap = uniform01(rng) < o.swap_probability;
      if (!cross || std::abs(p1(i) - p2(i)) <= 1e-14) continue;
      const double y1 = std::min(p1(i), p2(i)), y2 = std::max(p1(i), p2(i));
      const double lo = bounds.lower(i), hi = bounds.upper(i), delta = y2 - y1;
      double a = 0.5 * ((y1 + y2) - betaq(1.0 + 2.0 * (y1 - lo) / delta, o.eta, u) * delta);
      double b = 0.5 * ((y1 + y2) + betaq(1.0 + 2.0 * (hi - y2) / delta, o.eta, u) * delta);
      if (swap) std::swap(a, b);
      c1(i) = a;
      c2(i) = b;
    }
  }
  repair(c1, bounds);
  repair(c2, bounds);
}

void polynomial_mutation(Eigen::VectorXd& x, const Bounds& bounds, const MutationOptions& o,
                         Rng& rng) {
  const Eigen::Index n = x.size();
  if (n == 0 || !(uniform01(rng) < o.probability)) return;
  const double pv = o.variable_probability >= 0.0 ? o.variable_probability
                                                  : std::min(0.5, 1.0 / static_cast<double>(n));
  const double power = 1.0 / (o.eta + 1.0);
  for (Eigen::Index i = 0; i < n; ++i) {
    const bool mutate = uniform01(rng) < pv;
    const double u = uniform01(rng);
    const double lo = bounds.lower(i), hi = bounds.upper(i);
    if (!mutate || !(hi > lo)) continue;
    const double d1 = (x(i) - lo) / (hi - lo), d2 = (hi - x(i)) / (hi - lo);
    double dq;
    if (u <= 0.5) {
      const double v = 2.0 * u + (1.0 - 2.0 * u) * std::pow(1.0 - d1, o.eta + 1.0);
      dq = std::pow(v, power) - 1.0;
    } else {
      const double v = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * std::pow(1.0 - d2, o.eta + 1.0);
      dq = 1.0 - std::pow(v, power);
    }
    x(i) = std::clamp(x(i) + dq * (hi - lo), lo, hi);
  }
  repair(x, bounds);
}

Eigen::MatrixXd random_population(const Bounds& bounds, Eigen::Index n, Rng& rng) {
  Eigen::MatrixXd pop(n, bounds.size());
  for (Eigen::Index r = 0; r < n; ++r) {
    for (Eigen::Index i = 0; i < bounds.size(); ++i) {
      if (bounds.is_integer(i)) {
        const auto lo = static_cast<long long>(std::ceil(bounds.lower(i)));
        const auto hi = static_cast<long long>(std::floor(bounds.upper(i)));
        pop(r, i) = static_cast<double>(std::uniform_int_distribution<long long>(lo, hi)(rng));
      } else {
        pop(r, i) = std::uniform_real_distribution<double>(bounds.lower(i), bounds.upper(i))(rng);
      }
    }
  }
  return pop;
}

}  // namespace descent::evo
