// Logistic and softmax regression with L2 regularisation, as second-order oracles.
//
// The GLM objectives of A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for
// Optimization with Approximate Hessians", arXiv:2506.13710, 2025 (ICLR 2026), for which the
// paper proves global linear rates of its method:
//   logistic  f(w) = (1/m) Σ_i [log(1 + exp(z_i)) − y_i z_i] + (reg/2)||w||²,  z = Xw, y ∈ {0,1}
//   softmax   f(W) = (1/m) Σ_i [logsumexp(Wᵀx_i) − w_{y_i}ᵀ x_i] + (reg/2)||W||_F²
// The softmax parameter is vec(W) with W (d x K) stored column by column: class k occupies
// entries [k d, (k + 1) d).
// Approximations offered (the paper's exact choice for these problems was not verified, so both
// are named by what they are, not as "the paper's"):
//   wgn    weighted Gauss–Newton, the LogSumExp construction applied per sample: drop −p pᵀ from
//          diag(p) − p pᵀ. For softmax this makes H̃ block diagonal over classes; for logistic
//          (logsumexp over {0, z}) it gives (1/m) Xᵀ diag(σ) X. H̃ ⪰ ∇²f.
//   bound  Böhning's constant curvature bound: XᵀX/(4m) (logistic), ½(I − 11ᵀ/K) ⊗ XᵀX/m
//          (softmax). H̃ ⪰ ∇²f everywhere but is a poor model near a solution whose
//          probabilities saturate (the method then behaves like a preconditioned gradient method).
// Both add reg·I.
#pragma once

#include <string>

#include <Eigen/Core>

#include "descent/problems/oracle.hpp"

namespace descent::problems {

class LogisticRegression : public Oracle {
 public:
  /// x: m x d design (include an intercept column yourself), y: labels in {0, 1}, reg >= 0.
  /// Throws descent::Error on bad shapes or labels.
  LogisticRegression(Eigen::MatrixXd x, Eigen::VectorXd y, double reg = 1e-4);
  std::string name() const override { return "logistic-regression"; }
  Eigen::Index dimension() const override { return x_.cols(); }
  double value(const Eigen::VectorXd& w) const override;
  void gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const override;
  double value_and_gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const override;
  void hessian(const Eigen::VectorXd& w, Eigen::MatrixXd& h) const override;
  std::vector<HessianApproximation> approximations() const override {
    return {HessianApproximation::weighted_gauss_newton, HessianApproximation::bound};
  }
  const Eigen::MatrixXd& design() const noexcept { return x_; }
  const Eigen::VectorXd& labels() const noexcept { return y_; }
  double regularization() const noexcept { return reg_; }

 protected:
  void approximation(const Eigen::VectorXd& w, HessianApproximation a,
                     Eigen::MatrixXd& h) const override;

 private:
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  double reg_;
};

class SoftmaxRegression : public Oracle {
 public:
  /// x: m x d design, labels: class indices 0..classes−1, classes >= 2, reg >= 0.
  SoftmaxRegression(Eigen::MatrixXd x, Eigen::VectorXd labels, int classes, double reg = 1e-3);
  std::string name() const override { return "softmax-regression"; }
  Eigen::Index dimension() const override { return x_.cols() * classes_; }
  double value(const Eigen::VectorXd& w) const override;
  void gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const override;
  double value_and_gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const override;
  void hessian(const Eigen::VectorXd& w, Eigen::MatrixXd& h) const override;
  std::vector<HessianApproximation> approximations() const override {
    return {HessianApproximation::weighted_gauss_newton, HessianApproximation::bound};
  }
  int classes() const noexcept { return classes_; }
  double regularization() const noexcept { return reg_; }

 protected:
  void approximation(const Eigen::VectorXd& w, HessianApproximation a,
                     Eigen::MatrixXd& h) const override;

 private:
  // Row-wise class probabilities P (m x K) and the mean loss (without the regulariser).
  double probabilities(const Eigen::VectorXd& w, Eigen::MatrixXd& p) const;
  Eigen::MatrixXd x_;
  Eigen::VectorXi labels_;
  int classes_;
  double reg_;
};

/// Reads a classification data set for the regression oracles: a name known to
/// descent::data::load (breast-cancer, digits, ...), a LIBSVM file (.svm, .libsvm, .svmlight,
/// .txt) or a CSV whose last column is the label. Features are standardised and an intercept
/// column of ones is appended. Labels are mapped to 0..K−1 in sorted order of their values.
struct ClassificationData {
  Eigen::MatrixXd design;  ///< m x (d + 1), last column = 1
  Eigen::VectorXd labels;  ///< 0..classes−1
  int classes = 0;
  std::string source;
};
ClassificationData load_classification(const std::string& name_or_file);

}  // namespace descent::problems
