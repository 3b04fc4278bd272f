// Reproduction `subgm`: the sub-gradient method with small initialization for robust matrix
// recovery.
//
// J. Ma, S. Fattahi, "Global Convergence of Sub-gradient Method for Robust Matrix Recovery: Small
// Initialization, Noisy Measurements, and Over-parameterization", JMLR 24 (2023), 22-0233.
//
// The paper's figure values are not available; the thresholds are the spec's self-calibrated
// checks S1-S6 (../shared/papers/robust_recovery_and_privacy.md, section 1.5) at its setup:
// d = 50, r = 3, eigenvalues (1, 0.75, 0.5), m = 1500 Gaussian measurements (non-symmetric),
// outliers 10 |X*|_F N(0,1) with probability p, U_0 = alpha B (|B|_2 = 1).
//   S1 geometric (alpha 1e-12, eta0 0.5, rho 0.99, p 0.1): r' in {3, 10} reach 1e-6 within 1400
//      iterations with iters(10)/iters(3) <= 1.05;
//   S2 warm-up (100 x 0.5, then x0.95): r' in {3, 10, 50} within 400, error < 1e-8 at t = 600;
//   S3 the S2 schedule at r' = 10 under p = 0.3 outliers and the Gaussian model p = 0.5, nu = 1:
//      within 400 (r' = 3 is reported too);
//   S4 alpha = 1 ends above 1e-2; floors order alpha 1e-3 > 1e-6 > 1e-12 (r' = 10, S1 schedule);
//   S5 l2-GD: with p = 0.1 outliers (step 0.05) error > 0.5; noiseless (step 0.2, alpha 1e-3)
//      r' = 10 does not reach 1e-5 in 1000 iterations, r' = 3 does in < 200;
//   S6 r' = 10: m = 600 never below 1e-3 (the smallest error over all iterations), m = 900
//      below 1e-6; the spec's protocol is the S2 warm-up schedule with 600 iterations (its table
//      row "Same, r' = 10, m in {600, 900, 1200}" follows the warm-up rows), which decides the
//      claim and the s6.* metrics; the paper's geometric schedule is reported beside it.
// Every check runs on several seeds (quick 3, full 5; S4 and S5 on one seed in quick) and is
// decided on the median over seeds, as the spec asks ("claim checks on medians over seeds"); the
// worst seed is shown beside it.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"
#include "descent/recovery/l2_gd.hpp"
#include "descent/recovery/problem.hpp"
#include "descent/recovery/subgm.hpp"

