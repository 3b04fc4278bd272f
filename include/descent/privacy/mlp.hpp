// A one-hidden-layer softplus MLP with squared loss, and the synthetic teacher-student task.
//
// The model of the DIFF2 paper's experiments (Murata & Suzuki, ICML 2023: one hidden layer of
// softplus units, squared loss), written with closed-form per-sample gradients so that DP
// training needs no autograd: with h = W1 x + b1, f = w2 . softplus(h) + b2, e = f - y and loss
// e^2/2,
//   grad w2 = e softplus(h), grad b2 = e, delta = e w2 * sigmoid(h), grad W1 = delta x^T,
//   grad b1 = delta.
// The per-sample gradients are kept factored (delta_i, e_i softplus(h_i), e_i) and share x_i, so
// |g_i|^2 = |delta_i|^2 (|x_i|^2 + 1) + |a_i|^2 + e_i^2, exactly, for gradients and for
// differences of gradients at two points alike.
//
// Parameter layout (d = H*IN + 2H + 1): W1 row-major (row j = hidden unit j), b1, w2, b2.
#pragma once

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include "descent/core/rng.hpp"
#include "descent/privacy/objective.hpp"

namespace descent::privacy {

struct MlpShape {
  Eigen::Index inputs = 20;  ///< IN >= 1
  Eigen::Index hidden = 20;  ///< H >= 1
  Eigen::Index dimension() const noexcept { return hidden * inputs + 2 * hidden + 1; }
  /// Parses "mlp:IN-H-1[,softplus]" (or "IN-H-1") in the shared grammar (core/model_spec.hpp);
  /// the output layer must be 1. Throws descent::InvalidOption.
  static MlpShape parse(const std::string& spec);
  std::string to_string() const;  ///< "mlp:IN-H-1"
};

/// Standard initialisation: W1 ~ N(0, 1/IN), w2 ~ N(0, 1/H), biases 0.
Eigen::VectorXd mlp_initial_parameters(const MlpShape& shape, Rng& rng);

/// Predictions f(x_i) for the rows of X.
Eigen::VectorXd mlp_predict(const MlpShape& shape, const Eigen::VectorXd& params,
                            const Eigen::Ref<const Eigen::MatrixXd>& X);

/// The mean squared loss (1/n) sum (f(x_i) - y_i)^2 / 2 on one data set.
class MlpRegression final : public PrivateObjective {
 public:
  /// X: n x IN, y: n. Throws descent::Error on a shape mismatch or an empty set.
  MlpRegression(MlpShape shape, Eigen::MatrixXd X, Eigen::VectorXd y);

  const MlpShape& shape() const noexcept { return shape_; }
  const Eigen::MatrixXd& features() const noexcept { return X_; }
  const Eigen::VectorXd& targets() const noexcept { return y_; }

  Eigen::Index dimension() const override { return shape_.dimension(); }
  Eigen::Index samples() const override { return X_.rows(); }
  double loss(const Eigen::VectorXd& x) const override;
  double loss_and_gradient(const Eigen::VectorXd& x, Eigen::VectorXd& g) const override;
  std::unique_ptr<SampleGradients> make_sample_gradients() const override;
  void sample_gradients(const Eigen::VectorXd& x, SampleGradients& out) const override;

  /// The dense n x d per-sample gradients (a reference for tests; O(n d) memory).
  Eigen::MatrixXd sample_gradient_matrix(const Eigen::VectorXd& x) const;

 private:
  MlpShape shape_;
  Eigen::MatrixXd X_;
  Eigen::VectorXd y_;
  Eigen::VectorXd row_norm2_plus1_;  // |x_i|^2 + 1: the W1 and b1 blocks share delta_i
};

/// The synthetic regression task of the spec: x ~ N(0, I_IN) and y = teacher(x) + noise * N(0,1),
/// centred by the teacher's population mean, where the teacher is an MLP of the same shape with
/// W1 ~ N(0, 1/IN), w2 ~ N(0, 1/H) and zero biases. Each sample() stream is independent, so worker
/// p draws its records from stream p alone (every MPI rank can make its own data).
class TeacherTask {
 public:
  TeacherTask(MlpShape shape, std::uint64_t seed, double label_noise = 0.1);
  struct Data {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
  };
  /// n records from stream `stream` (use the worker index; the test set uses another key).
  Data sample(Eigen::Index n, std::uint64_t stream) const;
  const MlpShape& shape() const noexcept { return shape_; }
  const Eigen::VectorXd& teacher() const noexcept { return teacher_; }
  double centre() const noexcept { return centre_; }

 private:
  MlpShape shape_;
  std::uint64_t seed_;
  double noise_;
  Eigen::VectorXd teacher_;
  double centre_ = 0;
};

/// The stream key TeacherTask::sample uses for the test set in descent's tools.
inline constexpr std::uint64_t kTestStream = 0x7e57'0000'0000ULL;

}  // namespace descent::privacy
