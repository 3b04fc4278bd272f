// Reproduction `gns`: Newton with approximate Hessians and adaptive gradient regularisation.
//
// A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for Optimization with
// Approximate Hessians", arXiv:2506.13710, 2025 (ICLR 2026).
//
// The paper has no numeric tables: its evidence is loss-against-iterations and loss-against-time
// curves. We run, on each problem, exact-Hessian GNS (Algorithm 1), GNS with the paper's Hessian
// approximation for that problem, and the baselines of its reference code (gradient method in
// the metric B and in the Euclidean metric, fast gradient method, cubic Newton, Super-Universal
// Newton), all with the reference defaults and the same stopping rule:
//   logsumexp   LogSumExp, n = m = 500, μ = 1, zero optimum, x0 = 1, B = AᵀA; weighted GN
//   nle         linear equations with p = 4, A 100 x 200, x0 = 1, B = AᵀA + 1e-8 I; rank-one
//               Fisher term, solved both by Cholesky and by Sherman–Morrison
//   chebyshev   Chebyshev chain, n = 1000, p = 4, x0 ~ U[0,1]^n, B = I; GN + Fisher
//   logreg      logistic regression, breast_cancer (569 x 30 + intercept), reg 1e-4, x0 = 0;
//               constant curvature bound XᵀX/(4m) (weighted GN reported too)
//   softmax     softmax regression, digits (1797 x 64 + intercept, 10 classes), reg 1e-3;
//               weighted GN (block diagonal)
// The first three stop at f − f* < 1e-8 (f* known), the regressions at ||∇f|| < 1e-10.
// The acceptance checks of the spec additionally use LogSumExp with n = m = 200 over five seeds.
// --quick lowers the iteration caps of the slow (first-order and approximate) runs only.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"
#include "descent/newton/cubic_newton.hpp"
#include "descent/newton/gns.hpp"
#include "descent/newton/gradient_methods.hpp"
#include "descent/newton/norm.hpp"
#include "descent/newton/regularized_solver.hpp"
#include "descent/newton/super_universal_newton.hpp"
#include "descent/problems/factory.hpp"

namespace descent::experiments {
namespace {

using newton::HessianSource;
using problems::HessianApproximation;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPlotFloor = 1e-16;  // gaps below this are drawn at the floor (log axis)

std::string fmt(double v, const char* f = "%.3g") {
  return format_number(v, f);
}
std::string count(double v) {
  return fmt(v, "%.0f");
}

struct Setup {
  std::string key;
  std::string spec;
  std::string title;
  bool gradient_stop = false;  // stop on ||g||_* < 1e-10 instead of f − f* < 1e-8
  HessianApproximation approx = HessianApproximation::exact;
  std::optional<HessianApproximation> second_approx;  // reported as gns_approx2
  bool sherman_morrison = false;
  std::size_t newton_cap = 1000;
  std::size_t approx_cap = 1000;
  std::size_t first_order_cap = 20000;
};

struct Run {
  std::string id;     // csv / metric suffix
  std::string label;  // plot legend
  Summary summary;
  Eigen::VectorXd x;
};

newton::CommonOptions common(const Setup& s, const problems::Instance& in, std::size_t cap,
                             bool euclidean = false) {
  newton::CommonOptions o;
  o.max_iterations = cap;
  if (!euclidean) o.metric = in.metric;
  if (s.gradient_stop) {
    o.gradient_tolerance = 1e-10;
  } else {
    o.optimal_value = in.optimal_value;
    o.value_tolerance = 1e-8;
  }
  o.record_history = true;
  o.history_stride = std::max<std::size_t>(1, cap / 2000);  // at most ~2000 rows per curve
  return o;
}

Run run_gns(const std::string& id, const std::string& label, const problems::Instance& in,
            const newton::CommonOptions& c, HessianApproximation a,
            newton::LinearSolver solver = newton::LinearSolver::cholesky) {
  newton::GnsOptions o;
  static_cast<newton::CommonOptions&>(o) = c;
  o.linear_solver = solver;
  Run r{id, label, {}, in.x0};
  r.summary = newton::minimize_gns(*in.oracle, r.x, HessianSource::approximation(*in.oracle, a), o);
  return r;
}

Run run_gd(const std::string& id, const std::string& label, const problems::Instance& in,
           const newton::CommonOptions& c, bool fast) {
  newton::GradientMethodOptions o;
  static_cast<newton::CommonOptions&>(o) = c;
  Run r{id, label, {}, in.x0};
  r.summary = fast ? newton::minimize_fast_gradient_method(*in.oracle, r.x, o)
                   : newton::minimize_gradient_method(*in.oracle, r.x, o);
  return r;
}

Run run_cubic(const problems::Instance& in, const newton::CommonOptions& c) {
  newton::CubicNewtonOptions o;
  static_cast<newton::CommonOptions&>(o) = c;
  Run r{"cubic", "cubic Newton", {}, in.x0};
  r.summary = newton::minimize_cubic_newton(*in.oracle, r.x, HessianSource::exact(*in.oracle), o);
  return r;
}

Run run_super(const problems::Instance& in, const newton::CommonOptions& c) {
  newton::SuperUniversalOptions o;
  static_cast<newton::CommonOptions&>(o) = c;
  Run r{"super_universal", "super-universal Newton", {}, in.x0};
  r.summary =
      newton::minimize_super_universal_newton(*in.oracle, r.x, HessianSource::exact(*in.oracle), o);
  return r;
}

double counter(const Summary& s, const char* key) {
  const auto it = s.counters.find(key);
  return it == s.counters.end() ? 0.0 : it->second;
}

double extra(const HistoryRow& row, const char* name) {
  for (const auto& [k, v] : row.extras)
    if (k == name) return v;
  return kNaN;
}

void write_curve(const std::string& path, const Summary& s, double fref) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(s.history.size()), 6);
  for (std::size_t i = 0; i < s.history.size(); ++i) {
    const auto& h = s.history[i];
    rows.row(static_cast<Eigen::Index>(i)) << double(h.iteration),
        std::max(h.objective - fref, kPlotFloor), h.gradient_norm, h.seconds, extra(h, "gamma"),
        extra(h, "lambda");
  }
  io::write_csv(path, rows, {"iteration", "gap", "gradient_norm", "seconds", "gamma", "lambda"});
}

