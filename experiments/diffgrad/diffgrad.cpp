// Reproduction `diffgrad`: diffGrad vs Adam on the paper's 1-D functions and on small networks.
//
// S. R. Dubey, S. Chakraborty, S. K. Roy, S. Mukherjee, S. K. Singh, B. B. Chaudhuri, "diffGrad:
// An Optimization Method for Convolutional Neural Networks", IEEE TNNLS 31(11), 2020.
//
// Part 1 (synthetic, notebook protocol): x0 = -1, 299 updates, lr 0.1, beta1 0.95, beta2 0.999,
// eps 1e-8, deterministic gradients, on F1, F2 (exact gradient), F2 with the notebook's wrong
// gradient and F3; optimizers Adam, diffGrad (fixed), diffGrad with the published aliasing bug
// (legacy) and Adam at lr/2 (what the bug amounts to). x-trajectories are plotted.
// Part 2 (networks, CIFAR substitute): MLP 784-128-10 on Fashion-MNIST and on MNIST-10k, Adam vs
// diffGrad (fixed), batch 64, lr 1e-3, 3 seeds; the small CNN on Fashion-MNIST in the full run.
// --quick trains on a 15k Fashion-MNIST subset for 4 epochs (claims labelled as quick) and skips
// MNIST-10k and the CNN.
#include <cmath>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/optim/synthetic.hpp"
#ifdef DESCENT_DIFFGRAD_NETWORKS
#include "descent/train/run.hpp"
#endif

