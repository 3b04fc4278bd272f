#include "descent/surrogate/sso.hpp"

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::surrogate {

void SsoOptions::validate() const {
  check::positive("eta", eta);
  check::at_least("inner_steps", static_cast<long long>(inner_steps), 1);
  check::non_negative("inner_gradient_tolerance", inner_gradient_tolerance);
  check::require(schedule != EtaSchedule::exponential || total_steps > 0, "total_steps",
                 "must be > 0 for the exponential schedule");
  if (line_search.enabled) line_search.validate();
}

Sso::Sso(const TargetModel& model, const TargetLoss& loss, InnerOptimizer& inner,
         SsoOptions options)
    : model_(model), loss_(loss), inner_(inner), o_(options) {
  o_.validate();
  if (model_.outputs() != loss_.outputs())
    throw Error("Sso: the model has " + std::to_string(model_.outputs()) +
                " outputs but the loss expects " + std::to_string(loss_.outputs()));
}

std::string Sso::name() const {
  return "sso-" + inner_.name() + "-m" + std::to_string(o_.inner_steps);
}

OuterStep Sso::step(Eigen::VectorXd& theta, std::span<const Eigen::Index> batch) {
  ++t_;
  Eigen::MatrixXd z_t, g;
  model_.forward(theta, batch, z_t, nullptr);
  ++costs_.model_forward;
  const double loss_t = loss_.value_and_gradient(z_t, batch, g);
  ++costs_.expensive;

  double eta = o_.eta;
  if (o_.line_search.enabled) {
    const double start = t_ == 1 ? o_.eta : o_.line_search.expand * eta_search_;
    const auto at = [&](std::span<const double> zt) {
      const Eigen::Map<const Eigen::MatrixXd> zm(zt.data(), z_t.rows(), z_t.cols());
      return loss_.value(zm, batch);
    };
    eta_search_ =
        target_armijo(at, {z_t.data(), std::size_t(z_t.size())}, {g.data(), std::size_t(g.size())},
                      loss_t, start, o_.line_search, costs_.loss_values);
    eta = eta_search_;
  }
  eta = scheduled_eta(o_.schedule, eta, t_, o_.total_steps);

  // The surrogate as a closure: value g_t(θ) and gradient J_f(θ)ᵀ (G + (f_S(θ) − z_t)/η).
  ForwardState state;
  Eigen::MatrixXd z, w(z_t.rows(), z_t.cols());
  const Closure closure = [&](const Eigen::VectorXd& th, Eigen::VectorXd* grad) {
    model_.forward(th, batch, z, grad ? &state : nullptr);
    ++costs_.model_forward;
    const double value = loss_t + surrogate_terms({z.data(), std::size_t(z.size())},
                                                  {z_t.data(), std::size_t(z_t.size())},
                                                  {g.data(), std::size_t(g.size())}, eta,
                                                  {w.data(), std::size_t(w.size())});
    if (grad) {
      model_.backward(th, batch, state, w, *grad);
      ++costs_.model_backward;
    }
    return value;
  };

  inner_.begin_outer_step();
  OuterStep out{loss_t, eta, 0};
  for (std::size_t j = 0; j < o_.inner_steps; ++j) {
    const InnerStep s = inner_.step(closure, theta);
    ++out.inner_steps;
    ++costs_.inner_steps;
    if (s.gradient_norm <= o_.inner_gradient_tolerance) break;
  }
  return out;
}

}  // namespace descent::surrogate