bool monotone(const Summary& s) {
  for (std::size_t i = 1; i < s.history.size(); ++i)
    if (s.history[i].objective > s.history[i - 1].objective) return false;
  return true;
}

// Per-iteration contraction of the gap over the second half of a run, from a least-squares fit
// of log(gap) against the iteration; r2 is the fit's coefficient of determination.
struct Rate {
  double q = kNaN;
  double r2 = kNaN;
};
Rate linear_rate(const Summary& s, double fref) {
  std::vector<double> xs, ys;
  for (std::size_t i = s.history.size() / 2; i < s.history.size(); ++i) {
    const double gap = s.history[i].objective - fref;
    if (gap > 0) {
      xs.push_back(double(s.history[i].iteration));
      ys.push_back(std::log(gap));
    }
  }
  Rate r;
  if (xs.size() < 3) return r;
  const double n = double(xs.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) mx += xs[i] / n, my += ys[i] / n;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    sxx += (xs[i] - mx) * (xs[i] - mx);
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) * (ys[i] - my);
  }
  if (sxx <= 0 || syy <= 0) return r;
  r.q = std::exp(sxy / sxx);
  r.r2 = sxy * sxy / (sxx * syy);
  return r;
}

// Everything measured on one problem.
struct Outcome {
  Setup setup;
  std::vector<Run> runs;
  double fref = kNaN;
  const Run* find(const std::string& id) const {
    for (const auto& r : runs)
      if (r.id == id) return &r;
    return nullptr;
  }
};

