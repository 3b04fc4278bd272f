// Reproduction `diff2`: DIFF2-GD against DP-GD on a private distributed nonconvex task.
//
// T. Murata, T. Suzuki, "DIFF2: Differential Private Optimization via Gradient Differences for
// Nonconvex Distributed Learning", ICML 2023 (PMLR 202).
//
// The paper's data sets are not available offline and its curve values are unknown, so this is
// the spec's calibrated synthetic task (../shared/papers/robust_recovery_and_privacy.md, 2.5):
// a teacher MLP (IN = 20, H = 20 softplus units, d = 441) labels x ~ N(0, I) with 0.1 label
// noise; P = 4 workers with n = 2000 records each, a 2000-record test set, R = 300 rounds,
// delta = 1e-5, replace-one adjacency, sigma calibrated exactly by the tight RDP accountant.
//
// Protocol (spec P5): both methods are tuned by final train loss on the spec's grids (see tune()),
//   DP-GD  eta in {0.3, 1, 3} x C1 in {0.03, 0.1, 0.3};
//   DIFF2  eta in {0.3, 1} x C1 in {0.1, 0.3} x C2 in {0.3, 1, 3} x T in {5, 10, 20}, equal split
// (configurations the stability guard refuses count as failed), on separate tuning seeds, then
// run on 5 evaluation seeds (seeds change the DP noise and the initialization; the data are
// fixed). Claims compare medians over the evaluation seeds:
//   eps1.grad_norm_ratio_median  = median |grad f(x_R)|^2 (DIFF2) / median (DP-GD) <= 0.7;
//   eps1.train_loss_ratio_median = median train loss (DIFF2) / median (DP-GD)    <= 1.05.
// --quick runs eps = 1 only, 3 evaluation seeds, and a grid without C2 = 3 and T = 20 for DIFF2.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"
#include "descent/privacy/diff2.hpp"
#include "descent/privacy/dp_gd.hpp"
#include "descent/privacy/mlp.hpp"
#include "private_task.hpp"

namespace descent::experiments {
namespace {

using namespace diff2_repro;

constexpr int kWorkers = 4;
constexpr Eigen::Index kRecords = 2000;
constexpr std::size_t kRounds = 300;
constexpr std::uint64_t kTuningSeedOffset = 1000;

// The spec protocol's run: R = 300 unless given, the guard refusing unless given.
Outcome run(const Task& task, const Config& c, std::uint64_t seed, double epsilon,
            std::size_t eval_every, int threads, GuardPolicy guard = GuardPolicy::refuse,
            std::size_t rounds = kRounds) {
  return task.run(c, seed, epsilon, eval_every, threads, guard, rounds);
}

std::vector<Config> dpgd_grid() {
  std::vector<Config> g;
  for (double eta : {0.3, 1.0, 3.0})
    for (double c : {0.03, 0.1, 0.3}) g.push_back({false, eta, c, 0, 1});
  return g;
}

std::vector<Config> diff2_grid(bool quick) {
  std::vector<Config> g;
  const std::vector<double> c2s =
      quick ? std::vector<double>{0.3, 1} : std::vector<double>{0.3, 1, 3};
  const std::vector<std::size_t> ts =
      quick ? std::vector<std::size_t>{5, 10} : std::vector<std::size_t>{5, 10, 20};
  for (double eta : {0.3, 1.0})
    for (double c1 : {0.1, 0.3})
      for (double c2 : c2s)
        for (std::size_t t : ts) g.push_back({true, eta, c1, c2, t});
  return g;
}

// Tunes one method: every grid configuration runs on tuning seed A; the kFinalists with the
// lowest train loss run again on tuning seed B, and the configuration with the smallest worse-of-
// the-two train loss wins. (One tuning seed alone picked DIFF2 configurations whose clipping
// bias made them diverge on other seeds.) Writes grid_<tag>.csv.
constexpr std::size_t kFinalists = 3;

Config tune(const Task& task, const std::vector<Config>& grid, std::uint64_t seed_a,
            std::uint64_t seed_b, double eps, const ExperimentConfig& cfg, const std::string& tag,
            int* refused, int* failed) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(grid.size()), 10);
  rows.setConstant(kNaN);
  std::vector<std::pair<double, std::size_t>> ranked;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    const Config& c = grid[i];
    // eval_every = 50: a diverging configuration stops early.
    const Outcome o = run(task, c, seed_a, eps, 50, cfg.threads);
    const double loss = o.get("train_loss");
    const double status = o.refused ? -1.0 : o.ok() ? 0.0 : 1.0;  // -1 refused, 1 diverged
    if (o.refused)
      ++*refused;
    else if (!o.ok())
      ++*failed;
    rows.row(static_cast<Eigen::Index>(i)).head(9) << c.step, c.clip, c.clip_diff,
        double(c.restart), loss, o.get("grad_norm2"), o.get("test_loss"), o.get("guard_per_step"),
        status;
    if (o.ok()) ranked.emplace_back(loss, i);
  }
  if (ranked.empty()) throw Error("diff2 repro: every " + tag + " configuration failed");
  std::sort(ranked.begin(), ranked.end());
  double best = std::numeric_limits<double>::infinity();
  std::size_t chosen = ranked.front().second;
  for (std::size_t k = 0; k < std::min(kFinalists, ranked.size()); ++k) {
    const std::size_t i = ranked[k].second;
    const Outcome o = run(task, grid[i], seed_b, eps, 50, cfg.threads);
    const double loss_b = o.ok() ? o.get("train_loss") : std::numeric_limits<double>::infinity();
    rows(static_cast<Eigen::Index>(i), 9) = o.ok() ? loss_b : kNaN;
    const double worse = std::max(ranked[k].first, loss_b);
    if (worse < best) best = worse, chosen = i;
  }
  io::write_csv(cfg.out_dir + "/grid_" + tag + ".csv", rows,
                {"step", "clip", "clip_diff", "restart", "train_loss", "grad_norm2", "test_loss",
                 "guard_per_step", "status", "train_loss_seed_b"});
  return grid[chosen];
}

