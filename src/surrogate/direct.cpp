#include "descent/surrogate/direct.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::surrogate {

void DirectOptions::validate() const {
  check::positive("step_size", step_size);
  adam.validate();
  check::positive("sls_initial_step", sls_initial_step);
  check::require(sls_c > 0 && sls_c < 1, "sls_c", "must lie in (0, 1)");
  check::require(sls_beta > 0 && sls_beta < 1, "sls_beta", "must lie in (0, 1)");
  check::require(sls_gamma >= 1, "sls_gamma", "must be >= 1");
  check::positive("sls_min_step", sls_min_step);
  check::require(sls_max_step >= sls_min_step, "sls_max_step", "must be >= sls_min_step");
}

DirectStepper::DirectStepper(const TargetModel& model, const TargetLoss& loss,
                             DirectOptions options)
    : model_(model), loss_(loss), o_(options), s_(options.sls_initial_step) {
  o_.validate();
  if (model_.outputs() != loss_.outputs())
    throw Error("DirectStepper: the model has " + std::to_string(model_.outputs()) +
                " outputs but the loss expects " + std::to_string(loss_.outputs()));
}

std::string DirectStepper::name() const {
  switch (o_.method) {
    case DirectMethod::sgd:
      return "sgd";
    case DirectMethod::adam:
      return "adam";
    case DirectMethod::sls:
      return "sls";
  }
  return "sgd";
}

OuterStep DirectStepper::step(Eigen::VectorXd& theta, std::span<const Eigen::Index> batch) {
  ++t_;
  ForwardState state;
  Eigen::MatrixXd z, g;
  model_.forward(theta, batch, z, &state);
  ++costs_.model_forward;
  const double loss = loss_.value_and_gradient(z, batch, g);
  ++costs_.expensive;
  Eigen::VectorXd grad;
  model_.backward(theta, batch, state, g, grad);
  ++costs_.model_backward;

  OuterStep out{loss, 0.0, 0};
  switch (o_.method) {
    case DirectMethod::sgd:
      theta -= o_.step_size * grad;
      out.eta = o_.step_size;
      break;
    case DirectMethod::adam:
      adam_update(o_.adam, t_, grad, m_, v_, theta);
      out.eta = o_.adam.lr;
      break;
    case DirectMethod::sls: {
      const double gg = grad.squaredNorm();
      double s =
          std::min(o_.sls_max_step,
                   s_ * std::pow(o_.sls_gamma, double(batch.size()) / double(model_.samples())));
      Eigen::VectorXd trial(theta.size());
      Eigen::MatrixXd zt;
      for (std::size_t k = 0; k < o_.sls_max_backtracks; ++k) {
        trial = theta - s * grad;
        model_.forward(trial, batch, zt, nullptr);
        ++costs_.model_forward;
        ++costs_.loss_values;
        if (loss_.value(zt, batch) <= loss - o_.sls_c * s * gg) break;
        if (s * o_.sls_beta < o_.sls_min_step) break;
        s *= o_.sls_beta;
      }
      theta -= s * grad;
      s_ = s;
      out.eta = s;
      break;
    }
  }
  return out;
}

}  // namespace descent::surrogate