namespace descent::experiments {
namespace {

std::string fmt(double v, const char* f = "%.4g") {
  return format_number(v, f);
}

// ---- Part 1: the synthetic functions --------------------------------------------------------

struct Trajectory {
  std::vector<double> x;  // x_0 .. x_299
  Status status = Status::failed;
};

Trajectory run_notebook(const std::string& problem, const std::string& rule, double lr) {
  auto f = optim::make_synthetic(problem);
  optim::OptimizeOptions o;
  o.rule = optim::UpdateRule::make(rule);
  o.rule.set("lr", lr);
  o.rule.set("beta1", 0.95);
  o.rule.set("beta2", 0.999);
  o.rule.set("eps", 1e-8);
  o.max_iterations = 299;  // the notebook's 300-iteration loop performs 299 updates
  Eigen::VectorXd x = f->initial_point();
  Trajectory t;
  t.x.push_back(x[0]);
  Callbacks cbs;
  struct Rec : Callback {
    std::vector<double>* xs;
    bool iteration(const IterationInfo& i) override {
      xs->push_back(i.x[0]);
      return false;
    }
  };
  auto rec = std::make_shared<Rec>();
  rec->xs = &t.x;
  cbs.add(rec);
  t.status = optim::minimize(*f, x, o, cbs).status;
  return t;
}

double last_std(const std::vector<double>& x, std::size_t k) {
  const std::size_t n = std::min(k, x.size());
  double mean = 0, sq = 0;
  for (std::size_t i = x.size() - n; i < x.size(); ++i) mean += x[i];
  mean /= double(n);
  for (std::size_t i = x.size() - n; i < x.size(); ++i) sq += (x[i] - mean) * (x[i] - mean);
  return std::sqrt(sq / double(n));
}

void synthetic(Report& report, const ExperimentConfig& cfg) {
  constexpr double lr = 0.1;
  struct Opt {
    std::string key, rule, label;
    double lr;
  };
  const std::vector<Opt> opts = {
      {"adam", "adam", "Adam (lr 0.1)", lr},
      {"diffgrad", "diffgrad", "diffGrad fixed (lr 0.1)", lr},
      {"diffgrad_legacy", "diffgrad-legacy", "diffGrad legacy alias bug (lr 0.1)", lr},
      {"adam_half", "adam", "Adam (lr 0.05)", lr / 2}};
  const std::vector<std::pair<std::string, std::string>> problems = {
      {"f1", "f1"}, {"f2exact", "f2"}, {"f2notebook", "f2-notebook"}, {"f3", "f3"}};
  for (const auto& [key, problem] : problems) {
    auto f = optim::make_synthetic(problem);
    const double xstar = f->optimum()[0];
    Eigen::MatrixXd table(300, 1 + opts.size());
    std::vector<std::string> cols = {"iteration"};
    for (int k = 0; k < 300; ++k) table(k, 0) = k;
    Plot plot;
    plot.file = "trajectory_" + key + ".png";
    plot.title = problem + ": x against iteration (x* = " + fmt(xstar) + ")";
    plot.xlabel = "iteration";
    plot.ylabel = "x";
    for (std::size_t j = 0; j < opts.size(); ++j) {
      const Trajectory t = run_notebook(problem, opts[j].rule, opts[j].lr);
      if (t.x.size() != 300)
        throw Error("diffgrad: " + opts[j].key + " on " + problem + " stopped early (" +
                    std::string(to_string(t.status)) + ")");
      for (int k = 0; k < 300; ++k) table(k, 1 + j) = t.x[k];
      cols.push_back(opts[j].key);
      const double xf = t.x.back();
      Eigen::VectorXd xv = Eigen::VectorXd::Constant(1, xf);
      report.metric(key + "." + opts[j].key + "_final_x", xf);
      report.metric(key + "." + opts[j].key + "_final_f", f->value(xv));
      report.metric(key + "." + opts[j].key + "_last50_std", last_std(t.x, 50));
      plot.series.push_back(
          {"trajectory_" + key + ".csv", "iteration", opts[j].key, opts[j].label});
    }
    io::write_csv(cfg.out_dir + "/trajectory_" + key + ".csv", table, cols);
    report.plots.push_back(plot);
    report.metric(key + ".x_star", xstar);
  }
  auto m = [&](const std::string& k) { return report.metrics.at(k); };

  const double f1d = m("f1.diffgrad_final_x"), f1a = m("f1.adam_final_x");
  report.check("f1_diffgrad_global", "F1: diffGrad (fixed) ends in the global minimum x = -0.3",
               "reaches -0.3 (Fig. 4); prototype -0.3001", "x_299 = " + fmt(f1d, "%.6f"),
               std::abs(f1d + 0.3) < 1e-3, "held iff |x + 0.3| < 1e-3");
  report.check("f1_adam_local", "F1: Adam overshoots into the local minimum x = 0.2",
               "stuck at 0.2 (Fig. 4); prototype 0.2001", "x_299 = " + fmt(f1a, "%.6f"),
               std::abs(f1a - 0.2) < 1e-3, "held iff |x - 0.2| < 1e-3");
  const double xs = m("f2exact.x_star"), f2d = m("f2exact.diffgrad_final_x"),
               f2a = m("f2exact.adam_final_x");
  report.check("f2exact_diffgrad_global",
               "F2 (exact gradient): diffGrad reaches the global minimum x* ~ -0.643",
               "global minimum (Fig. 4); prototype -0.6430",
               "x_299 = " + fmt(f2d, "%.6f") + " (x* = " + fmt(xs, "%.6f") + ")",
               std::abs(f2d - xs) < 2e-3, "held iff |x - x*| < 2e-3");
  report.check("f2exact_adam_local", "F2 (exact gradient): Adam stops at the local minimum near 0",
               "local minimum (Fig. 4); prototype 0.0001", "x_299 = " + fmt(f2a, "%.6f"),
               std::abs(f2a) < 1e-3, "held iff |x| < 1e-3");
  const double h1 = m("f1.adam_half_final_x"), h2 = m("f2exact.adam_half_final_x");
  report.check("synthetic_gain_is_step_size",
               "Known pitfall (spec 1.2.6): Adam at lr/2 gets the same F1/F2 benefit, so the "
               "synthetic gain is a step-size effect",
               "spec prototype: Adam lr/2 -> -0.3003 (F1), -0.6431 (F2 exact)",
               "Adam lr/2: F1 x = " + fmt(h1, "%.5f") + ", F2 x = " + fmt(h2, "%.5f"),
               std::abs(h1 + 0.3) < 1e-3 && std::abs(h2 - xs) < 2e-3,
               "held iff Adam at lr/2 also reaches both global minima");
  const double leg1 = m("f1.diffgrad_legacy_final_x"), leg2 = m("f2exact.diffgrad_legacy_final_x");
  report.metric("legacy_minus_adam_half.f1", leg1 - h1);
  report.metric("legacy_minus_adam_half.f2exact", leg2 - h2);
  report.check("legacy_behaves_like_adam_half",
               "The published (aliased) diffGrad ends where Adam at lr/2 ends (xi = 0.5 after "
               "step 1)",
               "spec 1.2.1: buggy diffGrad = Adam with lr/2",
               "|x_legacy - x_adam_half| = " + fmt(std::abs(leg1 - h1)) + " (F1), " +
                   fmt(std::abs(leg2 - h2)) + " (F2 exact)",
               std::abs(leg1 - h1) < 1e-3 && std::abs(leg2 - h2) < 1e-3,
               "held iff both differ by < 1e-3 (only step 1 differs; unit tests check exact "
               "equality of the updates)");
  const double s3d = m("f3.diffgrad_last50_std"), s3a = m("f3.adam_last50_std");
  report.check("f3_diffgrad_oscillates_less",
               "F3: both reach the global minimum 0 and diffGrad oscillates less than Adam",
               "diffGrad oscillates less (Fig. 4); spec prototype: not reproduced (std 0.0168 vs "
               "0.0096)",
               "std of last 50 x: diffGrad " + fmt(s3d) + ", Adam " + fmt(s3a) +
                   "; final x diffGrad " + fmt(m("f3.diffgrad_final_x")) + ", Adam " +
                   fmt(m("f3.adam_final_x")),
               s3d < s3a && std::abs(m("f3.diffgrad_final_x")) < 0.05,
               "held iff diffGrad's last-50 std is below Adam's and it ends within 0.05 of 0");
  const double nd = m("f2notebook.diffgrad_final_x"), na = m("f2notebook.adam_final_x");
  report.notes.push_back(
      "F2 with the notebook's gradient (x cos 8x + sin 8x + 3x^2, a factor 8 missing) is not the "
      "derivative of F2, so its 'minima' are not F2's: diffGrad ends at x = " +
      fmt(nd) + ", Adam at " + fmt(na) +
      " (spec prototype -0.812 and 0.0002). Claims use the exact F2.");
}

// ---- Part 2: small networks ----------------------------------------------------------------

#ifdef DESCENT_DIFFGRAD_NETWORKS
struct NetResult {
  std::vector<double> acc;  // per seed
  double mean() const { return std::accumulate(acc.begin(), acc.end(), 0.0) / double(acc.size()); }
  double sd() const {
    const double mu = mean();
    double s = 0;
    for (double a : acc) s += (a - mu) * (a - mu);
    return acc.size() > 1 ? std::sqrt(s / double(acc.size() - 1)) : 0.0;
  }
};

struct NetSetup {
  std::string key, data, model;
  int epochs;
  std::size_t train_limit, test_limit;
  int seeds;
};

std::map<std::string, NetResult> train_pair(const NetSetup& s, const ExperimentConfig& cfg,
                                            Report& report) {
  std::map<std::string, NetResult> out;
  Eigen::MatrixXd curves(s.epochs, 1 + 2 * 1);
  curves.setZero();
  for (int e = 0; e < s.epochs; ++e) curves(e, 0) = e + 1;
  int col = 1;
  for (const std::string opt : {"adam", "diffgrad"}) {
    for (int k = 0; k < s.seeds; ++k) {
      train::TrainOptions o;
      o.data = s.data;
      o.model = s.model;
      o.optimizer = opt;
      o.lr = 1e-3;
      o.batch = 64;
      o.epochs = s.epochs;
      o.seed = cfg.seed + static_cast<std::uint64_t>(k);
      o.train_limit = s.train_limit;
      o.test_limit = s.test_limit;
      const train::TrainResult r = train::run(o);
      if (r.summary.status != Status::max_iterations)
        throw Error("diffgrad: training " + s.key + " with " + opt + " ended " +
                    std::string(to_string(r.summary.status)) + ": " + r.summary.message);
      out[opt].acc.push_back(r.test_accuracy);
      report.metric(s.key + "." + opt + "_test_acc_seed" + std::to_string(k), r.test_accuracy);
      for (int e = 0; e < s.epochs; ++e)
        curves(e, col) += r.epochs[static_cast<std::size_t>(e)].test_accuracy / s.seeds;
    }
    ++col;
  }
  io::write_csv(cfg.out_dir + "/" + s.key + "_accuracy.csv", curves, {"epoch", "adam", "diffgrad"});
  Plot p;
  p.file = s.key + "_accuracy.png";
  p.title =
      s.model + " on " + s.data + ": test accuracy (mean of " + std::to_string(s.seeds) + " seeds)";
  p.xlabel = "epoch";
  p.ylabel = "test accuracy";
  p.series = {{s.key + "_accuracy.csv", "epoch", "adam", "Adam (lr 1e-3)"},
              {s.key + "_accuracy.csv", "epoch", "diffgrad", "diffGrad fixed (lr 1e-3)"}};
  report.plots.push_back(p);
  for (const auto& [opt, r] : out) {
    report.metric(s.key + "." + opt + "_test_acc", r.mean());
    report.metric(s.key + "." + opt + "_test_acc_sd", r.sd());
  }
  report.metric(s.key + ".diffgrad_minus_adam_pt",
                100 * (out["diffgrad"].mean() - out["adam"].mean()));
  return out;
}

void networks(Report& report, const ExperimentConfig& cfg) {
  const bool q = cfg.quick;
  // Quick: a random 15k/5k Fashion-MNIST subset for 4 epochs (labelled threshold below).
  const NetSetup fm{"fmnist_mlp",
                    "fashion-mnist",
                    "mlp:784-128-10",
                    q ? 4 : 5,
                    q ? 15000u : 0u,
                    q ? 5000u : 0u,
                    3};
  auto r = train_pair(fm, cfg, report);
  const double a = r["adam"].mean(), d = r["diffgrad"].mean();
  const double gap = 100 * (d - a);
  const double threshold = q ? 0.80 : 0.85;
  const std::string ours = "diffGrad " + fmt(100 * d, "%.2f") + "% +- " +
                           fmt(100 * r["diffgrad"].sd(), "%.2f") + ", Adam " +
                           fmt(100 * a, "%.2f") + "% +- " + fmt(100 * r["adam"].sd(), "%.2f") +
                           " (3 seeds, " + std::to_string(fm.epochs) + " epochs" +
                           (q ? ", quick 15k/5k subset" : "") + ")";
  report.check(q ? "fmnist_mlp_both_above_80_quick" : "fmnist_mlp_both_above_85",
               q ? "QUICK run (15k training subset, 4 epochs): both optimizers reach >= 80% test "
                   "accuracy with the MLP on Fashion-MNIST (the 85% acceptance level is checked by "
                   "the full run)"
                 : "Both optimizers reach >= 85% test accuracy with the MLP on Fashion-MNIST",
               "issue acceptance 2 (CIFAR substitute; paper's CIFAR gaps <= 0.4 pt)", ours,
               a >= threshold && d >= threshold);
  report.check("fmnist_mlp_gap_within_1pt",
               "diffGrad and Adam differ by at most 1 point (the paper's gap is small; we never "
               "assert diffGrad > Adam)",
               "CIFAR-10 gaps 0.1-0.4 pt (single runs, buggy optimizer)",
               "diffGrad - Adam = " + fmt(gap, "%+.2f") + " pt", std::abs(gap) <= 1.0);
  if (q) {
    report.not_measured("mnist10k_mlp_both_above_96",
                        "MLP on MNIST-10k (8k/2k, 10 epochs): both >= 96%, gap <= 1 pt",
                        "spec 1.5(4)", "full run only");
    report.not_measured("fmnist_cnn_small", "Small CNN on Fashion-MNIST: Adam vs diffGrad",
                        "paper: ResNet50 on CIFAR", "full run only");
    return;
  }
  const NetSetup mn{"mnist10k_mlp", "mnist-10k", "mlp:784-128-10", 10, 0, 0, 3};
  auto rm = train_pair(mn, cfg, report);
  const double ma = rm["adam"].mean(), md = rm["diffgrad"].mean();
  report.check("mnist10k_mlp_both_above_96",
               "MLP on MNIST-10k (80/20 stratified split, 10 epochs): both >= 96% and within 1 pt",
               "spec 1.5(4)",
               "diffGrad " + fmt(100 * md, "%.2f") + "%, Adam " + fmt(100 * ma, "%.2f") + "%",
               ma >= 0.96 && md >= 0.96 && std::abs(md - ma) <= 0.01);
  // The CNN costs ~1 min per epoch on one core: 2 epochs on a 20k subset, 3 seeds.
  const NetSetup cn{"fmnist_cnn", "fashion-mnist", "cnn-small", 2, 20000, 10000, 3};
  auto rc = train_pair(cn, cfg, report);
  const double ca = rc["adam"].mean(), cd = rc["diffgrad"].mean();
  report.check("fmnist_cnn_gap_within_1pt",
               "Small CNN (~20k parameters) on Fashion-MNIST: diffGrad and Adam within 1 point",
               "paper: diffGrad +0.1..0.4 pt on CIFAR-10 (ResNet50)",
               "diffGrad " + fmt(100 * cd, "%.2f") + "%, Adam " + fmt(100 * ca, "%.2f") +
                   "% (20k training subset, 2 epochs, 3 seeds)",
               std::abs(cd - ca) <= 0.01);
}
#endif

Report run_diffgrad(const ExperimentConfig& cfg) {
  Report report;
  synthetic(report, cfg);
#ifdef DESCENT_DIFFGRAD_NETWORKS
  networks(report, cfg);
#else
  report.not_measured("fmnist_mlp_both_above_85", "Networks need LibTorch", "",
                      "built without torch");
#endif
  report.config = {{"synthetic",
                    {{"x0", -1.0},
                     {"updates", 299},
                     {"lr", 0.1},
                     {"beta1", 0.95},
                     {"beta2", 0.999},
                     {"eps", 1e-8}}},
                   {"networks", {{"lr", 1e-3}, {"batch", 64}, {"seeds", 3}, {"quick", cfg.quick}}}};
  report.notes.push_back(
      "diffGrad here is the fixed rule of the official diffGrad_v2.py (previous gradient copied). "
      "The paper's numbers came from diffGrad.py, whose previous-gradient alias makes it Adam at "
      "lr/2 after step 1; 'diffgrad_legacy' reproduces that behaviour.");
  return report;
}

const Registrar registrar{{
    .id = "diffgrad",
    .paper = "S. R. Dubey et al., diffGrad: An Optimization Method for Convolutional Neural "
             "Networks, IEEE TNNLS 31(11), 2020",
    .summary = "diffGrad vs Adam (and the published aliasing bug = Adam at lr/2) on the paper's "
               "1-D functions and on Fashion-MNIST / MNIST-10k networks over 3 seeds.",
    .run = &run_diffgrad,
}};

}  // namespace
}  // namespace descent::experiments
