// Losses on targets z for SSO: ℓ_S(z) = (1/|S|) Σ_{i∈S} ℓ_i(z_i), mean-reduced over the batch.
//
// J. W. Lavington, S. Vaswani et al., "Target-based Surrogates for Stochastic Optimization",
// ICML 2023: the gradient ∇_z ℓ_S is the *expensive* oracle (one call per outer step). The
// reference code uses sum-reduced losses; we use the mean so that step sizes do not scale with
// the batch — conversions are in kernel.hpp (eta_from_reference_code).
//
// sample_smoothness() is the per-sample constant L with ∇²ℓ_i ⪯ L·I, so ℓ_S is (L/|S|)-smooth and
// the surrogate with η <= |S|/L majorises ℓ_S ∘ f_S.
#pragma once

#include <memory>
#include <span>
#include <string>

#include <Eigen/Core>

namespace descent::surrogate {

class TargetLoss {
 public:
  virtual ~TargetLoss() = default;
  virtual std::string name() const = 0;
  virtual Eigen::Index outputs() const = 0;  ///< K targets per sample
  virtual double sample_smoothness() const = 0;
  /// ℓ_S(z) for the rows `batch` of the labels (z is |batch| x K).
  virtual double value(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch) const = 0;
  /// ℓ_S(z) and g = ∇_z ℓ_S(z) (|batch| x K): the expensive call.
  virtual double value_and_gradient(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch,
                                    Eigen::MatrixXd& g) const = 0;
};

/// Binary logistic loss on one logit: ℓ_i(z) = log(1 + e^z) − y_i z, y ∈ {0, 1}; L = 1/4.
class LogisticLoss : public TargetLoss {
 public:
  explicit LogisticLoss(Eigen::VectorXd labels);
  std::string name() const override { return "logistic"; }
  Eigen::Index outputs() const override { return 1; }
  double sample_smoothness() const override { return 0.25; }
  double value(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch) const override;
  double value_and_gradient(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch,
                            Eigen::MatrixXd& g) const override;

 private:
  Eigen::VectorXd y_;
};

/// Softmax cross-entropy on K logits, labels 0..K−1; L = 1/2 (λ_max(diag(p) − ppᵀ) <= 1/2).
class CrossEntropyLoss : public TargetLoss {
 public:
  CrossEntropyLoss(Eigen::VectorXd labels, Eigen::Index classes);
  std::string name() const override { return "cross-entropy"; }
  Eigen::Index outputs() const override { return k_; }
  double sample_smoothness() const override { return 0.5; }
  double value(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch) const override;
  double value_and_gradient(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch,
                            Eigen::MatrixXd& g) const override;

 private:
  Eigen::VectorXi y_;
  Eigen::Index k_;
};

/// Squared loss ℓ_i(z) = ½‖z − y_i‖² against targets Y (N x K); L = 1.
class SquaredLoss : public TargetLoss {
 public:
  explicit SquaredLoss(std::shared_ptr<const Eigen::MatrixXd> targets);
  std::string name() const override { return "squared"; }
  Eigen::Index outputs() const override { return y_->cols(); }
  double sample_smoothness() const override { return 1.0; }
  double value(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch) const override;
  double value_and_gradient(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch,
                            Eigen::MatrixXd& g) const override;

 private:
  std::shared_ptr<const Eigen::MatrixXd> y_;
};

}  // namespace descent::surrogate
