// The registry of descent::surrogate's methods: SSO (Lavington, Vaswani et al., ICML 2023) and
// its direct baselines SGD, Adam and SLS, by name, with options read from key=value settings.
// Each runs the seeded training loop (trainer.hpp) on a model and a target loss.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/surrogate/direct.hpp"
#include "descent/surrogate/inner.hpp"
#include "descent/surrogate/loss.hpp"
#include "descent/surrogate/model.hpp"
#include "descent/surrogate/sso.hpp"
#include "descent/surrogate/trainer.hpp"

namespace descent::surrogate {

/// Trains θ (updated in place; model.initial_parameters(seed) is the usual start).
using Runner =
    std::function<Summary(const TargetModel& model, const TargetLoss& loss, Eigen::VectorXd& theta,
                          const Settings& settings, Callbacks callbacks)>;

enum class InnerMethod { armijo, sgd, adam };

/// SSO as the registry runs it: the loop's options, the outer step's and the inner optimiser's.
struct SsoMethodOptions {
  TrainOptions train;
  /// Target step η; unset ("auto"): batch_size / L, the bound below which the surrogate is a
  /// majorant of the batch loss (L: the loss's per-sample smoothness).
  std::optional<double> eta;
  SsoOptions sso;  ///< sso.eta is replaced by `eta`; total_steps 0 = the outer-step budget
  InnerMethod inner = InnerMethod::armijo;
  double lr = 0.1;  ///< the inner SGD/Adam step
  ArmijoOptions armijo;

  template <class Fields>
  void fields(Fields& f) {
    train.fields(f);
    f("eta", eta, "target step; auto = batch_size / L, the majorisation bound");
    f.choice("schedule", sso.schedule,
             {{"constant", EtaSchedule::constant},
              {"stochastic", EtaSchedule::stochastic},
              {"exponential", EtaSchedule::exponential}},
             "eta_t schedule");
    f("total_steps", sso.total_steps, "T of the exponential schedule; 0 = max_iterations");
    f("inner_steps", sso.inner_steps, "m, inner steps per outer step");
    f("inner_gradient_tolerance", sso.inner_gradient_tolerance,
      "stop the inner loop below this surrogate gradient norm; 0 = never");
    f("target_line_search", sso.line_search.enabled, "choose eta by Armijo in target space");
    f("target_line_search.c", sso.line_search.c, "sufficient decrease");
    f("target_line_search.beta", sso.line_search.beta, "shrink factor");
    f("target_line_search.expand", sso.line_search.expand, "next search starts at expand x eta");
    f("target_line_search.eta_min", sso.line_search.eta_min, "lower clamp");
    f("target_line_search.eta_max", sso.line_search.eta_max, "upper clamp");
    f.choice(
        "inner", inner,
        {{"armijo", InnerMethod::armijo}, {"sgd", InnerMethod::sgd}, {"adam", InnerMethod::adam}},
        "inner optimiser");
    f("lr", lr, "inner SGD/Adam step");
    f("armijo.initial_step", armijo.initial_step, "inner Armijo: first trial step");
    f("armijo.c", armijo.c, "inner Armijo: sufficient decrease");
    f("armijo.beta", armijo.beta, "inner Armijo: shrink factor");
    f("armijo.reset_each_outer_step", armijo.reset_each_outer_step,
      "inner Armijo: restart from initial_step each outer step");
  }
};

/// A direct baseline (method fixed by the registry entry) with the loop's options. Keys are the
/// field names the error messages use (step_size, adam.lr, sls_c, ...).
struct DirectMethodOptions {
  TrainOptions train;
  DirectOptions direct;

  template <class Fields>
  void fields(Fields& f) {
    train.fields(f);
    switch (direct.method) {
      case DirectMethod::sgd:
        f("step_size", direct.step_size, "alpha");
        break;
      case DirectMethod::adam:
        f("adam.lr", direct.adam.lr, "the step size");
        f("adam.beta1", direct.adam.beta1, "first-moment decay");
        f("adam.beta2", direct.adam.beta2, "second-moment decay");
        f("adam.eps", direct.adam.eps, "denominator floor");
        break;
      case DirectMethod::sls:
        f("sls_initial_step", direct.sls_initial_step, "the first trial step");
        f("sls_c", direct.sls_c, "sufficient decrease");
        f("sls_beta", direct.sls_beta, "shrink factor");
        f("sls_gamma", direct.sls_gamma, "reset factor gamma^(|S|/N)");
        f("sls_max_step", direct.sls_max_step, "cap on the reset step");
        break;
    }
  }
};

/// sso, sgd, adam, sls.
const MethodRegistry<Runner>& methods();

}  // namespace descent::surrogate