struct SeedRuns {
  std::vector<double> train, test, grad, eps;
  std::vector<double> grad_tail;  // mean |grad f|^2 over the evaluated rounds >= R - 50
  std::vector<Summary> summaries;
};

// Per-round medians over seeds of the evaluated rows -> CSV for the plots.
void write_curves(const std::string& path, const std::vector<Summary>& runs) {
  if (runs.empty()) return;
  std::size_t rows = runs.front().history.size();
  for (const auto& s : runs) rows = std::min(rows, s.history.size());
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows), 4);
  for (std::size_t i = 0; i < rows; ++i) {
    std::vector<double> tr, te, g;
    for (const auto& s : runs) {
      const HistoryRow& h = s.history[i];
      tr.push_back(h.objective);
      for (const auto& [k, v] : h.extras) {
        if (k == "test_loss") te.push_back(v);
        if (k == "grad_norm2") g.push_back(v);
      }
    }
    out.row(static_cast<Eigen::Index>(i)) << double(runs.front().history[i].iteration), median(tr),
        median(te), median(g);
  }
  io::write_csv(path, out, {"round", "train_loss", "test_loss", "grad_norm2"});
}

SeedRuns evaluate(const Task& task, const Config& c, const std::vector<std::uint64_t>& seeds,
                  double eps, int threads) {
  SeedRuns r;
  for (std::uint64_t s : seeds) {
    const Outcome o = run(task, c, s, eps, 10, threads);
    if (o.refused) throw Error("diff2 repro: the tuned configuration was refused: " + o.why);
    r.train.push_back(o.get("train_loss"));
    r.test.push_back(o.get("test_loss"));
    r.grad.push_back(o.get("grad_norm2"));
    r.eps.push_back(o.get("epsilon"));
    double sum = 0;
    int count = 0;
    for (const HistoryRow& h : o.summary.history) {
      if (h.iteration + 50 < kRounds) continue;
      for (const auto& [k, v] : h.extras)
        if (k == "grad_norm2") sum += v, ++count;
    }
    r.grad_tail.push_back(count ? sum / count : kNaN);
    r.summaries.push_back(o.summary);
  }
  return r;
}

