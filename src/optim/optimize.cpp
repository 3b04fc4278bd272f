#include "descent/optim/optimize.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

namespace descent::optim {

void OptimizeOptions::validate() const {
  rule.validate();
  check::non_negative("clip_norm", clip_norm);
  check::non_negative("clip_value", clip_value);
  check::gradient_loop(max_iterations, gradient_tolerance, divergence_factor, history_stride);
}

Summary minimize(const DifferentiableFunction& f, Eigen::VectorXd& x,
                 const OptimizeOptions& options, Callbacks callbacks) {
  options.validate();
  if (x.size() != f.dimension())
    throw Error("optim::minimize: x has " + std::to_string(x.size()) +
                " entries but the function has dimension " + std::to_string(f.dimension()));
  UpdateRule rule = options.rule;  // a copy: the schedule rewrites its lr
  const double base_lr = rule.get("lr");
  const auto n = static_cast<std::size_t>(x.size());
  Run run(rule.name(), n, options.max_iterations, {options.record_history, options.history_stride},
          callbacks);
  Summary& summary = run.summary();

  auto state = rule.init<double>(n);
  Eigen::VectorXd g(x.size());
  double fx = f.value_and_gradient(x, g);
  summary.function_evaluations = summary.gradient_evaluations = 1;
  const double blowup = options.divergence_factor * std::max(1.0, std::abs(fx));
  auto diverged = [&] {
    return !std::isfinite(fx) || !std::isfinite(g.norm()) || !x.allFinite() || fx > blowup;
  };

  for (std::size_t k = 1; k <= options.max_iterations; ++k) {
    const double gnorm = g.norm();
    if (diverged()) {
      run.end(Status::diverged, "objective became " + check::show(fx) + " at iteration " +
                                    std::to_string(k - 1) + "; reduce the learning rate");
      break;
    }
    if (options.gradient_tolerance > 0 && gnorm <= options.gradient_tolerance) {
      run.end(Status::converged, "gradient norm " + check::show(gnorm) + " <= gradient_tolerance");
      break;
    }
    if (options.clip_norm > 0) clip_by_norm<double>({g.data(), n}, options.clip_norm);
    if (options.clip_value > 0) clip_by_value<double>({g.data(), n}, options.clip_value);
    const double lr = base_lr * options.schedule.factor(static_cast<std::int64_t>(k));
    rule.set("lr", lr);
    rule.step<double>({x.data(), n}, {g.data(), n}, state);
    fx = f.value_and_gradient(x, g);
    ++summary.function_evaluations;
    ++summary.gradient_evaluations;

    IterationInfo info;
    info.iteration = k;
    info.objective = fx;
    info.gradient_norm = g.norm();
    info.step_size = lr;
    info.x = {x.data(), n};
    if (run.record(info)) break;
  }
  // A blow-up on the last update is still a divergence.
  if (!std::isfinite(fx) || !x.allFinite() || fx > blowup)
    run.end(Status::diverged, "objective became " + check::show(fx) + " at the last iteration");
  run.end(Status::max_iterations, "ran " + std::to_string(run.iterations()) + " updates");
  return run.finish(fx, g.norm());
}

}  // namespace descent::optim

namespace descent::optim {

namespace {

std::string paper_of(const std::string& rule) {
  if (rule == "sgd") return "Robbins, Monro, Ann. Math. Stat. 1951";
  if (rule == "momentum") return "Polyak, USSR Comput. Math. Math. Phys. 1964";
  if (rule == "nesterov") return "Sutskever, Martens, Dahl, Hinton, ICML 2013";
  if (rule == "adam") return "Kingma, Ba, ICLR 2015";
  if (rule == "adamw") return "Loshchilov, Hutter, ICLR 2019";
  if (rule == "normalized-momentum") return "Cutkosky, Mehta, ICML 2020";
  if (rule.rfind("diffgrad", 0) == 0) return "Dubey et al., IEEE TNNLS 2020";
  return "";
}

}  // namespace

const MethodRegistry<Runner>& methods() {
  static const MethodRegistry<Runner> registry = [] {
    MethodRegistry<Runner> r("optim");
    for (const std::string& name : UpdateRule::names()) {
      const auto base = [name] {
        OptimizeOptions o;
        o.rule = UpdateRule::make(name);
        return o;
      };
      r.add({name, "", paper_of(name), "Update rule '" + name + "' on a deterministic gradient"},
            option_docs_of(base()),
            [name, base](const DifferentiableFunction& f, Eigen::VectorXd& x, const Settings& s,
                         Callbacks cb) {
              return minimize(f, x, options_from(s, name, base()), std::move(cb));
            });
    }
    return r;
  }();
  return registry;
}

}  // namespace descent::optim
