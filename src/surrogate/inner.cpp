#include "descent/surrogate/inner.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::surrogate {

InnerSgd::InnerSgd(double step_size) : alpha_(step_size) {
  check::positive("step_size", step_size);
}

InnerStep InnerSgd::step(const Closure& closure, Eigen::VectorXd& theta) {
  Eigen::VectorXd g;
  InnerStep s;
  s.value = closure(theta, &g);
  s.evaluations = 1;
  s.gradient_norm = g.norm();
  s.step_size = alpha_;
  theta -= alpha_ * g;
  return s;
}

void ArmijoOptions::validate() const {
  check::positive("armijo.initial_step", initial_step);
  check::require(c > 0 && c < 1, "armijo.c", "must lie in (0, 1)");
  check::require(beta > 0 && beta < 1, "armijo.beta", "must lie in (0, 1)");
  check::require(expand >= 1, "armijo.expand", "must be >= 1");
  check::positive("armijo.min_step", min_step);
}

InnerArmijo::InnerArmijo(ArmijoOptions options) : o_(options), s_(options.initial_step) {
  o_.validate();
}

void InnerArmijo::begin_outer_step() {
  if (o_.reset_each_outer_step) s_ = o_.initial_step;
}

InnerStep InnerArmijo::step(const Closure& closure, Eigen::VectorXd& theta) {
  Eigen::VectorXd g;
  InnerStep st;
  st.value = closure(theta, &g);
  st.evaluations = 1;
  const double gg = g.squaredNorm();
  st.gradient_norm = std::sqrt(gg);
  double s = s_;
  Eigen::VectorXd trial(theta.size());
  for (std::size_t k = 0; k < o_.max_backtracks; ++k) {
    trial = theta - s * g;
    ++st.evaluations;
    if (closure(trial, nullptr) <= st.value - o_.c * s * gg) break;
    s *= o_.beta;
    if (s < o_.min_step) break;
  }
  theta -= s * g;
  st.step_size = s;
  s_ = s * o_.expand;
  return st;
}

void AdamOptions::validate() const {
  check::positive("adam.lr", lr);
  check::in_half_open("adam.beta1", beta1, 0.0, 1.0);
  check::in_half_open("adam.beta2", beta2, 0.0, 1.0);
  check::positive("adam.eps", eps);
}

void adam_update(const AdamOptions& o, std::size_t t, const Eigen::VectorXd& g, Eigen::VectorXd& m,
                 Eigen::VectorXd& v, Eigen::VectorXd& theta) {
  if (m.size() != g.size()) m = Eigen::VectorXd::Zero(g.size());
  if (v.size() != g.size()) v = Eigen::VectorXd::Zero(g.size());
  m = o.beta1 * m + (1 - o.beta1) * g;
  v = o.beta2 * v + (1 - o.beta2) * g.cwiseProduct(g);
  const double c1 = 1 - std::pow(o.beta1, double(t)), c2 = 1 - std::pow(o.beta2, double(t));
  // The LibTorch / PyTorch form: θ −= lr · (m/c1) / (sqrt(v/c2) + eps).
  theta.array() -= o.lr * (m.array() / c1) / ((v.array() / c2).sqrt() + o.eps);
}

InnerAdam::InnerAdam(AdamOptions options) : o_(options) {
  o_.validate();
}

void InnerAdam::begin_outer_step() {
  if (o_.reset_each_outer_step) {
    m_.resize(0);
    v_.resize(0);
    t_ = 0;
  }
}

InnerStep InnerAdam::step(const Closure& closure, Eigen::VectorXd& theta) {
  Eigen::VectorXd g;
  InnerStep s;
  s.value = closure(theta, &g);
  s.evaluations = 1;
  s.gradient_norm = g.norm();
  s.step_size = o_.lr;
  adam_update(o_, ++t_, g, m_, v_, theta);
  return s;
}

InnerCallable::InnerCallable(StepFn fn, std::string name, std::function<void()> begin)
    : fn_(std::move(fn)), name_(std::move(name)), begin_(std::move(begin)) {
  if (!fn_) throw Error("InnerCallable: empty step function");
}

void InnerCallable::begin_outer_step() {
  if (begin_) begin_();
}

InnerStep InnerCallable::step(const Closure& closure, Eigen::VectorXd& theta) {
  return fn_(closure, theta);
}

}  // namespace descent::surrogate