std::string list(const std::vector<double>& v, const char* f = "%.3g") {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : ", ") + fmt(x, f);
  return s;
}

Report run_diff2(const ExperimentConfig& cfg) {
  Report report;
  const MlpShape shape{20, 20};
  const Task task(shape, kRecords, kWorkers);
  const int n_seeds = cfg.quick ? 3 : 5;
  std::vector<std::uint64_t> seeds;
  for (int k = 1; k <= n_seeds; ++k) seeds.push_back(cfg.seed + static_cast<std::uint64_t>(k));
  const std::uint64_t tuning_seed = cfg.seed + kTuningSeedOffset, tuning_seed_b = tuning_seed + 1;
  const std::vector<double> epsilons =
      cfg.quick ? std::vector<double>{1.0} : std::vector<double>{1.0, 0.5};
  double max_eps_error = 0;
  int refused_total = 0;
  std::string spec_config_text;
  const char* na = "not available (paper data sets offline, no curve values)";

  for (double eps : epsilons) {
    const std::string tag = eps == 1.0 ? "eps1" : "eps0.5";
    int refused = 0, failed_dpgd = 0, failed_diff2 = 0;
    const Config best_dpgd = tune(task, dpgd_grid(), tuning_seed, tuning_seed_b, eps, cfg,
                                  tag + "_dpgd", &refused, &failed_dpgd);
    const Config best_diff2 = tune(task, diff2_grid(cfg.quick), tuning_seed, tuning_seed_b, eps,
                                   cfg, tag + "_diff2", &refused, &failed_diff2);
    refused_total += refused;
    const SeedRuns a = evaluate(task, best_dpgd, seeds, eps, cfg.threads);
    const SeedRuns b = evaluate(task, best_diff2, seeds, eps, cfg.threads);
    write_curves(cfg.out_dir + "/curves_" + tag + "_dpgd.csv", a.summaries);
    write_curves(cfg.out_dir + "/curves_" + tag + "_diff2.csv", b.summaries);
    for (double e : a.eps) max_eps_error = std::max(max_eps_error, std::abs(e - eps) / eps);
    for (double e : b.eps) max_eps_error = std::max(max_eps_error, std::abs(e - eps) / eps);

    // Control: DIFF2 with the spec prototype's chosen configuration at eps = 1 (its tuning
    // picked eta 0.3, C1 0.3, C2 1, T 10), on the same evaluation seeds.
    if (eps == 1.0) {
      const SeedRuns c = evaluate(task, Config{true, 0.3, 0.3, 1.0, 10}, seeds, eps, cfg.threads);
      report.metric("eps1.diff2_spec_config.grad_norm2_median", median(c.grad));
      report.metric("eps1.diff2_spec_config.train_loss_median", median(c.train));
      report.metric("eps1.diff2_spec_config.test_loss_median", median(c.test));
      // Scale control: the prototype's non-private reference (eta 1, C 0.1, no noise) reached
      // train loss 0.0165 with |grad f|^2 = 4.8e-3; the same run here shows whether our
      // gradient norms are on the prototype's scale before any noise is added.
      Config np{false, 1.0, 0.1, 0, 1};
      np.non_private = true;
      const SeedRuns z = evaluate(task, np, seeds, eps, cfg.threads);
      report.metric("nonprivate_dpgd.grad_norm2_median", median(z.grad));
      report.metric("nonprivate_dpgd.train_loss_median", median(z.train));
      spec_config_text =
          "; DIFF2 at the spec prototype's configuration (eta = 0.3, C1 = 0.3, "
          "C2 = 1, T = 10): |grad f|^2 median " +
          fmt(median(c.grad)) + ", train loss " + fmt(median(c.train), "%.4g") +
          "; non-private GD with the same clipping (eta 1, C 0.1): |grad f|^2 median " +
          fmt(median(z.grad)) + ", train loss " + fmt(median(z.train), "%.4g") +
          " (prototype: 4.8e-3, 0.0165)";
    }
    const double ga = median(a.grad), gb = median(b.grad);
    const double la = median(a.train), lb = median(b.train);
    const double ta = median(a.test), tb = median(b.test);
    report.metric(tag + ".grad_norm_ratio_median", gb / ga);
    report.metric(tag + ".train_loss_ratio_median", lb / la);
    report.metric(tag + ".test_loss_ratio_median", tb / ta);
    // |grad f(x_r)|^2 fluctuates from round to round (see the plots); its mean over the last 50
    // rounds is a steadier comparison than the value at x_R alone.
    report.metric(tag + ".grad_norm_last50_ratio_median",
                  median(b.grad_tail) / median(a.grad_tail));
    report.metric(tag + ".dpgd.grad_norm2_last50_median", median(a.grad_tail));
    report.metric(tag + ".diff2.grad_norm2_last50_median", median(b.grad_tail));
    report.metric(tag + ".dpgd.grad_norm2_median", ga);
    report.metric(tag + ".diff2.grad_norm2_median", gb);
    report.metric(tag + ".dpgd.train_loss_median", la);
    report.metric(tag + ".diff2.train_loss_median", lb);
    report.metric(tag + ".dpgd.test_loss_median", ta);
    report.metric(tag + ".diff2.test_loss_median", tb);
    report.metric(tag + ".dpgd.step", best_dpgd.step);
    report.metric(tag + ".dpgd.clip", best_dpgd.clip);
    report.metric(tag + ".diff2.step", best_diff2.step);
    report.metric(tag + ".diff2.clip", best_diff2.clip);
    report.metric(tag + ".diff2.clip_diff", best_diff2.clip_diff);
    report.metric(tag + ".diff2.restart", double(best_diff2.restart));
    report.metric(tag + ".dpgd.sigma", a.summaries.front().counters.at("sigma"));
    report.metric(tag + ".diff2.sigma1", b.summaries.front().counters.at("sigma1"));
    report.metric(tag + ".diff2.sigma2", b.summaries.front().counters.at("sigma2"));
    report.metric(tag + ".diff2.guard_per_step", b.summaries.front().counters.at("guard_per_step"));
    report.metric(tag + ".epsilon_spent_max",
                  std::max(*std::max_element(a.eps.begin(), a.eps.end()),
                           *std::max_element(b.eps.begin(), b.eps.end())));
    report.metric(tag + ".grid_refused_by_guard", refused);
    report.metric(tag + ".grid_diverged", failed_dpgd + failed_diff2);

    Eigen::MatrixXd per_seed(n_seeds, 7);
    for (int k = 0; k < n_seeds; ++k)
      per_seed.row(k) << double(seeds[static_cast<std::size_t>(k)]), a.train[k], b.train[k],
          a.test[k], b.test[k], a.grad[k], b.grad[k];
    io::write_csv(cfg.out_dir + "/seeds_" + tag + ".csv", per_seed,
                  {"seed", "dpgd_train", "diff2_train", "dpgd_test", "diff2_test", "dpgd_grad2",
                   "diff2_grad2"});

    const std::string who = "DP-GD (" + best_dpgd.describe() + ") vs DIFF2 (" +
                            best_diff2.describe() + "), tuned on seeds " +
                            std::to_string(tuning_seed) + "/" + std::to_string(tuning_seed_b) +
                            ", medians over " + std::to_string(n_seeds) + " seeds";
    if (eps == 1.0) {
      report.check(
          "eps1_grad_norm",
          "At eps = 1 the tuned DIFF2-GD reaches a smaller |grad f(x_R)|^2 than the tuned "
          "DP-GD: median ratio DIFF2/DP-GD <= 0.7 (the paper's rate d^(2/3)/(n eps)^(4/3) "
          "vs sqrt(d)/(n eps))",
          std::string(na) + "; spec prototype: ~2e-3 vs ~1.1e-2 (ratio ~0.18)",
          "ratio " + fmt(gb / ga) + ": DIFF2 " + fmt(gb) + " [" + list(b.grad) + "] vs DP-GD " +
              fmt(ga) + " [" + list(a.grad) + "]; averaged over the last 50 rounds: ratio " +
              fmt(median(b.grad_tail) / median(a.grad_tail)) + " (" + fmt(median(b.grad_tail)) +
              " vs " + fmt(median(a.grad_tail)) + "); " + who + spec_config_text,
          gb / ga <= 0.7,
          gb / ga <= 0.7 ? "medians over the evaluation seeds"
                         : "medians over the evaluation seeds. DIFF2's own values are close to the "
                           "spec prototype's; our DP-GD, at the same sigma, eta and C1, settles at "
                           "a far smaller gradient norm than the prototype's (docs/privacy.md)");
      report.check("eps1_train_loss",
                   "At eps = 1 DIFF2's train loss is within +5% of DP-GD's (median ratio <= 1.05)",
                   std::string(na) + "; spec prototype: 0.0192 vs 0.0194",
                   "ratio " + fmt(lb / la, "%.4f") + ": DIFF2 " + fmt(lb, "%.4g") + " [" +
                       list(b.train, "%.4g") + "] vs DP-GD " + fmt(la, "%.4g") + " [" +
                       list(a.train, "%.4g") + "]",
                   lb / la <= 1.05, "medians over the evaluation seeds");
    } else {
      report.check("eps0.5_test_loss",
                   "At eps = 0.5 DIFF2's test loss is no higher than DP-GD's (optional P5 check; "
                   "the paper reports lower train and test loss for DIFF2)",
                   std::string(na) + "; spec prototype: DIFF2 test 0.0216",
                   "DIFF2 " + fmt(tb, "%.4g") + " vs DP-GD " + fmt(ta, "%.4g") + "; |grad f|^2 " +
                       fmt(gb) + " vs " + fmt(ga) + "; " + who,
                   tb <= ta, "medians over the evaluation seeds");
    }
    report.plots.push_back({tag + "_train_loss.png",
                            "Train loss, eps = " + fmt(eps) + " (median over seeds)",
                            "round",
                            "train loss",
                            false,
                            true,
                            {{"curves_" + tag + "_dpgd.csv", "round", "train_loss", "DP-GD"},
                             {"curves_" + tag + "_diff2.csv", "round", "train_loss", "DIFF2-GD"}}});
    report.plots.push_back({tag + "_test_loss.png",
                            "Test loss, eps = " + fmt(eps) + " (median over seeds)",
                            "round",
                            "test loss",
                            false,
                            true,
                            {{"curves_" + tag + "_dpgd.csv", "round", "test_loss", "DP-GD"},
                             {"curves_" + tag + "_diff2.csv", "round", "test_loss", "DIFF2-GD"}}});
    report.plots.push_back({tag + "_grad_norm.png",
                            "|grad f|^2, eps = " + fmt(eps) + " (median over seeds)",
                            "round",
                            "|grad f(x_r)|^2",
                            false,
                            true,
                            {{"curves_" + tag + "_dpgd.csv", "round", "grad_norm2", "DP-GD"},
                             {"curves_" + tag + "_diff2.csv", "round", "grad_norm2", "DIFF2-GD"}}});
  }
  if (cfg.quick)
    report.not_measured("eps0.5_test_loss",
                        "At eps = 0.5 DIFF2's test loss is no higher than DP-GD's", na,
                        "the quick run covers eps = 1 only");

  report.metric("epsilon_relative_error_max", max_eps_error);
  report.check("privacy_spent",
               "Every evaluation run spends exactly the target epsilon (tight RDP conversion, "
               "delta = 1e-5, replace-one)",
               "the paper calibrates sigma by its own constants (not available)",
               "max relative deviation " + fmt(max_eps_error), max_eps_error <= 1e-6);

  // P6: the spec's divergent regression case (d = 1041) against the stability guard.
  {
    const MlpShape big{50, 20};
    const Task reg(big, 500, kWorkers);
    const Config c{true, 0.3, 0.3, 1.0, 5};
    const Outcome refused = run(reg, c, cfg.seed + 1, 1.0, 10, cfg.threads);
    const Outcome warned = run(reg, c, cfg.seed + 1, 1.0, 10, cfg.threads, GuardPolicy::warn);
    const Outcome capped = run(reg, c, cfg.seed + 1, 1.0, 10, cfg.threads, GuardPolicy::cap);
    const double f0 = warned.summary.history.front().objective;
    const double f_warn = warned.summary.counters.at("train_loss");
    const double f_cap = capped.get("train_loss");
    report.metric("guard.regression_per_step", warned.summary.counters.at("guard_per_step"));
    report.metric("guard.regression_unguarded_train_loss", f_warn);
    report.metric("guard.regression_capped_train_loss", f_cap);
    report.metric("guard.grid_refused", refused_total);
    const bool diverged = warned.summary.status == Status::diverged || f_warn > 10 * f0;
    report.check("stability_guard",
                 "The stability guard eta C2 sigma2 sqrt(d/P) < 1 refuses the spec's divergent "
                 "regression case (n = 500, d = 1041, P = 4, eps = 1, eta = 0.3, C2 = 1, T = 5, "
                 "R = 300), which does diverge unguarded; the documented cap keeps it bounded",
                 "spec prototype: per-step 1.7, train loss 340 unguarded",
                 std::string(refused.refused ? "refused" : "NOT refused") + " (per-step " +
                     fmt(warned.summary.counters.at("guard_per_step")) +
                     "); unguarded train loss " + fmt(f_warn) + " (f(x0) = " + fmt(f0) +
                     "); capped: " + fmt(f_cap) + ", " +
                     std::string(to_string(capped.summary.status)),
                 refused.refused && diverged && capped.ok() && f_cap < 2 * f0);
  }

  report.config = {{"task", "teacher MLP " + shape.to_string() + ", softplus, squared loss"},
                   {"dimension", shape.dimension()},
                   {"workers", kWorkers},
                   {"records_per_worker", kRecords},
                   {"test_records", kTestRecords},
                   {"rounds", kRounds},
                   {"delta", 1e-5},
                   {"adjacency", "replace-one"},
                   {"conversion", "tight (Balle et al. 2020)"},
                   {"data_seed", kDataSeed},
                   {"tuning_seeds", {tuning_seed, tuning_seed_b}},
                   {"evaluation_seeds", seeds},
                   {"epsilons", epsilons},
                   {"selection",
                    "grid on tuning seed A; the 3 lowest train losses re-run on "
                    "tuning seed B; smallest worse-of-two train loss wins"},
                   {"threads", cfg.threads}};
  report.notes.push_back(
      "The spec calls this task d = 461, but IN = 20, H = 20 gives d = H*IN + 2H + 1 = 441 (see "
      "its section 2.2); we use the architecture. The teacher has W1 ~ N(0, 1/IN), w2 ~ N(0, 1/H) "
      "and zero biases; with it the non-private reference reaches train loss ~0.0167, like the "
      "spec prototype's 0.0165.");
  report.notes.push_back(
      "Hyperparameters are chosen on separate tuning seeds and evaluated on fresh seeds (the "
      "spec tuned on seed 1 and reported seeds 1-5): with 36 DIFF2 configurations against 9 for "
      "DP-GD, selecting on an evaluation seed would favour DIFF2. The 3 best configurations of "
      "the first tuning seed are re-run on a second one and the smallest worse-of-two train loss "
      "wins, because single-seed selection picked DIFF2 settings with C2 = 0.3 whose clipped "
      "differences drift on other seeds. The train loss and gradient norms are diagnostics on "
      "the private data and are not covered by epsilon.");
  return report;
}

const Registrar registrar{{
    .id = "diff2",
    .paper = "T. Murata, T. Suzuki, DIFF2: Differential Private Optimization via Gradient "
             "Differences for Nonconvex Distributed Learning, ICML 2023",
    .summary = "DIFF2-GD vs DP-GD on a 4-worker private teacher-MLP task (eps 1 and 0.5), both "
               "tuned on the spec's grids; accounting and the stability guard (spec P5, P6).",
    .run = &run_diff2,
}};

}  // namespace
}  // namespace descent::experiments
