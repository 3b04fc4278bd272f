// Inner optimisers for SSO: any deterministic method that takes steps on a closure.
//
// J. W. Lavington, S. Vaswani et al., "Target-based Surrogates for Stochastic Optimization",
// ICML 2023: SSO builds the surrogate g_t as a closure and lets *any* optimiser take m steps on
// it. An InnerOptimizer sees only the closure, never the model or the loss, so user code plugs in
// its own method through InnerCallable (or by subclassing).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <Eigen/Core>

namespace descent::surrogate {

/// Evaluates the function at θ and, when `gradient` is not null, its gradient there.
using Closure = std::function<double(const Eigen::VectorXd& theta, Eigen::VectorXd* gradient)>;

/// What one inner step reports: the closure value and gradient norm at the starting point, the
/// step taken and the closure calls it made.
struct InnerStep {
  double value = 0.0;
  double gradient_norm = 0.0;
  double step_size = 0.0;
  std::size_t evaluations = 0;
};

class InnerOptimizer {
 public:
  virtual ~InnerOptimizer() = default;
  virtual std::string name() const = 0;
  /// Called once per outer step, before its first inner step (reset per-surrogate state).
  virtual void begin_outer_step() {}
  /// One step from θ (updated in place).
  virtual InnerStep step(const Closure& closure, Eigen::VectorXd& theta) = 0;
};

/// θ ← θ − α ∇g(θ). With m = 1 this makes SSO exactly SGD with step α.
class InnerSgd : public InnerOptimizer {
 public:
  explicit InnerSgd(double step_size);  ///< α > 0
  std::string name() const override { return "sgd"; }
  InnerStep step(const Closure& closure, Eigen::VectorXd& theta) override;

 private:
  double alpha_;
};

/// Armijo backtracking (the reference code's LSOpt, i.e. SLS of Vaswani et al., NeurIPS 2019):
/// try s, accept if g(θ − s∇g) <= g(θ) − c·s·‖∇g‖², else s ← beta·s (at most max_backtracks, or
/// until s < min_step); then θ ← θ − s∇g.
struct ArmijoOptions {
  double initial_step = 10.0;         ///< start of each outer step (reference init_step_size = 10)
  double c = 0.5;                     ///< sufficient decrease (reference LSOpt default 0.5)
  double beta = 0.9;                  ///< shrink factor (reference beta_update 0.9)
  double expand = 1.0;                ///< next inner step starts at expand·s (1 = reuse s)
  std::size_t max_backtracks = 100;   ///< reference 100
  double min_step = 1e-6;             ///< reference: stop shrinking below 1e-6
  bool reset_each_outer_step = true;  ///< reference reset_lr_on_step = 1
  void validate() const;
};
class InnerArmijo : public InnerOptimizer {
 public:
  explicit InnerArmijo(ArmijoOptions options = {});
  std::string name() const override { return "armijo"; }
  void begin_outer_step() override;
  InnerStep step(const Closure& closure, Eigen::VectorXd& theta) override;

 private:
  ArmijoOptions o_;
  double s_;
};

/// Adam (Kingma & Ba, ICLR 2015) on the closure; moments persist across outer steps unless
/// reset_each_outer_step.
struct AdamOptions {
  double lr = 1e-3;  ///< LibTorch default 1e-3
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  bool reset_each_outer_step = false;
  void validate() const;
};
class InnerAdam : public InnerOptimizer {
 public:
  explicit InnerAdam(AdamOptions options = {});
  std::string name() const override { return "adam"; }
  void begin_outer_step() override;
  InnerStep step(const Closure& closure, Eigen::VectorXd& theta) override;

 private:
  AdamOptions o_;
  Eigen::VectorXd m_, v_;
  std::size_t t_ = 0;
};

/// Any user function as an inner optimiser.
class InnerCallable : public InnerOptimizer {
 public:
  using StepFn = std::function<InnerStep(const Closure&, Eigen::VectorXd&)>;
  InnerCallable(StepFn fn, std::string name = "user", std::function<void()> begin = {});
  std::string name() const override { return name_; }
  void begin_outer_step() override;
  InnerStep step(const Closure& closure, Eigen::VectorXd& theta) override;

 private:
  StepFn fn_;
  std::string name_;
  std::function<void()> begin_;
};

/// The Adam update on one vector, shared with the direct (non-surrogate) baseline.
void adam_update(const AdamOptions& o, std::size_t t, const Eigen::VectorXd& g, Eigen::VectorXd& m,
                 Eigen::VectorXd& v, Eigen::VectorXd& theta);

}  // namespace descent::surrogate
