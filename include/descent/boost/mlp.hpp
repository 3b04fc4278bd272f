// One-hidden-layer perceptrons in Eigen: GBNN's weak learner and merged model, and the Adam-trained
// MLP that GBNN is compared with. No LibTorch: descent::boost runs in every build.
//
// out(X) = act(X W1ᵀ + b1) W2ᵀ + b2, a linear output layer (the raw score F for GBNN; logits for
// the classifier baseline).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "descent/core/lbfgs.hpp"
#include "descent/core/rng.hpp"

namespace descent::boost {

enum class Activation { identity, logistic, tanh, relu };
std::string_view to_string(Activation a) noexcept;
/// "identity", "logistic", "tanh", "relu"; throws descent::InvalidOption("activation", ...).
Activation activation_from_string(std::string_view name);

struct Mlp {
  Eigen::MatrixXd w1;  ///< hidden × inputs
  Eigen::VectorXd b1;  ///< hidden
  Eigen::MatrixXd w2;  ///< outputs × hidden
  Eigen::VectorXd b2;  ///< outputs
  Activation activation = Activation::logistic;

  Eigen::Index inputs() const noexcept { return w1.cols(); }
  Eigen::Index hidden() const noexcept { return w1.rows(); }
  Eigen::Index outputs() const noexcept { return w2.rows(); }
  Eigen::Index parameter_count() const noexcept {
    return w1.size() + b1.size() + w2.size() + b2.size();
  }
  /// act(X W1ᵀ + b1): n × hidden.
  Eigen::MatrixXd hidden_layer(const Eigen::MatrixXd& x) const;
  /// n × outputs. Throws descent::Error if x has the wrong number of columns.
  Eigen::MatrixXd predict(const Eigen::MatrixXd& x) const;
  /// All weights in one vector (w1, b1, w2, b2; matrices column-major) and back.
  Eigen::VectorXd pack() const;
  void unpack(const Eigen::VectorXd& params);
};

/// scikit-learn's initialisation: every weight and bias U(−b, b) with b = √(c / (fan_in +
/// fan_out)) per layer, c = 2 for a logistic hidden layer and 6 otherwise.
Mlp glorot_mlp(Eigen::Index inputs, Eigen::Index hidden, Eigen::Index outputs,
               Activation activation, Rng& rng);

/// The squared-loss objective (1/2n)‖Y − out(X)‖²_F + α/(2n)(‖W1‖²_F + ‖W2‖²_F) at `params`
/// (layout of Mlp::pack, shapes from `shape`), with its gradient when `gradient` is not null.
/// For one output this is scikit-learn's MLPRegressor loss exactly; for K outputs sklearn
/// reports its loss divided by K but steps along the gradient of this one (its output delta is
/// not divided by K), so descent minimises the objective sklearn's gradient belongs to.
double squared_objective(const Mlp& shape, const Eigen::VectorXd& params, const Eigen::MatrixXd& x,
                         const Eigen::MatrixXd& y, double alpha, Eigen::VectorXd* gradient);

/// scikit-learn MLPRegressor(solver='lbfgs') defaults, as GBNN's official code sets them.
struct LbfgsFitOptions {
  double alpha = 1e-4;  ///< L2 penalty, >= 0
  int max_iter = 200;   ///< L-BFGS iterations, >= 1
  int max_fun = 15000;  ///< objective evaluations, >= 1
  double tol = 1e-4;    ///< on max |gradient| (scipy gtol); GBNN passes 0, >= 0
};

/// Fits m (from its current weights) to (x, y) by L-BFGS on squared_objective.
LbfgsResult fit_squared_lbfgs(Mlp& m, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                              const LbfgsFitOptions& options = {});

enum class OutputLoss {
  squared,        ///< regression: (1/2n)‖Y − out‖²
  cross_entropy,  ///< classification: softmax over the outputs, Y one-hot
};

/// scikit-learn MLPClassifier / MLPRegressor(solver='adam') defaults except `hidden`.
struct AdamFitOptions {
  Eigen::Index hidden = 100;  ///< hidden units, >= 1
  Activation activation = Activation::relu;
  double alpha = 1e-4;          ///< L2 penalty (scaled by 1/batch as in sklearn), >= 0
  int batch_size = 200;         ///< min(batch_size, n) rows per step, >= 1
  double learning_rate = 1e-3;  ///< > 0
  int max_iter = 200;           ///< epochs, >= 1
  double tol = 1e-4;            ///< stop after n_iter_no_change epochs without this
  int n_iter_no_change = 10;    ///<   much training-loss improvement, >= 1
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  std::uint64_t seed = 0;  ///< initial weights and batch order
};

struct AdamFit {
  Mlp model;
  int epochs = 0;
  double loss = 0.0;  ///< mean training loss of the last epoch (with the penalty)
};

/// Trains a one-hidden-layer MLP with Adam on mini-batches shuffled every epoch. y: n × outputs
/// (one-hot rows for cross_entropy).
AdamFit fit_adam(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, OutputLoss loss,
                 const AdamFitOptions& options);

/// Row-wise softmax (stable).
Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits);

}  // namespace descent::boost
