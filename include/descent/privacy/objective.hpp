// What a private optimizer needs from a model and one worker's data: the mean loss and gradient,
// and per-sample gradients in a form that can be clipped and averaged.
//
// Per-sample gradients are an interface rather than an n x d matrix so that a model can keep them
// factored: for a one-hidden-layer MLP, g_i = (delta_i x_i^T, delta_i, a_i, e_i), whose norm and
// weighted sums cost O(n (H + IN)) and one H x IN GEMM instead of O(n d) memory traffic.
#pragma once

#include <memory>

#include <Eigen/Core>

namespace descent::privacy {

/// The per-sample gradients of one worker's records at one point.
class SampleGradients {
 public:
  virtual ~SampleGradients() = default;
  virtual Eigen::Index samples() const = 0;
  virtual Eigen::Index dimension() const = 0;
  /// out[i] = |g_i|_2.
  virtual void norms(Eigen::VectorXd& out) const = 0;
  /// out[i] = |g_i - h_i|_2 where h = `other`, computed by the same model on the same records
  /// (throws descent::Error if it is not).
  virtual void difference_norms(const SampleGradients& other, Eigen::VectorXd& out) const = 0;
  /// out = sum_i w_i g_i (length dimension()).
  virtual void weighted_sum(const Eigen::VectorXd& w, Eigen::VectorXd& out) const = 0;
};

/// Per-sample gradients stored as the rows of an n x d matrix: the generic form for any model.
class DenseSampleGradients final : public SampleGradients {
 public:
  DenseSampleGradients() = default;
  explicit DenseSampleGradients(Eigen::MatrixXd rows) : rows_(std::move(rows)) {}
  Eigen::MatrixXd& rows() noexcept { return rows_; }
  const Eigen::MatrixXd& rows() const noexcept { return rows_; }
  Eigen::Index samples() const override { return rows_.rows(); }
  Eigen::Index dimension() const override { return rows_.cols(); }
  void norms(Eigen::VectorXd& out) const override;
  void difference_norms(const SampleGradients& other, Eigen::VectorXd& out) const override;
  void weighted_sum(const Eigen::VectorXd& w, Eigen::VectorXd& out) const override;

 private:
  Eigen::MatrixXd rows_;
};

/// One worker's private objective f_p(x) = (1/n) sum_{z in D_p} l(x, z).
class PrivateObjective {
 public:
  virtual ~PrivateObjective() = default;
  virtual Eigen::Index dimension() const = 0;
  /// n: the records of this worker (the n in the privacy guarantee).
  virtual Eigen::Index samples() const = 0;
  virtual double loss(const Eigen::VectorXd& x) const = 0;
  /// The mean loss and its (unclipped) gradient.
  virtual double loss_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const = 0;
  /// An empty container of the right kind for sample_gradients().
  virtual std::unique_ptr<SampleGradients> make_sample_gradients() const = 0;
  /// Fills `out` (made by make_sample_gradients) with the per-sample gradients at x.
  virtual void sample_gradients(const Eigen::VectorXd& x, SampleGradients& out) const = 0;
};

}  // namespace descent::privacy