namespace descent::experiments {
namespace {

using namespace descent::recovery;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr Eigen::Index kD = 50, kRank = 3, kM = 1500;

std::string fmt(double v, const char* f = "%.3g") {
  if (std::isinf(v)) return "never";
  if (std::isnan(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

double worst(const std::vector<double>& v) {
  return v.empty() ? kNaN : *std::max_element(v.begin(), v.end());
}
double best(const std::vector<double>& v) {
  return v.empty() ? kNaN : *std::min_element(v.begin(), v.end());
}
int count_finite(const std::vector<double>& v) {
  return static_cast<int>(
      std::count_if(v.begin(), v.end(), [](double x) { return std::isfinite(x); }));
}
// A metric must be a number; "never" (inf) is reported as NaN (null in summary.json).
double finite_or_nan(double v) {
  return std::isfinite(v) ? v : kNaN;
}

struct RunResult {
  double hit = kInf;    // first iteration with error < 1e-6 (inf: never)
  double final = kNaN;  // error at the last iteration
  double at600 = kNaN;  // error at t = 600 (when the run is that long)
  double hit5 = kInf;   // first iteration below 1e-5 (l2 baseline)
  double least = kInf;  // smallest error over all iterations ("never below" checks)
};

StepSchedule geometric() {
  return StepSchedule{};
}
StepSchedule warmup() {
  return StepSchedule::parse("warmup:eta0=0.5,t0=100,rho=0.95");
}

RecoveryProblem problem(std::uint64_t seed, double p_out, Eigen::Index m = kM,
                        const std::string& gaussian = "") {
  SyntheticOptions o;
  o.dimension = kD;
  o.rank = kRank;
  o.measurements = m;
  o.noise.outlier_probability = p_out;
  if (!gaussian.empty()) o.noise.parse(gaussian);
  return make_synthetic_problem(o, seed);
}

struct Runner {
  explicit Runner(const ExperimentConfig& c) : cfg(c) {}
  const ExperimentConfig& cfg;
  std::vector<std::string> csvs;  // written histories (first seed only)

  RunResult subgm(const RecoveryProblem& p, std::uint64_t seed, Eigen::Index rprime, double alpha,
                  const StepSchedule& schedule, std::size_t T, const std::string& csv) {
    Rng rng = make_rng(seed, {4});
    Eigen::MatrixXd U = small_initialization(kD, rprime, alpha, rng);
    SubgmOptions o;
    o.schedule = schedule;
    o.max_iterations = T;
    o.threads = std::max(1, cfg.threads);
    return finish(minimize_subgm(*p.op, p.y, U, o, track(csv), &p.X_star), csv);
  }

  RunResult l2(const RecoveryProblem& p, std::uint64_t seed, Eigen::Index rprime, double alpha,
               double step, std::size_t T, const std::string& csv) {
    Rng rng = make_rng(seed, {4});
    Eigen::MatrixXd U = small_initialization(kD, rprime, alpha, rng);
    L2GdOptions o;
    o.step_size = step;
    o.max_iterations = T;
    o.threads = std::max(1, cfg.threads);
    return finish(minimize_l2_gd(*p.op, p.y, U, o, track(csv), &p.X_star), csv);
  }

 private:
  // A callback that catches the error at t = 600 and the first time below 1e-5, and (for the
  // plotted runs) keeps every 5th row.
  struct Tracker : Callback {
    RunResult r;
    bool keep = false;
    std::vector<std::array<double, 4>> rows;
    bool iteration(const IterationInfo& info) override {
      const double err = info.extras.empty() ? kNaN : info.extras[0].value;
      if (info.iteration == 600) r.at600 = err;
      if (err < r.least) r.least = err;
      if (std::isinf(r.hit5) && err < 1e-5) r.hit5 = double(info.iteration);
      if (keep && (info.iteration % 5 == 0 || info.iteration == 1))
        rows.push_back({double(info.iteration), err, info.objective, info.step_size});
      return false;
    }
  };
  std::shared_ptr<Tracker> tracker_;

  Callbacks track(const std::string& csv) {
    tracker_ = std::make_shared<Tracker>();
    tracker_->keep = !csv.empty();
    Callbacks cbs;
    cbs.add(tracker_);
    return cbs;
  }

  RunResult finish(const Summary& s, const std::string& csv) {
    RunResult r = tracker_->r;
    const double hit = s.counters.at("iterations_to_tolerance");
    r.hit = std::isnan(hit) ? kInf : hit;
    r.final = s.counters.at("relative_error");
    if (!csv.empty()) {
      Eigen::MatrixXd rows(static_cast<Eigen::Index>(tracker_->rows.size()), 4);
      for (std::size_t i = 0; i < tracker_->rows.size(); ++i)
        for (int c = 0; c < 4; ++c) rows(static_cast<Eigen::Index>(i), c) = tracker_->rows[i][c];
      io::write_csv(cfg.out_dir + "/" + csv, rows, {"iteration", "relative_error", "loss", "step"});
      csvs.push_back(csv);
    }
    return r;
  }
};

Report run_subgm(const ExperimentConfig& cfg) {
  Report report;
  const int n_seeds = cfg.quick ? 3 : 5;
  const int n_seeds_slow = cfg.quick ? 1 : 5;  // S4 and S5 (4000+ iterations per seed)
  Runner run(cfg);

  // Per-seed results, one vector per quantity.
  std::vector<double> s1_r3, s1_r10, s1_ratio, s1_err_r3, s1_err_r10;
  std::vector<double> s2_r3, s2_r10, s2_r50, s2_e600_r3, s2_e600_r10, s2_e600_r50;
  std::vector<double> s3_out, s3_out_r3, s3_gauss, s3_gauss_r3, s3_out_e600, s3_gauss_e600;
  std::vector<double> s4_a1, s4_a3, s4_a6, s4_a12;
  std::vector<double> s5_out, s5_r3_hit5, s5_r10_final, s5_r10_hit5, s5_large;
  std::vector<double> s6_m600, s6_m600_final, s6_m900, s6_m900_err, s6g_m600, s6g_m900, s3_out_geo;
  std::vector<double> s5_r3_hit5_02, s5_r10_hit5_02;
  std::vector<double> s6g_m600_r3, s6g_m900_r3, s6_m600_r3, s6_m900_r3;  // full run only
  Eigen::MatrixXd per_seed(n_seeds, 16);
  per_seed.setConstant(kNaN);

  for (int k = 0; k < n_seeds; ++k) {
    const std::uint64_t seed = cfg.seed + 1 + static_cast<std::uint64_t>(k);
    const bool plot = k == 0;
    auto name = [&](const std::string& s) { return plot ? s : std::string(); };
    const RecoveryProblem p10 = problem(seed, 0.1);

    // S1: geometric schedule, r' = 3 and 10 (and 50 for the plot).
    const RunResult a = run.subgm(p10, seed, 3, 1e-12, geometric(), 1500, name("s1_r3.csv"));
    const RunResult b = run.subgm(p10, seed, 10, 1e-12, geometric(), 1500, name("s1_r10.csv"));
    s1_r3.push_back(a.hit);
    s1_r10.push_back(b.hit);
    s1_ratio.push_back(b.hit / a.hit);
    s1_err_r3.push_back(a.final);
    s1_err_r10.push_back(b.final);
    if (plot && !cfg.quick) run.subgm(p10, seed, 50, 1e-12, geometric(), 1500, "s1_r50.csv");

    // S2: warm-up schedule, r' in {3, 10, 50}.
    const RunResult w3 = run.subgm(p10, seed, 3, 1e-12, warmup(), 600, name("s2_r3.csv"));
    const RunResult w10 = run.subgm(p10, seed, 10, 1e-12, warmup(), 600, name("s2_r10.csv"));
    const RunResult w50 = run.subgm(p10, seed, 50, 1e-12, warmup(), 600, name("s2_r50.csv"));
    s2_r3.push_back(w3.hit);
    s2_r10.push_back(w10.hit);
    s2_r50.push_back(w50.hit);
    s2_e600_r3.push_back(w3.final);
    s2_e600_r10.push_back(w10.final);
    s2_e600_r50.push_back(w50.final);

    // S3: noise models with the S2 schedule, r' = 10 (the claim) and r' = 3.
    const RecoveryProblem p30 = problem(seed, 0.3);
    const RunResult o10 = run.subgm(p30, seed, 10, 1e-12, warmup(), 600, name("s3_outliers30.csv"));
    const RunResult o3 =
        cfg.quick ? RunResult{} : run.subgm(p30, seed, 3, 1e-12, warmup(), 600, "");
    const RecoveryProblem pg = problem(seed, 0.0, kM, "gaussian:p=0.5,nu=1");
    const RunResult g10 = run.subgm(pg, seed, 10, 1e-12, warmup(), 600, name("s3_gaussian.csv"));
    const RunResult g3 = cfg.quick ? RunResult{} : run.subgm(pg, seed, 3, 1e-12, warmup(), 600, "");
    s3_out.push_back(o10.hit);
    if (!cfg.quick) s3_out_r3.push_back(o3.hit);
    s3_out_e600.push_back(o10.final);
    s3_gauss.push_back(g10.hit);
    if (!cfg.quick) s3_gauss_r3.push_back(g3.hit);
    s3_gauss_e600.push_back(g10.final);

    // S6: sample size, r' = 10, S2 schedule (the A_i and s_i are prefixes of the m = 1500 ones).
    const RecoveryProblem q600 = problem(seed, 0.1, 600), q900 = problem(seed, 0.1, 900);
    const RunResult m600 = run.subgm(q600, seed, 10, 1e-12, warmup(), 600, name("s6_m600.csv"));
    const RunResult m900 = run.subgm(q900, seed, 10, 1e-12, warmup(), 600, name("s6_m900.csv"));
    s6_m600.push_back(m600.least);
    s6_m600_final.push_back(m600.final);
    s6_m900.push_back(m900.hit);
    s6_m900_err.push_back(m900.final);
    // The paper's geometric schedule (S1's), which leaves the residual directions more time.
    const RunResult g600 =
        run.subgm(q600, seed, 10, 1e-12, geometric(), 1500, name("s6_m600_geometric.csv"));
    const RunResult g900 =
        run.subgm(q900, seed, 10, 1e-12, geometric(), 1500, name("s6_m900_geometric.csv"));
    s6g_m600.push_back(g600.least);
    s6g_m900.push_back(g900.hit);
    if (!cfg.quick) {
      // The same with the true rank r' = 3: the paper's claim is that r' does not change the
      // sample requirement.
      s6g_m600_r3.push_back(run.subgm(q600, seed, 3, 1e-12, geometric(), 1500, "").final);
      s6g_m900_r3.push_back(run.subgm(q900, seed, 3, 1e-12, geometric(), 1500, "").final);
      s6_m600_r3.push_back(run.subgm(q600, seed, 3, 1e-12, warmup(), 600, "").final);
      s6_m900_r3.push_back(run.subgm(q900, seed, 3, 1e-12, warmup(), 600, "").final);
    }

    if (k < n_seeds_slow) {
      // S4: initialization scale (r' = 10, S1 schedule; alpha = 1e-12 is S1's r' = 10 run).
      s4_a1.push_back(
          run.subgm(p10, seed, 10, 1.0, geometric(), 1500, name("s4_alpha1.csv")).final);
      s4_a3.push_back(
          run.subgm(p10, seed, 10, 1e-3, geometric(), 1500, name("s4_alpha1e-3.csv")).final);
      s4_a6.push_back(
          run.subgm(p10, seed, 10, 1e-6, geometric(), 1500, name("s4_alpha1e-6.csv")).final);
      s4_a12.push_back(b.final);
      // S3 at p = 0.3 with the paper's geometric schedule.
      s3_out_geo.push_back(run.subgm(p30, seed, 10, 1e-12, geometric(), 1500, "").hit);
      // S5: the l2 baselines. Our f_l2 = (1/(4m)) sum r^2 (the spec's normalisation) has half
      // the gradient of (1/(2m)) sum r^2, which the prototype probably used (its normalisation
      // was not recorded): step 0.4 here is its step 0.2. Both are run; 0.4 decides the claim.
      const RecoveryProblem p0 = problem(seed, 0.0);
      s5_out.push_back(run.l2(p10, seed, 10, 1e-3, 0.1, 1000, name("s5_l2_outliers.csv")).final);
      const RunResult l3 = run.l2(p0, seed, 3, 1e-3, 0.4, 1000, name("s5_l2_r3.csv"));
      const RunResult l10 = run.l2(p0, seed, 10, 1e-3, 0.4, 1000, name("s5_l2_r10.csv"));
      s5_r3_hit5.push_back(l3.hit5);
      s5_r10_hit5.push_back(l10.hit5);
      s5_r10_final.push_back(l10.final);
      s5_r3_hit5_02.push_back(run.l2(p0, seed, 3, 1e-3, 0.2, 1000, "").hit5);
      s5_r10_hit5_02.push_back(run.l2(p0, seed, 10, 1e-3, 0.2, 1000, "").hit5);
      // The l2 baseline with a large initialization (alpha = 1), for the plot.
      s5_large.push_back(
          run.l2(p0, seed, 10, 1.0, 0.4, 1000, name("s5_l2_r10_large_init.csv")).final);
    }
    per_seed.row(k) << double(seed), a.hit, b.hit, w3.hit, w10.hit, w50.hit, w50.final, o10.hit,
        o3.hit, g10.hit, g3.hit, m600.least, m900.hit, k < n_seeds_slow ? s4_a1.back() : kNaN,
        k < n_seeds_slow ? s5_out.back() : kNaN, k < n_seeds_slow ? s5_r10_final.back() : kNaN;
  }
  // "never" is written as inf in the CSV.
  io::write_csv(
      cfg.out_dir + "/seeds.csv", per_seed,
      {"seed", "s1_r3", "s1_r10", "s2_r3", "s2_r10", "s2_r50", "s2_r50_err600", "s3_outliers30_r10",
       "s3_outliers30_r3", "s3_gaussian_r10", "s3_gaussian_r3", "s6_m600_min_err", "s6_m900",
       "s4_alpha1_err", "s5_l2_outlier_err", "s5_l2_r10_err"});

  // ---- metrics (medians over seeds) ----
  const double m_s1_r3 = median(s1_r3), m_s1_r10 = median(s1_r10), m_ratio = median(s1_ratio);
  report.metric("s1.iters_r3", finite_or_nan(m_s1_r3));
  report.metric("s1.iters_r10", finite_or_nan(m_s1_r10));
  report.metric("s1.iter_ratio", finite_or_nan(m_ratio));
  report.metric("s1.iter_ratio_max", finite_or_nan(worst(s1_ratio)));
  report.metric("s1.error_t1500_r3", median(s1_err_r3));
  report.metric("s1.error_t1500_r10", median(s1_err_r10));
  report.metric("s2.iters_r3", finite_or_nan(median(s2_r3)));
  report.metric("s2.iters_r10", finite_or_nan(median(s2_r10)));
  report.metric("s2.iters_r50", finite_or_nan(median(s2_r50)));
  report.metric("s2.error_t600_r3", median(s2_e600_r3));
  report.metric("s2.error_t600_r10", median(s2_e600_r10));
  report.metric("s2.error_t600_r50", median(s2_e600_r50));
  report.metric("s3.outlier30_iters", finite_or_nan(median(s3_out)));
  report.metric("s3.outlier30_iters_r3", finite_or_nan(median(s3_out_r3)));
  report.metric("s3.outlier30_error_t600", median(s3_out_e600));
  report.metric("s3.gaussian_iters", finite_or_nan(median(s3_gauss)));
  report.metric("s3.gaussian_iters_r3", finite_or_nan(median(s3_gauss_r3)));
  report.metric("s3.gaussian_error_t600", median(s3_gauss_e600));
  report.metric("s4.large_init_error", median(s4_a1));
  report.metric("s4.floor_alpha1e-3", median(s4_a3));
  report.metric("s4.floor_alpha1e-6", median(s4_a6));
  report.metric("s4.floor_alpha1e-12", median(s4_a12));
  report.metric("s5.l2_outlier_error", median(s5_out));
  report.metric("s5.l2_r3_iters_to_1e-5", finite_or_nan(median(s5_r3_hit5)));
  report.metric("s5.l2_r10_error_t1000", median(s5_r10_final));
  report.metric("s5.l2_r10_large_init_error_t1000", median(s5_large));
  report.metric("s3.outlier30_iters_geometric", finite_or_nan(median(s3_out_geo)));
  report.metric("s5.l2_r3_iters_to_1e-5_step0.2", finite_or_nan(median(s5_r3_hit5_02)));
  report.metric("s5.l2_r10_iters_to_1e-5_step0.2", finite_or_nan(median(s5_r10_hit5_02)));
  // S6 as the spec runs it (warm-up, 600 iterations); m600_error is the smallest error reached.
  report.metric("s6.m600_error", median(s6_m600));
  report.metric("s6.m600_error_t600", median(s6_m600_final));
  report.metric("s6.m900_iters", finite_or_nan(median(s6_m900)));
  report.metric("s6.m900_error_t600", median(s6_m900_err));
  report.metric("s6.m900_seeds_below_1e-6", count_finite(s6_m900));
  report.metric("s6.m600_error_r3", median(s6_m600_r3));
  report.metric("s6.m900_error_r3", median(s6_m900_r3));
  report.metric("s6.geometric_m600_error", median(s6g_m600));
  report.metric("s6.geometric_m900_iters", finite_or_nan(median(s6g_m900)));
  report.metric("s6.geometric_m600_error_r3", median(s6g_m600_r3));
  report.metric("s6.geometric_m900_error_r3", median(s6g_m900_r3));
  report.metric("seeds", n_seeds);

  const std::string seeds_text = std::to_string(n_seeds) + " seeds";
  auto iters_text = [&](const std::vector<double>& v) {
    return "median " + fmt(median(v), "%.0f") + " (" + fmt(best(v), "%.0f") + "-" +
           fmt(worst(v), "%.0f") + "; " + std::to_string(count_finite(v)) + "/" +
           std::to_string(v.size()) + " seeds reach 1e-6)";
  };
  const char* na = "not available (no official code or figure values; spec-calibrated)";

  // ---- claims ----
  report.check("s1_overparameterization_agnostic",
               "S1: with small initialization (alpha 1e-12) and the geometric schedule (eta0 0.5, "
               "rho 0.99), r' = 3 and r' = 10 both reach relative error < 1e-6 within 1400 "
               "iterations and iters(r'=10)/iters(r'=3) <= 1.05",
               std::string(na) + "; spec prototype: t = 1291/1312 (r'=3), 1289/1312 (r'=10)",
               "r'=3: " + iters_text(s1_r3) + "; r'=10: " + iters_text(s1_r10) + "; ratio median " +
                   fmt(m_ratio, "%.3f") + ", max " + fmt(worst(s1_ratio), "%.3f"),
               m_s1_r3 <= 1400 && m_s1_r10 <= 1400 && m_ratio <= 1.05, "median over " + seeds_text);
  report.check("s2_fast_schedule",
               "S2: warm-up (eta 0.5 for 100 iterations, then x0.95, not from the paper) reaches "
               "< 1e-6 within 400 iterations for r' in {3, 10, 50}",
               std::string(na) + "; spec prototype: t = 353-359",
               "r'=3: " + iters_text(s2_r3) + "; r'=10: " + iters_text(s2_r10) +
                   "; r'=50: " + iters_text(s2_r50),
               median(s2_r3) <= 400 && median(s2_r10) <= 400 && median(s2_r50) <= 400,
               "median over " + seeds_text);
  report.check(
      "s2_error_at_600", "S2: relative error < 1e-8 at t = 600 for r' in {3, 10, 50}",
      "spec prototype: 1.7e-10 (r'=10), 1.4e-9 (r'=50)",
      "median r'=3 " + fmt(median(s2_e600_r3)) + ", r'=10 " + fmt(median(s2_e600_r10)) +
          ", r'=50 " + fmt(median(s2_e600_r50)) + "; worst seed " + fmt(worst(s2_e600_r10)) +
          " / " + fmt(worst(s2_e600_r50)),
      median(s2_e600_r3) < 1e-8 && median(s2_e600_r10) < 1e-8 && median(s2_e600_r50) < 1e-8,
      "median over " + seeds_text +
          "; with r' > r the residual directions set a floor "
          "above eta_t on some seeds");
  report.check("s3_outliers30",
               "S3: 30% outliers (10 |X*|_F N(0,1)), S2 schedule, r' = 10: < 1e-6 within 400 "
               "iterations",
               "spec prototype: t = 354, 4.4e-8 at t = 600",
               iters_text(s3_out) + "; error at t = 600 median " + fmt(median(s3_out_e600)) +
                   ", worst " + fmt(worst(s3_out_e600)) +
                   (cfg.quick ? std::string() : "; r' = 3: " + iters_text(s3_out_r3)) +
                   "; geometric schedule (S1), r' = 10: " + iters_text(s3_out_geo),
               median(s3_out) <= 400,
               "median over " + seeds_text +
                   "; seeds that miss plateau just above 1e-6: the "
                   "warm-up's step decays too fast for the over-parameterized residual directions "
                   "at p = 0.3 (r' = 3 and the paper's geometric schedule both reach 1e-6)");
  report.check("s3_gaussian",
               "S3: Gaussian noise model (p = 0.5, nu = 1), S2 schedule, r' = 10: < 1e-6 within "
               "400 iterations (convergence to the ground truth, not to the l1 minimiser)",
               "spec prototype: t = 353, 7.3e-8 at t = 600",
               iters_text(s3_gauss) + "; error at t = 600 median " + fmt(median(s3_gauss_e600)) +
                   (cfg.quick ? std::string() : "; r' = 3: " + iters_text(s3_gauss_r3)),
               median(s3_gauss) <= 400, "median over " + seeds_text);
  const double a1 = median(s4_a1), a3 = median(s4_a3), a6 = median(s4_a6), a12 = median(s4_a12);
  report.check("s4_initialization",
               "S4: large initialization (alpha = 1, r' = 10) ends with error > 1e-2, and the "
               "error floors order as alpha 1e-3 > 1e-6 > 1e-12 (S1 schedule, 1500 iterations)",
               "spec prototype: alpha = 1 stalls at 4.2e-2; floors 1.3e-3 / 1.4e-4 / < 1e-9",
               "alpha = 1: " + fmt(a1) + "; floors " + fmt(a3) + " > " + fmt(a6) + " > " +
                   fmt(a12) + " (medians over " + std::to_string(s4_a1.size()) + " seed(s))",
               a1 > 1e-2 && a3 > a6 && a6 > a12,
               "our floors are higher than the prototype's (alpha = 1: 1.1e-2 vs 4.2e-2) but "
               "order the same way");
  const double l2o = median(s5_out), l2h3 = median(s5_r3_hit5), l2h10 = median(s5_r10_hit5);
  report.check("s5_l2_baselines",
               "S5: l2-GD is not robust (p = 0.1 outliers: error > 0.5) and is slow when "
               "over-parameterized (noiseless, alpha = 1e-3: r' = 10 does not reach 1e-5 in 1000 "
               "iterations; r' = 3 does in < 200)",
               "spec prototype: 2.2 with outliers; r'=3 at t = 133; r'=10 stalls at 1.0e-4",
               "outliers (step 0.1): " + fmt(l2o) +
                   "; step 0.4: r'=3 reaches 1e-5 at t = " + fmt(l2h3, "%.0f") + ", r'=10 " +
                   (std::isinf(l2h10) ? "never" : "at t = " + fmt(l2h10, "%.0f")) + " (error " +
                   fmt(median(s5_r10_final)) +
                   " at t = 1000); step 0.2: r'=3 at t = " + fmt(median(s5_r3_hit5_02), "%.0f") +
                   ", r'=10 " + fmt(median(s5_r10_hit5_02), "%.0f"),
               l2o > 0.5 && l2h3 < 200 && std::isinf(l2h10),
               "medians over " + std::to_string(s5_out.size()) +
                   " seed(s). Our l2 loss is the "
                   "spec's (1/(4m)) sum r^2, whose gradient is half that of (1/(2m)) sum r^2; the "
                   "spec's t = 133 at step 0.2 matches the latter, so step 0.4 here (the same "
                   "iteration) decides the claim; step 0.2 is shown too");
  // S6 decided on the spec's protocol: warm-up schedule, 600 iterations; "m = 600 never below
  // 1e-3" is the smallest error over the run (not only the last), m = 900 must reach 1e-6.
  const bool s6_m600_fails = median(s6_m600) > 1e-3, s6_m900_ok = std::isfinite(median(s6_m900));
  report.check(
      "s6_sample_size",
      "S6 (spec protocol: warm-up schedule, 600 iterations, r' = 10): with m = 600 measurements "
      "the error never goes below 1e-3; with m = 900 it goes below 1e-6",
      "spec prototype: m = 600 never < 1e-3; m = 900 at t = 363",
      "m = 600: smallest error median " + fmt(median(s6_m600)) + " (lowest seed " +
          fmt(best(s6_m600)) + "); m = 900: " + iters_text(s6_m900) + ", error at t = 600 median " +
          fmt(median(s6_m900_err)) +
          (cfg.quick ? std::string()
                     : "; with r' = r = 3: m = 600 " + fmt(median(s6_m600_r3)) + ", m = 900 " +
                           fmt(median(s6_m900_r3))),
      s6_m600_fails && s6_m900_ok,
      "median over " + seeds_text +
          (s6_m900_ok ? std::string()
                      : ". At m = 900 the warm-up's fast step decay freezes the over-parameterized "
                        "residual directions near 1e-5; an independent numpy re-implementation "
                        "(tests/recovery/reference_subgm.py) shows the same plateau, so the spec "
                        "prototype's t = 363 is not reproduced") +
          (s6_m600_fails ? "" : ". m = 600 goes below 1e-3 on most seeds"));
  report.check(
      "s6_sample_size_geometric",
      "S6 with the paper's geometric schedule (S1's, 1500 iterations) instead: m = 600 never "
      "below 1e-3, m = 900 below 1e-6",
      "spec prototype: measured with the warm-up schedule only",
      "m = 600: smallest error median " + fmt(median(s6g_m600)) + " (lowest seed " +
          fmt(best(s6g_m600)) + "); m = 900: " + iters_text(s6g_m900) +
          (cfg.quick ? std::string()
                     : "; with r' = r = 3: m = 600 " + fmt(median(s6g_m600_r3)) + ", m = 900 " +
                           fmt(median(s6g_m900_r3))),
      median(s6g_m600) > 1e-3 && std::isfinite(median(s6g_m900)),
      "median over " + seeds_text +
          ". The slower geometric decay leaves the residual directions time to shrink, so here "
          "m = 900 succeeds while m = 600 ends near the 1e-3 line");

  // ---- plots (first seed) ----
  auto series = [](const std::string& csv, const std::string& label) {
    return PlotSeries{csv, "iteration", "relative_error", label};
  };
  report.plots.push_back(
      {"overparameterization.png",
       "SubGM, r' in {3, 10, 50}: geometric (S1) and warm-up (S2) schedules",
       "iteration",
       "|UU^T - X*|_F / |X*|_F",
       false,
       true,
       {series("s1_r3.csv", "geometric, r' = 3"), series("s1_r10.csv", "geometric, r' = 10"),
        series("s2_r3.csv", "warm-up, r' = 3"), series("s2_r10.csv", "warm-up, r' = 10"),
        series("s2_r50.csv", "warm-up, r' = 50")}});
  if (!cfg.quick) report.plots.back().series.push_back(series("s1_r50.csv", "geometric, r' = 50"));
  report.plots.push_back(
      {"noise.png",
       "SubGM under noise (warm-up, r' = 10)",
       "iteration",
       "relative error",
       false,
       true,
       {series("s2_r10.csv", "10% outliers"), series("s3_outliers30.csv", "30% outliers"),
        series("s3_gaussian.csv", "Gaussian, p = 0.5, nu = 1")}});
  report.plots.push_back(
      {"initialization.png",
       "Initialization scale alpha (geometric, r' = 10, 10% outliers)",
       "iteration",
       "relative error",
       false,
       true,
       {series("s4_alpha1.csv", "alpha = 1"), series("s4_alpha1e-3.csv", "alpha = 1e-3"),
        series("s4_alpha1e-6.csv", "alpha = 1e-6"), series("s1_r10.csv", "alpha = 1e-12")}});
  report.plots.push_back({"l2_baselines.png",
                          "l2-GD baselines against SubGM",
                          "iteration",
                          "relative error",
                          false,
                          true,
                          {series("s5_l2_r3.csv", "l2-GD r' = 3, noiseless"),
                           series("s5_l2_r10.csv", "l2-GD r' = 10, noiseless"),
                           series("s5_l2_r10_large_init.csv", "l2-GD r' = 10, alpha = 1"),
                           series("s5_l2_outliers.csv", "l2-GD r' = 10, 10% outliers"),
                           series("s2_r10.csv", "SubGM warm-up r' = 10, 10% outliers")}});
  report.plots.push_back(
      {"sample_size.png",
       "Sample size (r' = 10, 10% outliers)",
       "iteration",
       "relative error",
       false,
       true,
       {series("s6_m600.csv", "warm-up, m = 600"), series("s6_m900.csv", "warm-up, m = 900"),
        series("s2_r10.csv", "warm-up, m = 1500"),
        series("s6_m600_geometric.csv", "geometric, m = 600"),
        series("s6_m900_geometric.csv", "geometric, m = 900")}});

  report.config = {{"d", kD},
                   {"r", kRank},
                   {"eigenvalues", {1.0, 0.75, 0.5}},
                   {"m", kM},
                   {"ensemble", "gaussian (non-symmetric)"},
                   {"outliers", "10 |X*|_F N(0,1) with probability p"},
                   {"geometric", geometric().to_string()},
                   {"warmup", warmup().to_string()},
                   {"seeds", n_seeds},
                   {"seeds_s4_s5", n_seeds_slow},
                   {"first_seed", cfg.seed + 1},
                   {"threads", cfg.threads}};
  report.notes.push_back(
      "Neither paper figure values nor official code exist, so every threshold is the spec's "
      "self-calibrated regression target from a reference prototype; 'paper' columns quote that "
      "prototype. Claims are decided on the median over seeds; seeds.csv has every seed "
      "('inf' = never reached 1e-6).");
  report.notes.push_back(
      "The warm-up schedule (constant 0.5 for 100 iterations, then x0.95 per iteration) is not "
      "from the paper; it is the spec's fast variant. The measurement operator stores the packed "
      "upper triangle of A_i + A_i^T (m x d(d+1)/2), so each iteration is two GEMVs of half the "
      "size of the stacked m x d^2 form.");
  return report;
}

const Registrar registrar{{
    .id = "subgm",
    .paper = "J. Ma, S. Fattahi, Global Convergence of Sub-gradient Method for Robust Matrix "
             "Recovery: Small Initialization, Noisy Measurements, and Over-parameterization, "
             "JMLR 24 (2023)",
    .summary = "SubGM with small initialization: over-parameterization (r' = 3, 10, 50), outlier "
               "and Gaussian noise, initialization scale, l2-GD baselines and sample size (spec "
               "checks S1-S6).",
    .run = &run_subgm,
}};

}  // namespace
}  // namespace descent::experiments