Outcome run_problem(const Setup& s, const ExperimentConfig& cfg, Report& report) {
  const problems::Instance in = problems::make_instance(s.spec, cfg.seed);
  Outcome out{s, {}, kNaN};
  auto& runs = out.runs;
  const std::string approx_name(problems::to_string(s.approx));
  runs.push_back(run_gns("gns_exact", "GNS, exact Hessian", in, common(s, in, s.newton_cap),
                         HessianApproximation::exact));
  runs.push_back(run_gns("gns_approx", "GNS, " + approx_name + " (Cholesky)", in,
                         common(s, in, s.approx_cap), s.approx));
  if (s.sherman_morrison)
    runs.push_back(run_gns("gns_approx_sm", "GNS, " + approx_name + " (Sherman-Morrison)", in,
                           common(s, in, s.approx_cap), s.approx,
                           newton::LinearSolver::sherman_morrison));
  if (s.second_approx)
    runs.push_back(run_gns("gns_approx2",
                           "GNS, " + std::string(problems::to_string(*s.second_approx)), in,
                           common(s, in, s.approx_cap), *s.second_approx));
  runs.push_back(run_gd("gd", in.metric.size() ? "gradient method (B)" : "gradient method", in,
                        common(s, in, s.first_order_cap), false));
  if (in.metric.size())
    runs.push_back(run_gd("gd_euclidean", "gradient method (Euclidean)", in,
                          common(s, in, s.first_order_cap, true), false));
  runs.push_back(run_gd("fgm", "fast gradient method", in, common(s, in, s.first_order_cap), true));
  runs.push_back(run_cubic(in, common(s, in, s.newton_cap)));
  runs.push_back(run_super(in, common(s, in, s.newton_cap)));

  // f* when known; otherwise the best value any run reached (exact GNS converges to ~1e-14).
  out.fref = in.optimal_value.value_or(std::numeric_limits<double>::infinity());
  if (!in.optimal_value)
    for (const auto& r : runs) out.fref = std::min(out.fref, r.summary.objective);

  // Log-scaled iterations: the capped first-order runs would otherwise squash the Newton curves
  // (row 0, the start point, is not drawn on a log axis).
  Plot by_iter{s.key + "_iterations.png",
               s.title + ": f - f* against iterations",
               "iteration",
               "f(x_k) - f*",
               true,
               true,
               {}};
  Plot by_time{s.key + "_time.png",
               s.title + ": f - f* against time",
               "seconds",
               "f(x_k) - f*",
               true,
               true,
               {}};
  for (const auto& r : runs) {
    const std::string csv = s.key + "_" + r.id + ".csv";
    write_curve(cfg.out_dir + "/" + csv, r.summary, out.fref);
    by_iter.series.push_back({csv, "iteration", "gap", r.label});
    by_time.series.push_back({csv, "seconds", "gap", r.label});
    const std::string p = s.key + "." + r.id;
    report.metric(p + "_iters", double(r.summary.iterations));
    report.metric(p + "_converged", r.summary.converged() ? 1 : 0);
    report.metric(p + "_seconds", r.summary.seconds);
    report.metric(p + "_final_gap", r.summary.objective - out.fref);
    if (r.summary.counters.count("hessian_evaluations"))
      report.metric(p + "_solves_per_iter", counter(r.summary, "linear_solves_per_iteration"));
  }
  report.plots.push_back(by_iter);
  report.plots.push_back(by_time);

  const Run& ex = *out.find("gns_exact");
  const Run& ap = *out.find("gns_approx");
  const Run& gd = *out.find("gd");
  report.metric(s.key + ".gns_exact_iters", double(ex.summary.iterations));
  report.metric(s.key + ".gns_approx_iters", double(ap.summary.iterations));
  report.metric(s.key + ".gd_iters", double(gd.summary.iterations));
  report.metric(s.key + ".solves_per_iter", counter(ex.summary, "linear_solves_per_iteration"));
  report.metric(s.key + ".final_gap", ex.summary.objective - out.fref);
  report.metric(s.key + ".dimension", double(in.oracle->dimension()));
  return out;
}

struct SeedStats {
  std::vector<double> exact, approx, gd, gd_euclid, solves;
  double median(std::vector<double> v) const {
    std::sort(v.begin(), v.end());
    return v.empty() ? kNaN : v[v.size() / 2];
  }
  double max(const std::vector<double>& v) const {
    return v.empty() ? kNaN : *std::max_element(v.begin(), v.end());
  }
  double min(const std::vector<double>& v) const {
    return v.empty() ? kNaN : *std::min_element(v.begin(), v.end());
  }
};

