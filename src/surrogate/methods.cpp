#include "descent/surrogate/methods.hpp"

#include <memory>

#include "descent/core/options.hpp"

namespace descent::surrogate {

namespace {

Summary run_sso(const TargetModel& model, const TargetLoss& loss, Eigen::VectorXd& theta,
                const Settings& settings, Callbacks callbacks) {
  SsoMethodOptions o = options_from<SsoMethodOptions>(settings, "sso");
  o.train.validate();
  if (o.eta) check::positive("eta", *o.eta);
  o.sso.eta = o.eta.value_or(double(o.train.batch_size) / loss.sample_smoothness());
  if (o.sso.total_steps == 0) o.sso.total_steps = o.train.outer_steps;
  std::unique_ptr<InnerOptimizer> inner;
  switch (o.inner) {
    case InnerMethod::sgd:
      check::positive("lr", o.lr);
      inner = std::make_unique<InnerSgd>(o.lr);
      break;
    case InnerMethod::adam:
      check::positive("lr", o.lr);
      inner = std::make_unique<InnerAdam>(AdamOptions{.lr = o.lr});
      break;
    case InnerMethod::armijo:
      inner = std::make_unique<InnerArmijo>(o.armijo);
      break;
  }
  Sso stepper(model, loss, *inner, o.sso);
  return train(stepper, model, loss, theta, o.train, std::move(callbacks));
}

DirectMethodOptions direct_base(DirectMethod method) {
  DirectMethodOptions o;
  o.direct.method = method;
  // descent sso's --lr has always set both baselines' step (0.1); LibTorch's Adam default, 1e-3,
  // barely moves in the few hundred steps these runs take.
  if (method == DirectMethod::adam) o.direct.adam.lr = 0.1;
  return o;
}

Runner direct(DirectMethod method, const char* name) {
  return [method, name](const TargetModel& model, const TargetLoss& loss, Eigen::VectorXd& theta,
                        const Settings& settings, Callbacks callbacks) {
    const DirectMethodOptions o = options_from(settings, name, direct_base(method));
    DirectStepper stepper(model, loss, o.direct);
    return train(stepper, model, loss, theta, o.train, std::move(callbacks));
  };
}

}  // namespace

const MethodRegistry<Runner>& methods() {
  static const MethodRegistry<Runner> registry = [] {
    MethodRegistry<Runner> r("surrogate");
    r.add({"sso", "",
           "Lavington, Vaswani et al., Target-based Surrogates for Stochastic Optimization, "
           "ICML 2023",
           "Outer step in target space, m cheap inner steps on a surrogate"},
          option_docs<SsoMethodOptions>, run_sso);
    r.add({"sgd", "", "", "SGD on the batch loss (one expensive evaluation per step)"},
          option_docs_of(direct_base(DirectMethod::sgd)), direct(DirectMethod::sgd, "sgd"));
    r.add({"adam", "", "Kingma, Ba, ICLR 2015 (baseline)", "Adam on the batch loss"},
          option_docs_of(direct_base(DirectMethod::adam)), direct(DirectMethod::adam, "adam"));
    r.add({"sls", "", "Vaswani et al., NeurIPS 2019 (baseline)",
           "Stochastic Armijo line search on the batch loss"},
          option_docs_of(direct_base(DirectMethod::sls)), direct(DirectMethod::sls, "sls"));
    return r;
  }();
  return registry;
}

}  // namespace descent::surrogate
