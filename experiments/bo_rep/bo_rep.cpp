// Reproduction `bo-rep`: bilevel optimisation under unbounded smoothness.
//
// J. Hao, X. Gong, M. Liu, "Bilevel Optimization under Unbounded Smoothness: A New Algorithm
// and Convergence Analysis", ICLR 2024.
//
// The paper has only curves on GPU-scale RNN tasks (Amazon reviews, Sentiment140), which are not
// available offline. The spec's CPU-scale checks (§3.5) replace them:
//   cosh   BO-2: f = Σcosh(x) + ½‖x − y‖², g = ½‖y − x/2‖², x0 = 7.6·1 (d = 5), η = 0.1:
//          BO-REP's normalised momentum converges; the same momentum without normalisation
//          overflows (reported as Status::diverged).
//   quad   BO-4: deterministic quadratic, ‖∇Φ‖ falls by 1e3 (min over t).
//   clean  BO-3: hyper-cleaning an Elman RNN (Eigen, hand-written BPTT) on digits rows as
//          sequences with 30% flipped training labels; per-sample weights σ(λ_i) as the UL
//          variable, clean validation CE as the UL loss. Against the same RNN trained by SGD on
//          the noisy labels for the same number of LL steps (15000: long enough to fit them).
#include <cmath>
#include <string>
#include <vector>

#include "descent/bilevel/borep.hpp"
#include "descent/bilevel/problems.hpp"
#include "descent/bilevel/rnn.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"