Report run_gns_experiment(const ExperimentConfig& cfg) {
  Report report;
  const bool q = cfg.quick;
  std::vector<Setup> setups;
  {
    Setup s;
    s.key = "logsumexp";
    s.spec = "logsumexp:n=500,m=500,mu=1";
    s.title = "LogSumExp n = m = 500";
    s.approx = HessianApproximation::weighted_gauss_newton;
    s.first_order_cap = q ? 5000 : 20000;
    setups.push_back(s);
  }
  {
    Setup s;
    s.key = "nle";
    s.spec = "nle:p=4,m=100,n=200";
    s.title = "Linear equations p = 4 (100 x 200)";
    s.approx = HessianApproximation::fisher;
    s.sherman_morrison = true;
    s.first_order_cap = q ? 5000 : 20000;
    setups.push_back(s);
  }
  {
    Setup s;
    s.key = "chebyshev";
    s.spec = "chebyshev:n=1000,p=4";
    s.title = "Chebyshev chain n = 1000, p = 4";
    s.approx = HessianApproximation::gauss_newton_fisher;
    s.first_order_cap = q ? 5000 : 20000;
    setups.push_back(s);
  }
  {
    Setup s;
    s.key = "logreg";
    s.spec = "logreg:breast-cancer,reg=1e-4";
    s.title = "Logistic regression (breast_cancer)";
    s.gradient_stop = true;
    s.approx = HessianApproximation::bound;
    s.second_approx = HessianApproximation::weighted_gauss_newton;
    s.approx_cap = q ? 1000 : 5000;
    s.first_order_cap = q ? 5000 : 20000;
    setups.push_back(s);
  }
  {
    Setup s;
    s.key = "softmax";
    s.spec = "softmax:digits,reg=1e-3";
    s.title = "Softmax regression (digits)";
    s.gradient_stop = true;
    s.approx = HessianApproximation::weighted_gauss_newton;
    s.approx_cap = q ? 100 : 500;
    s.first_order_cap = q ? 2000 : 20000;
    setups.push_back(s);
  }

  std::vector<Outcome> outcomes;
  for (const auto& s : setups) outcomes.push_back(run_problem(s, cfg, report));
  const auto outcome = [&](const std::string& key) -> const Outcome& {
    for (const auto& o : outcomes)
      if (o.setup.key == key) return o;
    throw Error("gns: no outcome " + key);
  };

  // ----- LogSumExp n = m = 200 over five seeds: the spec's acceptance sizes -------------------
  SeedStats st;
  const int seeds = 5;
  const std::size_t gd_cap = q ? 5000 : 20000;
  for (int k = 0; k < seeds; ++k) {
    const problems::Instance in =
        problems::make_instance("logsumexp:n=200,m=200,mu=1", cfg.seed + std::uint64_t(k));
    Setup s;
    newton::CommonOptions c = common(s, in, 1000);
    c.record_history = false;
    const Run ex = run_gns("e", "", in, c, HessianApproximation::exact);
    const Run ap = run_gns("a", "", in, c, HessianApproximation::weighted_gauss_newton);
    newton::CommonOptions cg = common(s, in, gd_cap);
    cg.record_history = false;
    const Run gd = run_gd("g", "", in, cg, false);
    newton::CommonOptions ce = common(s, in, gd_cap, true);
    ce.record_history = false;
    const Run ge = run_gd("ge", "", in, ce, false);
    st.exact.push_back(ex.summary.converged() ? double(ex.summary.iterations) : kNaN);
    st.approx.push_back(ap.summary.converged() ? double(ap.summary.iterations) : kNaN);
    st.gd.push_back(double(gd.summary.iterations));
    st.gd_euclid.push_back(double(ge.summary.iterations));
    st.solves.push_back(counter(ex.summary, "linear_solves_per_iteration"));
    st.solves.push_back(counter(ap.summary, "linear_solves_per_iteration"));
  }
  std::vector<double> ratio_approx, ratio_gd, ratio_gd_e;
  for (int k = 0; k < seeds; ++k) {
    ratio_approx.push_back(st.approx[k] / st.exact[k]);
    ratio_gd.push_back(st.gd[k] / st.exact[k]);
    ratio_gd_e.push_back(st.gd_euclid[k] / st.exact[k]);
  }
  report.metric("logsumexp200.seeds", seeds);
  report.metric("logsumexp200.gns_exact_iters_median", st.median(st.exact));
  report.metric("logsumexp200.gns_exact_iters_max", st.max(st.exact));
  report.metric("logsumexp200.gns_approx_iters_median", st.median(st.approx));
  report.metric("logsumexp200.approx_over_exact_max", st.max(ratio_approx));
  report.metric("logsumexp200.gd_iters_median", st.median(st.gd));
  report.metric("logsumexp200.gd_over_exact_min", st.min(ratio_gd));
  report.metric("logsumexp200.gd_euclidean_iters_median", st.median(st.gd_euclid));
  report.metric("logsumexp200.gd_euclidean_over_exact_min", st.min(ratio_gd_e));
  report.metric("logsumexp200.gd_iteration_cap", double(gd_cap));

  // ----- claims ---------------------------------------------------------------------------------
  const double exact_max = st.max(st.exact);
  report.check("logsumexp200_exact_within_40",
               "Exact-Hessian GNS reaches f - f* < 1e-8 on LogSumExp (n = m = 200) in <= 40 "
               "iterations",
               "<= 40 (spec acceptance; reference prototype: 19 iterations, 31 solves)",
               "median " + count(st.median(st.exact)) + ", max " + count(exact_max) + " over " +
                   std::to_string(seeds) + " seeds",
               std::isfinite(exact_max) && exact_max <= 40,
               "every seed must converge within 40 iterations");

  const Outcome& lr = outcome("logreg");
  const Run& lr_ex = *lr.find("gns_exact");
  report.check("logreg_exact_within_25",
               "Exact-Hessian GNS on logistic regression (breast_cancer, reg 1e-4) reaches "
               "||grad f|| < 1e-10 in <= 25 iterations",
               "<= 25 (spec acceptance; reference prototype: 12 iterations, 14 solves)",
               count(double(lr_ex.summary.iterations)) +
                   " iterations, ||g|| = " + fmt(lr_ex.summary.gradient_norm),
               lr_ex.summary.converged() && lr_ex.summary.iterations <= 25);

  const double approx_ratio_max = st.max(ratio_approx);
  const Outcome& lse = outcome("logsumexp");
  const double r500 = double(lse.find("gns_approx")->summary.iterations) /
                      double(lse.find("gns_exact")->summary.iterations);
  report.metric("logsumexp.approx_over_exact", r500);
  report.check("logsumexp_approx_within_2x",
               "GNS with the weighted Gauss-Newton approximation needs <= 2x the iterations of "
               "exact-Hessian GNS on LogSumExp",
               "<= 2x (spec acceptance; reference prototype n = 200: 32 vs 19 = 1.68x)",
               "n = 200: max ratio " + fmt(approx_ratio_max) + " over " + std::to_string(seeds) +
                   " seeds; n = 500: " + fmt(r500) + "x",
               std::isfinite(approx_ratio_max) && approx_ratio_max <= 2.0 && r500 <= 2.0 &&
                   lse.find("gns_approx")->summary.converged());

  // The gradient method: the reference notebook runs it in the metric B and in the Euclidean
  // metric; the spec's "≥ 10x" is checked for both, separately.
  const Run& lr_gd = *lr.find("gd");
  const double lr_gd_ratio = double(lr_gd.summary.iterations) / double(lr_ex.summary.iterations);
  report.metric("logreg.gd_over_exact", lr_gd_ratio);
  const double ge_min = st.min(ratio_gd_e);
  report.check(
      "gd_euclidean_10x_more",
      "The (Euclidean) gradient method needs >= 10x more iterations than exact-Hessian GNS "
      "(LogSumExp n = m = 200 over 5 seeds; logistic regression)",
      ">= 10x (spec acceptance; prototype logreg: 200 000 vs 12)",
      "LogSumExp: min ratio " + fmt(ge_min) + " (gd capped at " + count(double(gd_cap)) +
          " iterations; a capped run counts as its cap); logreg: " + fmt(lr_gd_ratio) + "x" +
          (lr_gd.summary.converged() ? "" : " (gd did not converge within its cap)"),
      ge_min >= 10 && lr_gd_ratio >= 10,
      "ratios of capped runs are lower bounds, so held is conclusive");
  const double gb_min = st.min(ratio_gd);
  const double gb500 = double(lse.find("gd")->summary.iterations) /
                       double(lse.find("gns_exact")->summary.iterations);
  report.metric("logsumexp.gd_over_exact", gb500);
  report.check("gd_metric_b_10x_more",
               "The gradient method in the paper's metric B = AᵀA needs >= 10x more iterations "
               "than exact-Hessian GNS on LogSumExp",
               ">= 10x (spec acceptance applied to the B-norm gradient method of the notebook)",
               "n = 200: min ratio " + fmt(gb_min) + " over " + std::to_string(seeds) +
                   " seeds; n = 500: " + fmt(gb500) + "x",
               gb_min >= 10 && gb500 >= 10,
               "B = AᵀA is already a good preconditioner for LogSumExp (its Hessian is "
               "Aᵀ(diag(π) − ππᵀ)A/μ), so the B-norm gradient method converges quickly; the "
               "Euclidean gradient method is the one that is >= 10x slower");

  // Linear solves per iteration over every GNS run (exact and approximate, all problems).
  double smin = std::numeric_limits<double>::infinity(), smax = 0;
  std::string worst;
  for (const auto& o : outcomes)
    for (const auto& r : o.runs)
      if (r.id.rfind("gns", 0) == 0) {
        const double v = counter(r.summary, "linear_solves_per_iteration");
        if (v < smin) smin = v;
        if (v > smax) smax = v, worst = o.setup.key + "." + r.id;
      }
  for (double v : st.solves) smin = std::min(smin, v), smax = std::max(smax, v);
  report.metric("solves_per_iter_min", smin);
  report.metric("solves_per_iter_max", smax);
  report.check("solves_per_iteration_1_to_2_5",
               "On average the adaptive gamma search costs between 1 and 2.5 linear solves per "
               "iteration",
               "[1, 2.5] (spec acceptance; doubling/halving gives about 2 asymptotically; "
               "prototype 31/19 = 1.63)",
               "over all GNS runs: min " + fmt(smin) + ", max " + fmt(smax) + " (" + worst + ")",
               smin >= 1.0 && smax <= 2.5);

  bool all_monotone = true;
  for (const auto& o : outcomes)
    for (const auto& r : o.runs)
      if (r.id.rfind("gns", 0) == 0 && !monotone(r.summary)) all_monotone = false;
  report.check("gns_monotone", "f(x_k) decreases monotonically along GNS runs (accepted steps)",
               "guaranteed by the acceptance test",
               all_monotone ? "monotone in every run" : "a run increased f", all_monotone);

  // λ_k / sqrt(||g_k||_*) on LogSumExp (Hessian-Lipschitz): the gradient-regularised Newton
  // link. Over the whole run, and over the iterations where the search had to shrink γ (trials
  // > 1): there λ sits at the acceptance boundary; in one-trial iterations λ is only an upper
  // bound that the doubling of γ keeps lowering once Newton steps are always accepted.
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  double alo = std::numeric_limits<double>::infinity(), ahi = 0;
  for (const auto& row : lse.find("gns_exact")->summary.history) {
    const double v = extra(row, "lambda_over_sqrt_grad");
    if (!(std::isfinite(v) && v > 0)) continue;
    lo = std::min(lo, v), hi = std::max(hi, v);
    if (extra(row, "trials") > 1) alo = std::min(alo, v), ahi = std::max(ahi, v);
  }
  report.metric("logsumexp.lambda_band_ratio", hi / lo);
  report.metric("logsumexp.lambda_band_ratio_active", ahi > 0 ? ahi / alo : kNaN);
  report.check("lambda_tracks_sqrt_grad",
               "With exact Hessians on a Hessian-Lipschitz problem lambda_k ~ sqrt(L ||g_k||_*): "
               "lambda_k / sqrt(||g_k||_*) stays in a band (max/min < 10 over the run)",
               "lambda ~ sqrt(L ||g||) (Mishchenko 2023; spec sanity check 2.5(5))",
               "LogSumExp n = 500: band " + fmt(lo) + " .. " + fmt(hi) + " (ratio " + fmt(hi / lo) +
                   "); over iterations with more than one trial: ratio " +
                   (ahi > 0 ? fmt(ahi / alo) : std::string("n/a")),
               hi / lo < 10,
               "the adaptive search doubles gamma after every accepted step, so in the "
               "superlinear phase lambda falls well below sqrt(L ||g||): the band holds only "
               "where the search is active, not over the whole run");

  // Sherman–Morrison fast path on the rank-one Fisher term: one step at x0 solved both ways
  // (the spec's check), then the two whole runs. B = AᵀA + 1e-8 I has condition number ~1e10
  // on this underdetermined system, so iterates may drift apart along null(A), where f is flat;
  // the objective trajectories are what must agree.
  const Outcome& nl = outcome("nle");
  const Run& ch = *nl.find("gns_approx");
  const Run& sm = *nl.find("gns_approx_sm");
  double step_diff = 0, step_diff_identity = 0, step_diff_euclid = 0;
  {
    const problems::Instance in = problems::make_instance(nl.setup.spec, cfg.seed);
    newton::Curvature curv;
    HessianSource::approximation(*in.oracle, HessianApproximation::fisher).evaluate(in.x0, curv);
    Eigen::VectorXd g;
    in.oracle->gradient(in.x0, g);
    for (int which = 0; which < 2; ++which) {
      const newton::Norm b(which == 0 ? in.metric : Eigen::MatrixXd(), in.x0.size());
      newton::RegularizedSolver chol(b, newton::LinearSolver::cholesky);
      newton::RegularizedSolver shm(b, newton::LinearSolver::sherman_morrison);
      const double lambda = b.dual_norm(g) / (1.0 + 1e-8);  // the first GNS trial, gamma = 1
      Eigen::VectorXd d1, d2;
      const bool ok = chol.solve(curv, lambda, g, d1) && shm.solve(curv, lambda, g, d2);
      // ||·|| is the primal norm sqrt(hᵀBh) of the method (the spec's notation).
      const Eigen::VectorXd e = d1 - d2;
      (which == 0 ? step_diff : step_diff_identity) =
          ok ? std::sqrt(b.norm_squared(e) / b.norm_squared(d1)) : kNaN;
      if (which == 0) step_diff_euclid = ok ? e.norm() / d1.norm() : kNaN;
    }
  }
  double fdiff = 0;
  for (std::size_t i = 0; i < std::min(ch.summary.history.size(), sm.summary.history.size()); ++i)
    fdiff = std::max(fdiff,
                     std::abs(ch.summary.history[i].objective - sm.summary.history[i].objective) /
                         std::abs(ch.summary.history[i].objective));
  const double xdiff = (sm.x - ch.x).norm() / ch.x.norm();
  const double speedup = ch.summary.seconds / std::max(sm.summary.seconds, 1e-9);
  report.metric("nle.sm_step_relative_difference", step_diff);
  report.metric("nle.sm_step_relative_difference_identity_metric", step_diff_identity);
  report.metric("nle.sm_step_relative_difference_euclidean", step_diff_euclid);
  report.metric("nle.sm_objective_max_relative_difference", fdiff);
  report.metric("nle.sm_final_x_relative_difference", xdiff);
  report.metric("nle.sm_speedup", speedup);
  report.check(
      "sherman_morrison_matches_cholesky",
      "Sherman-Morrison and Cholesky solves of (lambda B + alpha v v^T) Delta = -g agree "
      "(||Delta_sm - Delta_chol|| <= 1e-8 ||Delta|| in the method's norm sqrt(h^T B h)) and give "
      "the same GNS run on the "
      "rank-one Fisher approximation (p = 4), Sherman-Morrison faster",
      "same step, O(n^2) instead of O(n^3) per solve (README 'fast implementation')",
      "first step: " + fmt(step_diff) + " (paper's B, B-norm; Euclidean " + fmt(step_diff_euclid) +
          "), " + fmt(step_diff_identity) + " (B = I); runs: " +
          count(double(ch.summary.iterations)) + " vs " + count(double(sm.summary.iterations)) +
          " iterations, max relative f "
          "difference " +
          fmt(fdiff) + ", final x difference " + fmt(xdiff) + "; time " + fmt(ch.summary.seconds) +
          " s vs " + fmt(sm.summary.seconds) + " s (" + fmt(speedup) + "x)",
      step_diff <= 1e-8 && step_diff_identity <= 1e-8 &&
          ch.summary.iterations == sm.summary.iterations && fdiff <= 1e-8 &&
          ch.summary.converged() && sm.summary.converged(),
      "B = AᵀA + 1e-8 I has condition number ~1e10 here: both solves carry rounding "
      "errors along null(A), where B's eigenvalue is 1e-8 and f is constant, so the "
      "Euclidean difference of the steps and of the final iterates is ~1e-6..1e-5 "
      "while the B-norm difference and the objective values agree to ~1e-10 or better");
  const Run& nl_ex = *nl.find("gns_exact");
  report.check("fisher_faster_than_exact_in_time",
               "On linear equations with p = 4 the rank-one Fisher approximation reaches "
               "f - f* < 1e-8 faster in wall time than the exact Hessian (README headline "
               "figure fisher-rd-p4)",
               "Fisher curve below exact in loss vs time (figure, no numbers)",
               "exact " + fmt(nl_ex.summary.seconds) + " s (" +
                   count(double(nl_ex.summary.iterations)) + " it), Fisher + Sherman-Morrison " +
                   fmt(sm.summary.seconds) + " s (" + count(double(sm.summary.iterations)) + " it)",
               sm.summary.converged() && nl_ex.summary.converged() &&
                   sm.summary.seconds < nl_ex.summary.seconds,
               "wall time on a shared 2-core machine; the gap is an order of magnitude");

  // Global linear rates with approximate Hessians for logistic / softmax regression.
  std::string rate_text;
  bool linear = true;
  for (const char* key : {"logreg", "softmax"}) {
    const Outcome& o = outcome(key);
    const Run& a = *o.find("gns_approx");
    const Rate r = linear_rate(a.summary, o.fref);
    report.metric(std::string(key) + ".gns_approx_rate", r.q);
    report.metric(std::string(key) + ".gns_approx_rate_r2", r.r2);
    rate_text += std::string(rate_text.empty() ? "" : "; ") + key + " (" +
                 std::string(problems::to_string(o.setup.approx)) +
                 "): " + (a.summary.converged() ? "converged in " : "not converged in ") +
                 count(double(a.summary.iterations)) + " it, final gap " +
                 fmt(a.summary.objective - o.fref) + ", per-iteration factor " + fmt(r.q, "%.5f") +
                 " (R^2 " + fmt(r.r2) + ")";
    if (!(a.summary.converged() || (r.q < 1 && r.r2 >= 0.9))) linear = false;
  }
  report.check("approx_linear_rate_glm",
               "GNS with approximate Hessians converges at a global linear rate on logistic and "
               "softmax regression",
               "global linear rate (theory; no experiment numbers)", rate_text, linear,
               "held = converged, or log(f - f*) decreases linearly (R^2 >= 0.9 of a linear fit "
               "over the second half); a factor close to 1 means a linear but slow rate, as the "
               "spec warns for the constant bound near saturated probabilities");

  report.not_measured("time_comparison_authors_machine",
                      "Notebook timings for LogSumExp n = m = 1000: exact GNS 29.0 s, inexact GNS "
                      "83.9 s, gradient method (B) 3.9 s, gradient method 2.0 s",
                      "29.0 / 83.9 / 3.9 / 2.0 s (authors' machine, Python)",
                      "wall times on another machine and language are not comparable; our "
                      "loss-against-time curves are in the plots and *_seconds metrics");

  report.config = {{"stopping",
                    "f - f* < 1e-8 (logsumexp, nle, chebyshev); ||grad|| < 1e-10 "
                    "(logreg, softmax)"},
                   {"gns",
                    "gamma0 = 1, eps = 1e-8, gamma_min = 1e-9, 40 trials, strict "
                    "acceptance"},
                   {"baselines",
                    "reference defaults: L0 = 1, L_min = 1e-5, 30 trials; cubic "
                    "M0 = 1; super-universal alpha = 1, H0 = 1, H_min = 1e-5"},
                   {"seed", cfg.seed},
                   {"quick", cfg.quick}};
  for (const auto& o : outcomes) report.config["problems"][o.setup.key] = o.setup.spec;
  report.notes.push_back(
      "gd = gradient method in the problem's metric B (AᵀA for LogSumExp, AᵀA + 1e-8 I for the "
      "linear equations, I otherwise); gd_euclidean = the same method with B = I. Iteration "
      "counts of runs that hit their cap equal the cap (see the *_converged metrics).");
  report.notes.push_back(
      "Approximations: LogSumExp uses the paper's weighted Gauss-Newton matrix, the linear "
      "equations the rank-one Fisher term (with the metric B = AᵀA carrying the Gauss-Newton "
      "part), the Chebyshev chain the 'inexact Hessian' ||u||^{p-2}JᵀJ + Fisher. For logistic "
      "and softmax regression the paper's choice was not verified; we report the constant "
      "Böhning bound (logreg, primary) and the per-sample weighted Gauss-Newton matrix "
      "(softmax primary, logreg as gns_approx2). Both upper-bound the Hessian and are poor near "
      "a solution with saturated probabilities.");
  return report;
}

const Registrar registrar{{
    .id = "gns",
    .paper = "A. Semenov, M. Jaggi, N. Doikov, Gradient-Normalized Smoothness for Optimization "
             "with Approximate Hessians, arXiv:2506.13710, 2025 (ICLR 2026)",
    .summary = "GNS (exact and approximate Hessians) vs gradient, fast gradient, cubic and "
               "super-universal Newton on LogSumExp, linear equations p = 4, the Chebyshev chain, "
               "logistic and softmax regression.",
    .run = &run_gns_experiment,
}};

}  // namespace
}  // namespace descent::experiments
