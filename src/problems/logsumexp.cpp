#include "descent/problems/logsumexp.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::problems {

LogSumExp::LogSumExp(Eigen::MatrixXd a, Eigen::VectorXd b, double mu)
    : a_(std::move(a)), b_(std::move(b)), mu_(mu) {
  if (a_.rows() != b_.size() || a_.rows() == 0 || a_.cols() == 0)
    throw Error("LogSumExp: A is " + std::to_string(a_.rows()) + " x " + std::to_string(a_.cols()) +
                " but b has " + std::to_string(b_.size()) + " entries");
  if (!(mu_ > 0) || !std::isfinite(mu_)) throw Error("LogSumExp: mu must be finite and > 0");
}

LogSumExp LogSumExp::with_zero_optimum(const Eigen::MatrixXd& a, const Eigen::VectorXd& b,
                                       double mu) {
  LogSumExp f(a, b, mu);
  Eigen::VectorXd g0;
  f.gradient(Eigen::VectorXd::Zero(a.cols()), g0);
  Eigen::MatrixXd shifted = a.rowwise() - g0.transpose();
  return LogSumExp(std::move(shifted), b, mu);
}

double LogSumExp::softmax(const Eigen::VectorXd& x, Eigen::VectorXd& pi) const {
  check_dimension(x, "softmax");
  pi.noalias() = a_ * x;
  pi = (pi - b_) / mu_;
  const double top = pi.maxCoeff();  // shift by the largest exponent: no overflow
  pi = (pi.array() - top).exp();
  const double sum = pi.sum();
  pi /= sum;
  return mu_ * (top + std::log(sum));
}

double LogSumExp::value(const Eigen::VectorXd& x) const {
  Eigen::VectorXd pi;
  return softmax(x, pi);
}

void LogSumExp::gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
  value_and_gradient(x, g);
}

double LogSumExp::value_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const {
  Eigen::VectorXd pi;
  const double f = softmax(x, pi);
  g.noalias() = a_.transpose() * pi;
  return f;
}

namespace {
// (1/μ) Aᵀ diag(π) A via a symmetric rank-k update (half the flops of a general product).
void weighted_gram(const Eigen::MatrixXd& a, const Eigen::VectorXd& pi, double mu,
                   Eigen::MatrixXd& h) {
  const Eigen::MatrixXd scaled = a.array().colwise() * pi.array().sqrt();
  h.setZero(a.cols(), a.cols());
  h.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose(), 1.0 / mu);
  h.triangularView<Eigen::StrictlyUpper>() = h.transpose();
}
}  // namespace

void LogSumExp::hessian(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const {
  Eigen::VectorXd pi;
  softmax(x, pi);
  weighted_gram(a_, pi, mu_, h);
  const Eigen::VectorXd g = a_.transpose() * pi;
  h.noalias() -= (g * g.transpose()) / mu_;
}

void LogSumExp::approximation(const Eigen::VectorXd& x, HessianApproximation,
                              Eigen::MatrixXd& h) const {
  Eigen::VectorXd pi;
  softmax(x, pi);
  weighted_gram(a_, pi, mu_, h);
}

LogSumExp make_random_logsumexp(Eigen::Index m, Eigen::Index n, double mu, std::uint64_t seed,
                                Eigen::MatrixXd* original) {
  if (m <= 0 || n <= 0) throw Error("make_random_logsumexp: m and n must be > 0");
  Rng rng = make_rng(seed, {0x15e});
  const Eigen::MatrixXd a = uniform_matrix(rng, m, n, -1.0, 1.0);
  const Eigen::VectorXd b = uniform_vector(rng, m, -1.0, 1.0);
  if (original) *original = a;
  return LogSumExp::with_zero_optimum(a, b, mu);
}

}  // namespace descent::problems