namespace descent::experiments {
namespace {

using namespace descent::bilevel;

std::string fmt(double v, const char* f = "%.3g") {
  return format_number(v, f);
}

BoRepOptions cosh_options() {
  BoRepOptions o;  // spec BO-2 settings
  o.eta = 0.1;
  o.beta = 0.9;
  o.nu = 0.5;
  o.update_period = 2;
  o.lower_steps = 5;
  o.lower_step = 0.5;
  o.max_iterations = 2000;
  o.record_history = true;
  o.history_stride = 10;
  return o;
}

void write_history(const std::string& path, const Summary& s) {
  Mat rows(Eigen::Index(s.history.size()), 3);
  for (std::size_t i = 0; i < s.history.size(); ++i)
    rows.row(Eigen::Index(i)) << double(s.history[i].iteration), s.history[i].objective,
        s.history[i].gradient_norm;
  io::write_csv(path, rows, {"iteration", "objective", "gradient_norm"});
}

// Hyper-cleaning settings. ν = 1e-3 rather than the official 1e-2 (calibrated once on seeds
// 1-2): with 1e-2 the stochastic z-iteration on the RNN's ill-conditioned Hessian gave weight
// AUCs of 0.77-0.85 at 1000 iterations and 0.57 at 3000 (seed 11), with 1e-3 0.81-0.92.
// Budget: N = 10 LL steps per update is the official data_cleaning default (y_warm_start = 10;
// spec BO-3 allows N = 3-10). T = 3000 gives 15000 LL SGD steps, where the noisy-ERM RNN fits
// 82-92% of the noisy training labels (70% are right), i.e. it is "the same RNN trained on the
// noisy labels" (spec BO-3) rather than an under-trained one. (The paper has no ERM baseline;
// its 25-epoch budget on Sentiment140 does not translate to this scale.) The earlier budget (N = 5,
// T = 1000: 2500 steps) stopped both models near the peak of noisy ERM's test accuracy (0.885-0.889
// at 2048-4096 steps, falling to 0.75 at 15000 on seed 11): an implicitly early-stopped baseline,
// not "trained on the noisy labels". An ERM early-stopped on the clean validation set is reported
// separately. η: each normalised step moves λ by exactly η, so η·T bounds the UL path. The
// calibrated η = 0.5 at T = 1000 is kept as the path η·T = 500 when T changes (η = 1/6 at T =
// 3000). Keeping η = 0.5 at T = 3000 gave AUC 0.81 on seed 11 (η = 1/6: 0.86; official 5e-2: 0.83).
struct CleanSettings {
  double ul_path = 500;  // η·T
  double nu = 1e-3;
  double lower_step = 0.1;
  std::size_t lower_steps = 10;
  std::size_t period = 2;
  std::size_t iterations = 3000;
  int hidden = 32;
  std::size_t batch = 64;
  double flip = 0.3;
};

struct CleanResult {
  double acc_borep, acc_erm, acc_erm_stopped, erm_train_fit, auc, seconds;
  Status status;
};

CleanResult run_clean(const CleanSettings& cs, std::uint64_t seed) {
  HypercleanRnn p(make_digits_hyperclean(cs.flip, seed), ElmanShape{8, cs.hidden, 8, 10}, cs.batch,
                  100, 1e-4);
  Rng rng = make_rng(seed, {0xC1EA});
  const Vec y0 = p.model().init(rng);
  BoRepOptions o;
  o.eta = cs.ul_path / double(cs.iterations);
  o.beta = 0.9;
  o.nu = cs.nu;
  o.lower_step = cs.lower_step;
  o.lower_steps = cs.lower_steps;
  o.update_period = cs.period;
  o.max_iterations = cs.iterations;
  o.seed = seed;
  auto s = BoRepState::start(p, Vec::Zero(p.dim_x()), y0);
  const Summary sum = minimize_borep(p, s, o);
  // Noisy ERM: the same RNN and LL optimiser with uniform weights, same number of SGD steps.
  // Also tracks the test accuracy at the best clean-validation accuracy (checked every 250
  // steps): ERM early-stopped with the same validation set BO-REP uses.
  const auto& d = p.data();
  Vec y = y0, g;
  const Vec uniform = Vec::Zero(p.dim_x());
  Rng erm_rng = make_rng(seed, {0xE53});
  const auto steps = std::size_t(sum.counters.at("lower_steps"));
  double best_val = -1, acc_stopped = 0;
  for (std::size_t k = 1; k <= steps; ++k) {
    p.sample(erm_rng);
    p.lower_grad_y(uniform, y, g);
    y -= cs.lower_step * g;
    if (k % 250 == 0 || k == steps) {
      const double v = p.model().accuracy(y, d.val_x, d.val_y);
      if (v > best_val) best_val = v, acc_stopped = p.model().accuracy(y, d.test_x, d.test_y);
    }
  }
  std::vector<bool> clean(d.flipped.size());
  for (std::size_t i = 0; i < clean.size(); ++i) clean[i] = !d.flipped[i];
  const Vec w = s.x.unaryExpr([](double t) { return 1.0 / (1.0 + std::exp(-t)); });
  return {p.model().accuracy(s.y, d.test_x, d.test_y),
          p.model().accuracy(y, d.test_x, d.test_y),
          acc_stopped,
          p.model().accuracy(y, d.train_x, d.train_y),
          roc_auc(w, clean),
          sum.seconds,
          sum.status};
}

Report run_bo_rep(const ExperimentConfig& cfg) {
  Report report;
  const std::string dir = cfg.out_dir + "/";

  // --- cosh toy (BO-2)
  CoshToy cosh(5);
  auto s = BoRepState::start(cosh, Vec::Constant(5, 7.6), Vec::Zero(5));
  const Summary bo = minimize_borep(cosh, s, cosh_options());
  write_history(dir + "cosh_borep.csv", bo);
  BoRepOptions un = cosh_options();
  un.normalized = false;
  auto su = BoRepState::start(cosh, Vec::Constant(5, 7.6), Vec::Zero(5));
  const Summary ub = minimize_borep(cosh, su, un);
  un.eta = 0.01;
  un.max_iterations = 4000;
  auto ss = BoRepState::start(cosh, Vec::Constant(5, 7.6), Vec::Zero(5));
  const Summary small = minimize_borep(cosh, ss, un);
  write_history(dir + "cosh_unnormalized_eta0.01.csv", small);
  report.metric("cosh.borep_grad_norm", bo.gradient_norm);
  report.metric("cosh.borep_min_grad_norm", bo.counters.at("min_true_gradient_norm"));
  report.metric("cosh.unnormalized_diverged", ub.status == Status::diverged ? 1.0 : 0.0);
  report.metric("cosh.unnormalized_diverged_at", double(ub.iterations));
  report.metric("cosh.unnormalized_eta0.01_grad_norm", small.gradient_norm);
  report.check("cosh_borep_converges",
               "BO-REP (normalised momentum, eta = 0.1) reaches |grad Phi| < 1e-2 within 2000 "
               "iterations on the cosh toy",
               "7.4e-3 after 2000 iterations (spec prototype)", fmt(bo.gradient_norm),
               bo.status != Status::diverged && bo.gradient_norm < 1e-2);
  report.check("cosh_unnormalized_diverges",
               "the same momentum without normalisation at eta = 0.1 is detected as divergent",
               "overflows at t = 2 (spec prototype)",
               std::string(to_string(ub.status)) + " at iteration " + std::to_string(ub.iterations),
               ub.status == Status::diverged);

  // --- deterministic quadratic (BO-4)
  QuadraticBilevel quad(10, 5, 0.1, cfg.seed + 8);
  const Vec qx0 = Vec::Constant(10, 3.0);
  Vec qg0;
  quad.true_hypergradient(qx0, qg0);
  BoRepOptions qo;
  qo.eta = 0.01;
  qo.beta = 0.5;
  qo.nu = 0.2;
  qo.update_period = 1;
  qo.lower_steps = 1;
  qo.lower_step = 0.2;
  qo.max_iterations = 5000;
  auto qs = BoRepState::start(quad, qx0, Vec::Zero(5));
  const Summary qsum = minimize_borep(quad, qs, qo);
  const double qratio = qsum.counters.at("min_true_gradient_norm") / qg0.norm();
  report.metric("quad.min_grad_ratio", qratio);
  report.check("quadratic_grad_drops", "min_t |grad Phi(x_t)| <= 1e-3 |grad Phi(x_0)| (BO-4)",
               "<= 1e-3 (spec)", fmt(qratio), qratio <= 1e-3);

  // --- RNN hyper-cleaning (BO-3), several seeds, medians. Seeds start at cfg.seed + 21 so
  // that they overlap none of the calibration seeds (1-2 for ν, 11 for the budget).
  CleanSettings cs;
  const int seeds = cfg.quick ? 1 : 3;
  if (cfg.quick) cs.iterations = 1500;
  std::vector<double> acc_b, acc_e, acc_s, fit, auc;
  Mat rows(seeds, 7);
  for (int k = 0; k < seeds; ++k) {
    const std::uint64_t seed = cfg.seed + 21 + std::uint64_t(k);
    const auto r = run_clean(cs, seed);
    acc_b.push_back(r.acc_borep);
    acc_e.push_back(r.acc_erm);
    acc_s.push_back(r.acc_erm_stopped);
    fit.push_back(r.erm_train_fit);
    auc.push_back(r.auc);
    rows.row(k) << double(seed), r.acc_borep, r.acc_erm, r.acc_erm_stopped, r.erm_train_fit, r.auc,
        r.seconds;
  }
  io::write_csv(dir + "clean_seeds.csv", rows,
                {"seed", "test_acc_borep", "test_acc_noisy_erm", "test_acc_noisy_erm_val_stopped",
                 "noisy_erm_train_acc", "weight_auc", "seconds"});
  const double mb = median(acc_b), me = median(acc_e), ma = median(auc);
  report.metric("clean.test_acc_borep", mb);
  report.metric("clean.test_acc_noisy_erm", me);
  report.metric("clean.test_acc_noisy_erm_val_stopped", median(acc_s));
  report.metric("clean.noisy_erm_train_acc", median(fit));
  report.metric("clean.weight_auc", ma);
  report.check("clean_beats_noisy_erm",
               "BO-REP's hyper-cleaned RNN has higher test accuracy than the same RNN trained on "
               "the noisy labels with the same LL budget",
               "BO-REP best on Sentiment140 (curves only)",
               fmt(mb, "%.4f") + " vs " + fmt(me, "%.4f") + " (median of " + std::to_string(seeds) +
                   " seeds)",
               mb > me,
               "Both get " + std::to_string(cs.iterations / cs.period * cs.lower_steps) +
                   " LL SGD steps; noisy ERM then fits " + fmt(median(fit), "%.3f") +
                   " of the noisy training labels. ERM early-stopped on the clean validation "
                   "set reaches " +
                   fmt(median(acc_s), "%.4f") + " (reported, not part of the claim).");
  report.check("clean_weights_separate", "sigma(lambda_i) separates clean from flipped samples",
               "ROC-AUC >= 0.8 (spec acceptance)", fmt(ma, "%.3f"), ma >= 0.8);

  report.plots.push_back({"cosh.png",
                          "cosh toy: |grad Phi|",
                          "iteration",
                          "|grad Phi|",
                          false,
                          true,
                          {{"cosh_borep.csv", "iteration", "gradient_norm", "BO-REP eta=0.1"},
                           {"cosh_unnormalized_eta0.01.csv", "iteration", "gradient_norm",
                            "un-normalised eta=0.01"}}});
  report.config = {{"cosh", "d=5, C=0.5I, x0=7.6, eta=0.1, beta=0.9, nu=0.5, I=2, N=5, LL 0.5"},
                   {"quad", "dx=10, dy=5, rho=0.1, eta=0.01, beta=0.5, nu=0.2, I=N=1, 5000 it"},
                   {"clean",
                    {{"eta", cs.ul_path / double(cs.iterations)},
                     {"beta", 0.9},
                     {"nu", cs.nu},
                     {"lower_step", cs.lower_step},
                     {"I", cs.period},
                     {"N", cs.lower_steps},
                     {"iterations", cs.iterations},
                     {"hidden", cs.hidden},
                     {"batch", cs.batch},
                     {"flip", cs.flip},
                     {"seeds", seeds},
                     {"first_seed", cfg.seed + 21}}},
                   {"seed", cfg.seed},
                   {"quick", cfg.quick}};
  report.notes.push_back(
      "The RNN is an Eigen Elman network with hand-written backprop; HVPs are central "
      "differences of exact gradients in double (checked against second differences in the "
      "tests). Data: sklearn digits, 8 rows of 8 pixels as a sequence, train 1000 / val 300 / "
      "test 497, 30% of training labels flipped to a random other class.");
  return report;
}

const Registrar registrar{{
    .id = "bo-rep",
    .paper = "J. Hao, X. Gong, M. Liu, Bilevel Optimization under Unbounded Smoothness: A New "
             "Algorithm and Convergence Analysis, ICLR 2024",
    .summary = "BO-REP vs un-normalised momentum on the cosh toy, a deterministic quadratic, and "
               "hyper-cleaning an Elman RNN on digits with 30% flipped labels.",
    .run = &run_bo_rep,
}};

}  // namespace
}  // namespace descent::experiments
