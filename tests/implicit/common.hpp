// Shared fixtures of the implicit-differentiation tests.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <random>

#include "descent/data/datasets.hpp"
#include "descent/implicit/root.hpp"

namespace implicit_test {

using descent::implicit::Mat;
using descent::implicit::Vec;

struct Split {
  Mat xt, xv;
  Vec yt, yv;
};

/// A data set standardised on its first `n_train` rows; targets (regression) scaled to unit std.
inline Split load_split(const std::string& name, Eigen::Index n_train) {
  const auto d = descent::data::load(name);
  const descent::data::Standardizer s(d.features.topRows(n_train));
  Split r;
  const Mat x = s.transform(d.features);
  r.xt = x.topRows(n_train);
  r.xv = x.bottomRows(x.rows() - n_train);
  Vec y = d.targets;
  if (d.classes == 0) {
    const double m = y.head(n_train).mean();
    const double sd = std::sqrt((y.head(n_train).array() - m).square().mean());
    y = (y.array() - m) / sd;
  }
  r.yt = y.head(n_train);
  r.yv = y.tail(y.size() - n_train);
  return r;
}

inline Eigen::VectorXi labels(const Vec& y) {
  return y.cast<int>();
}

inline double rel_err(double a, double b) {
  return std::abs(a - b) / std::abs(b);
}
inline double rel_err(const Vec& a, const Vec& b) {
  return (a - b).norm() / b.norm();
}

/// Checks an Optimality's products against each other and against central differences of F.
/// Returns the worst relative error.
inline double product_check(const descent::implicit::Optimality& f, const Vec& x, const Vec& th,
                            std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n01;
  const auto rnd = [&](Eigen::Index n) {
    Vec v(n);
    for (auto& e : v) e = n01(rng);
    return v;
  };
  const Vec u = rnd(f.dim_x), v = rnd(f.dim_x), t = rnd(f.dim_theta);
  double worst = 0;
  // ⟨u, ∂₁F v⟩ = ⟨(∂₁F)ᵀu, v⟩ and ⟨u, ∂₂F t⟩ = ⟨(∂₂F)ᵀu, t⟩
  const double a1 = u.dot(f.jvp_x(x, th, v)), b1 = f.vjp_x(x, th, u).dot(v);
  worst = std::max(worst, std::abs(a1 - b1) / std::max(1.0, std::abs(a1)));
  const double a2 = u.dot(f.jvp_theta(x, th, t)), b2 = f.vjp_theta(x, th, u).dot(t);
  worst = std::max(worst, std::abs(a2 - b2) / std::max(1.0, std::abs(a2)));
  // ∂₁F v and ∂₂F t against central differences
  const double h = 1e-6;
  const Vec fdx = (f.value(x + h * v, th) - f.value(x - h * v, th)) / (2 * h);
  const Vec fdt = (f.value(x, th + h * t) - f.value(x, th - h * t)) / (2 * h);
  worst = std::max(worst, (fdx - f.jvp_x(x, th, v)).norm() / std::max(1.0, fdx.norm()));
  worst = std::max(worst, (fdt - f.jvp_theta(x, th, t)).norm() / std::max(1.0, fdt.norm()));
  return worst;
}

}  // namespace implicit_test
