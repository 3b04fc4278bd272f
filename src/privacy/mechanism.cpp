#include "descent/privacy/mechanism.hpp"

#include <cmath>
#include <random>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"

namespace descent::privacy {

double clip_factor(double norm, double radius) noexcept {
  if (radius == 0) return 0.0;  // DIFF2: the iterate did not move, the difference is 0
  if (std::isinf(radius) || norm <= radius) return 1.0;  // includes norm = 0
  return radius / norm;
}

void clip_to_norm(std::span<double> v, double radius) noexcept {
  project_to_ball(v, radius);  // radius 0 gives 0, as clip_factor does
}

void clipped_mean(const Eigen::Ref<const Eigen::MatrixXd>& rows, double radius,
                  Eigen::VectorXd& out) {
  const Eigen::Index n = rows.rows();
  if (n == 0) throw Error("clipped_mean: no samples");
  Eigen::VectorXd w(n);
  for (Eigen::Index i = 0; i < n; ++i)
    w[i] = clip_factor(rows.row(i).norm(), radius) / static_cast<double>(n);
  out.noalias() = rows.transpose() * w;
}

void clipped_mean(const SampleGradients& g, double radius, Eigen::VectorXd& out) {
  const Eigen::Index n = g.samples();
  if (n == 0) throw Error("clipped_mean: no samples");
  Eigen::VectorXd w;
  g.norms(w);
  for (Eigen::Index i = 0; i < n; ++i) w[i] = clip_factor(w[i], radius) / static_cast<double>(n);
  g.weighted_sum(w, out);
}

void clipped_mean_difference(const SampleGradients& g, const SampleGradients& h, double radius,
                             Eigen::VectorXd& out) {
  const Eigen::Index n = g.samples();
  if (n == 0 || h.samples() != n || h.dimension() != g.dimension())
    throw Error("clipped_mean_difference: the two gradient sets differ in shape");
  Eigen::VectorXd w;
  g.difference_norms(h, w);
  for (Eigen::Index i = 0; i < n; ++i) w[i] = clip_factor(w[i], radius) / static_cast<double>(n);
  Eigen::VectorXd hs;
  g.weighted_sum(w, out);
  h.weighted_sum(w, hs);
  out -= hs;
}

void add_gaussian_noise(std::span<double> v, double std, Rng& rng) {
  if (!(std >= 0) || std::isinf(std))
    throw Error("add_gaussian_noise: std must be finite and >= 0");
  if (std == 0) return;
  std::normal_distribution<double> dist(0.0, 1.0);
  for (double& x : v) x += std * dist(rng);
}

void DenseSampleGradients::norms(Eigen::VectorXd& out) const {
  out = rows_.rowwise().norm();
}

void DenseSampleGradients::difference_norms(const SampleGradients& other,
                                            Eigen::VectorXd& out) const {
  const auto* o = dynamic_cast<const DenseSampleGradients*>(&other);
  if (o == nullptr || o->rows_.rows() != rows_.rows() || o->rows_.cols() != rows_.cols())
    throw Error("DenseSampleGradients::difference_norms: other set has another type or shape");
  out = (rows_ - o->rows_).rowwise().norm();
}

void DenseSampleGradients::weighted_sum(const Eigen::VectorXd& w, Eigen::VectorXd& out) const {
  if (w.size() != rows_.rows()) throw Error("DenseSampleGradients::weighted_sum: wrong length");
  out.noalias() = rows_.transpose() * w;
}

}  // namespace descent::privacy
