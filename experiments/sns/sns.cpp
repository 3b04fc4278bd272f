// Reproduction `sns`: Sinkhorn-Newton-Sparse against log-domain Sinkhorn (Table 1).
//
// X. Tang, M. Shavlovsky, H. Rahmanian, E. Tardini, K. K. Thekumparampil, T. Xiao, L. Ying,
// "Accelerating Sinkhorn Algorithm with Sparse Newton Iterations", ICLR 2024.
//
// Cases (eta = 1200, SNS to L1 marginal error 1e-10, Sinkhorn to 1e-8 and, in the full run,
// 1e-10, each with a reported iteration cap):
//  1. assignment  random linear assignment, n = 500, C ~ U[0,1];
//  2. image_l2    two Fashion-MNIST test images (MNIST stand-in), squared-Euclidean cost / max;
//  3. image_l1    the same pair, L1 cost / max;
//  4. clouds      two uniform 2-D clouds, n = 500, squared-Euclidean cost / max;
//  5. a lambda sweep over {2, 4, 8, 16}/n under both counting conventions (assignment), and over
//     the Hessian convention on the clouds.
// Each case runs SNS with the paper's settings for it (N1 = 20 and the spec default lambda = 8/n;
// for L1 the paper's N1 = 700, lambda = 15/n) and, where those converge only linearly, a tuned
// setting that is reported as such. Exact OT (network simplex) gives the eta -> infinity cost.
// --quick keeps the assignment at n = 500 and uses 14 x 14 images (2 x 2 average pooling,
// n = 196) and n = 200 clouds.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "descent/core/rng.hpp"
#include "descent/data/datasets.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"
#include "descent/ot/ot.hpp"

namespace descent::experiments {
namespace {

constexpr double kEta = 1200.0;
constexpr double kSnsTolerance = 1e-10;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Two fixed Fashion-MNIST test images: 0 is an ankle boot, 1 a pullover.
constexpr Eigen::Index kImageA = 0, kImageB = 1;

std::string fmt(double v, const char* f = "%.3g") {
  return format_number(v, f);
}

struct SnsSetting {
  std::size_t warmup = 20;
  double sparsity = 8.0;
  ot::SparsityConvention convention = ot::SparsityConvention::hessian;
  ot::SparsityRank rank = ot::SparsityRank::magnitude;

  std::string describe() const {
    return "N1 = " + std::to_string(warmup) + ", lambda = " + fmt(sparsity) + "/n over " +
           (convention == ot::SparsityConvention::hessian ? "(2n)^2" : "n^2") +
           (rank == ot::SparsityRank::scaled ? ", Jacobi-scaled ranking" : "");
  }
};

// Paper's Table 1 row for a case (NaN where the paper has none).
struct PaperRow {
  double sns_seconds = kNaN, sns_iterations = kNaN, warmup = kNaN, newton = kNaN;
  double sinkhorn_seconds = kNaN, sinkhorn_iterations = kNaN;
};

struct Case {
  std::string id, title;
  ot::Problem problem;
  SnsSetting setting;               // the paper's setting for the case
  std::optional<SnsSetting> tuned;  // when the paper's setting converges only linearly
  PaperRow paper;
};

// When a run first reached a tolerance; if it never did (the cap), the last iterate, so that
// ratios built from it are lower bounds.
struct Crossing {
  double iterations = kNaN, seconds = kNaN;
  bool reached = false;
  double reported_iterations() const { return reached ? iterations : kNaN; }
  double reported_seconds() const { return reached ? seconds : kNaN; }
};

Crossing first_below(const std::vector<ot::ErrorSample>& h, double tol) {
  for (const auto& e : h)
    if (e.error <= tol) return {double(e.iteration), e.seconds, true};
  if (h.empty()) return {};
  return {double(h.back().iteration), h.back().seconds, false};
}

// iteration, seconds, error; iteration 0 is dropped (log axes), and long histories are thinned
// to about 3000 rows (the last row is always kept).
void write_errors(const std::string& path, const std::vector<ot::ErrorSample>& h) {
  const std::size_t stride = std::max<std::size_t>(1, h.size() / 3000);
  std::vector<const ot::ErrorSample*> rows;
  for (std::size_t k = 0; k < h.size(); ++k)
    if (h[k].iteration > 0 && (k % stride == 0 || k + 1 == h.size())) rows.push_back(&h[k]);
  Eigen::MatrixXd m(Eigen::Index(rows.size()), 3);
  for (std::size_t k = 0; k < rows.size(); ++k)
    m.row(Eigen::Index(k)) << double(rows[k]->iteration), rows[k]->seconds,
        std::max(rows[k]->error, 1e-300);
  io::write_csv(path, m, {"iteration", "seconds", "error"});
}

ot::Result run_sns(const ot::Problem& p, const SnsSetting& s, int threads,
                   std::size_t max_newton = 500) {
  ot::SnsOptions o;
  o.eta = kEta;
  o.tolerance = kSnsTolerance;
  o.warmup_steps = s.warmup;
  o.sparsity = s.sparsity;
  o.convention = s.convention;
  o.rank = s.rank;
  o.max_newton_steps = max_newton;
  o.max_iterations = s.warmup + max_newton;  // the paper's loop: N1 + N2 steps at most
  // The paper's algorithm as published: one stage at eta (no continuation; every case here has
  // eta * max C <= 1200 anyway) and no stagnation blocks (a pure Newton stage).
  o.eta_start = kEta;
  o.patience = 0;
  o.threads = threads;
  o.record_history = true;  // the objective per Newton step, for the monotonicity check
  o.history_stride = 1000;
  o.plan.format = ot::PlanFormat::none;
  return ot::sinkhorn_newton_sparse(p, o);
}

// Newton steps (and fallbacks) at which the recorded dual value went down (or became NaN).
int decreases(const ot::Result& r, std::size_t warmup) {
  int bad = 0;
  double prev = -std::numeric_limits<double>::infinity();
  for (const auto& row : r.summary.history) {
    if (row.iteration <= warmup) continue;
    // f is stored in double: an accepted increase of 1e-30 can leave it unchanged.
    if (!(-row.objective >= prev)) ++bad;  // the history holds -f
    prev = -row.objective;
  }
  return bad;
}

double counter(const ot::Result& r, const char* name) {
  const auto it = r.summary.counters.find(name);
  return it == r.summary.counters.end() ? kNaN : it->second;
}

// 28 x 28 image `index` of the set, average-pooled by `pool`.
Eigen::MatrixXd image(const data::Dataset& d, Eigen::Index index, int pool) {
  const int h = d.image_height, w = d.image_width;
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(h / pool, w / pool);
  for (int r = 0; r < (h / pool) * pool; ++r)
    for (int c = 0; c < (w / pool) * pool; ++c)
      m(r / pool, c / pool) += d.features(index, r * w + c) / double(pool * pool);
  return m;
}

Report run_sns_experiment(const ExperimentConfig& cfg) {
  Report report;
  const bool quick = cfg.quick;
  const double sinkhorn_tolerance = quick ? 1e-8 : 1e-10;
  // Sinkhorn caps: the case runs (instance 0 of the assignment, the images, the clouds) and the
  // extra assignment instances. A capped run makes its ratios lower bounds (flagged).
  const std::size_t sinkhorn_cap = quick ? 30000 : 200000;
  const std::size_t instance_cap = quick ? 15000 : 50000;
  const Eigen::Index n_assign = 500, n_clouds = quick ? 200 : 500;
  const int pool = quick ? 2 : 1;

  std::vector<Case> cases;
  {
    Rng rng = make_rng(cfg.seed, {0xA55, 0});
    PaperRow paper{0.34, 29, 20, 9, 233.36, 56199};
    cases.push_back({"assignment",
                     "random assignment, n = 500",
                     ot::random_assignment(n_assign, rng),
                     {},
                     std::nullopt,
                     paper});
  }
  const data::Dataset fm = data::load("fashion-mnist:test", {.limit = 2});
  const Eigen::MatrixXd img_a = image(fm, kImageA, pool), img_b = image(fm, kImageB, pool);
  const std::string img_size = std::to_string(img_a.rows()) + "x" + std::to_string(img_a.cols());
  {
    auto p = ot::from_images(img_a, img_b, ot::GroundCost::sqeuclidean, {.normalize_cost = true});
    SnsSetting tuned;
    tuned.rank = ot::SparsityRank::scaled;
    cases.push_back({"image_l2",
                     "Fashion-MNIST pair " + img_size + ", squared L2 cost",
                     p,
                     {},
                     tuned,
                     {2.33, 53, 20, 33, 18.84, 2041}});
  }
  {
    auto p = ot::from_images(img_a, img_b, ot::GroundCost::l1, {.normalize_cost = true});
    SnsSetting paper_l1;
    paper_l1.warmup = 700;
    paper_l1.sparsity = 15.0;
    SnsSetting tuned;
    tuned.warmup = 400;
    tuned.sparsity = 32.0;
    cases.push_back({"image_l1",
                     "Fashion-MNIST pair " + img_size + ", L1 cost",
                     p,
                     paper_l1,
                     tuned,
                     {12.22, 777, 700, 77, 45.75, 5748}});
  }
  {
    Rng rng = make_rng(cfg.seed, {0xC10});
    SnsSetting tuned;
    tuned.sparsity = 16.0;
    cases.push_back({"clouds",
                     "uniform 2-D clouds, n = " + std::to_string(n_clouds),
                     ot::uniform_clouds(n_clouds, rng),
                     {},
                     tuned,
                     {}});
  }

  nlohmann::json case_config = nlohmann::json::object();
  bool all_reach = true, all_bias_ok = true;
  int total_decreases = 0, sns_runs = 0;
  std::string reach_text, bias_text;
  const ot::Result* assignment_sns = nullptr;
  Crossing assignment_crossing;
  std::vector<ot::Result> keep_alive;
  keep_alive.reserve(16);

  for (const Case& c : cases) {
    const std::string& id = c.id;
    const double n = double(c.problem.rows());
    // SNS with the paper's setting for this case.
    keep_alive.push_back(run_sns(c.problem, c.setting, cfg.threads));
    const ot::Result& sns = keep_alive.back();
    if (id == "assignment") assignment_sns = &sns;
    ++sns_runs;
    total_decreases += decreases(sns, c.setting.warmup);
    write_errors(cfg.out_dir + "/" + id + "_sns.csv", sns.error_history);
    const double sns_total = double(sns.summary.iterations);
    report.metric(id + ".n", n);
    report.metric(id + ".sns_newton_steps", counter(sns, "newton_steps"));
    report.metric(id + ".sns_warmup_steps", counter(sns, "sinkhorn_steps"));
    report.metric(id + ".sns_total_iters", sns_total);
    report.metric(id + ".sns_final_error", sns.marginal_error);
    report.metric(id + ".sns_seconds", sns.summary.seconds);
    report.metric(id + ".sns_cg_iterations", counter(sns, "cg_iterations"));
    report.metric(id + ".sns_line_search_halvings", counter(sns, "line_search_halvings"));
    report.metric(id + ".sns_sinkhorn_fallbacks", counter(sns, "sinkhorn_fallbacks"));
    report.metric(id + ".sns_lambda_times_n", c.setting.sparsity);
    const bool reached = sns.summary.converged() && sns.marginal_error <= kSnsTolerance;
    all_reach = all_reach && reached;
    reach_text += id + ": " + fmt(sns.marginal_error) + " after " +
                  fmt(counter(sns, "newton_steps"), "%.0f") + " Newton steps; ";

    // Log-domain Sinkhorn to the case tolerance, with a cap: the spec's side-by-side baseline
    // (the paper's Sinkhorn), so the scaling-domain fast path is turned off here.
    ot::SinkhornOptions so;
    so.domain = ot::SinkhornDomain::log;
    so.eta = kEta;
    so.tolerance = sinkhorn_tolerance;
    so.max_iterations = sinkhorn_cap;
    so.threads = cfg.threads;
    so.plan.format = ot::PlanFormat::none;
    const ot::Result sk = ot::sinkhorn(c.problem, so);
    write_errors(cfg.out_dir + "/" + id + "_sinkhorn.csv", sk.error_history);
    const Crossing s8 = first_below(sk.error_history, 1e-8);
    report.metric(id + ".sinkhorn_iters_to_1e-8", s8.reported_iterations());
    report.metric(id + ".sinkhorn_seconds_to_1e-8", s8.reported_seconds());
    report.metric(id + ".sinkhorn_reached_1e-8", s8.reached ? 1 : 0);
    report.metric(id + ".sinkhorn_iteration_cap", double(sinkhorn_cap));
    report.metric(id + ".iteration_ratio_is_lower_bound", s8.reached ? 0 : 1);
    report.metric(id + ".sinkhorn_final_error", sk.marginal_error);
    report.metric(id + ".sinkhorn_seconds_per_iteration",
                  sk.summary.seconds / std::max<double>(1.0, double(sk.summary.iterations)));
    if (!quick) {
      const Crossing s10 = first_below(sk.error_history, 1e-10);
      report.metric(id + ".sinkhorn_iters_to_1e-10", s10.reported_iterations());
      report.metric(id + ".sinkhorn_seconds_to_1e-10", s10.reported_seconds());
    }
    if (id == "assignment") assignment_crossing = s8;
    // With a capped Sinkhorn these are lower bounds (iteration_ratio_is_lower_bound = 1).
    report.metric(id + ".iteration_ratio", s8.iterations / sns_total);
    report.metric(id + ".time_ratio", s8.seconds / sns.summary.seconds);

    // The tuned setting, where the paper's converges only linearly.
    nlohmann::json cc = {
        {"title", c.title}, {"n", c.problem.rows()}, {"sns_setting", c.setting.describe()}};
    if (c.tuned) {
      keep_alive.push_back(run_sns(c.problem, *c.tuned, cfg.threads));
      const ot::Result& t = keep_alive.back();
      ++sns_runs;
      total_decreases += decreases(t, c.tuned->warmup);
      write_errors(cfg.out_dir + "/" + id + "_sns_tuned.csv", t.error_history);
      report.metric(id + ".sns_tuned_newton_steps", counter(t, "newton_steps"));
      report.metric(id + ".sns_tuned_total_iters", double(t.summary.iterations));
      report.metric(id + ".sns_tuned_final_error", t.marginal_error);
      report.metric(id + ".sns_tuned_seconds", t.summary.seconds);
      report.metric(id + ".tuned_iteration_ratio", s8.iterations / double(t.summary.iterations));
      report.metric(id + ".tuned_time_ratio", s8.seconds / t.summary.seconds);
      cc["sns_tuned_setting"] = c.tuned->describe();
    }
    case_config[id] = cc;

    // The eta -> infinity reference: the entropic bias is at most log(n^2) / eta (max C = 1).
    // The plans are not exact to the last bit (SNS to 1e-10, LEMON's supplies rounded to
    // 2^-40), so the lower end allows their marginal errors times max C.
    const ot::Result ex = ot::exact_ot(c.problem);
    const double bias = sns.transport_cost - ex.transport_cost;
    const double bound = std::log(n * n) / kEta * c.problem.max_cost();
    const double slack = (sns.marginal_error + ex.marginal_error) * c.problem.max_cost() + 1e-12;
    report.metric(id + ".exact_cost", ex.transport_cost);
    report.metric(id + ".entropic_cost", sns.transport_cost);
    report.metric(id + ".entropic_bias", bias);
    const bool bias_ok = bias >= -slack && bias <= bound;
    all_bias_ok = all_bias_ok && bias_ok;
    bias_text += id + " " + fmt(bias) + " (bound " + fmt(bound) + "); ";

    // Plots: error against iterations and against time, both methods.
    Plot pi, pt;
    pi.file = id + "_error_vs_iterations.png";
    pi.title = c.title + ": L1 marginal error, eta = 1200";
    pi.xlabel = "iteration";
    pi.ylabel = "|P1 - a|_1 + |P^T 1 - b|_1";
    pi.logx = pi.logy = true;
    pi.series = {{id + "_sinkhorn.csv", "iteration", "error", "log-domain Sinkhorn"},
                 {id + "_sns.csv", "iteration", "error", "SNS (" + c.setting.describe() + ")"}};
    if (c.tuned)
      pi.series.push_back(
          {id + "_sns_tuned.csv", "iteration", "error", "SNS tuned (" + c.tuned->describe() + ")"});
    pt = pi;
    pt.file = id + "_error_vs_time.png";
    pt.xlabel = "seconds";
    for (auto& s : pt.series) s.x = "seconds";
    report.plots.push_back(pi);
    report.plots.push_back(pt);
  }

  // Sinkhorn's iteration count on random assignment varies several-fold between instances
  // (SNS's does not), so the ratios are medians over seeded instances; instance 0 is the case
  // above, whose own ratios are kept as assignment.instance0_*.
  const int instances = quick ? 5 : 7;
  std::vector<double> iteration_ratios, time_ratios;
  std::string instance_text;
  bool any_capped = false;
  for (int k = 0; k < instances; ++k) {
    double sns_iters, sns_seconds;
    Crossing c8;
    if (k == 0) {
      sns_iters = report.metrics.at("assignment.sns_total_iters");
      sns_seconds = report.metrics.at("assignment.sns_seconds");
      c8 = assignment_crossing;
    } else {
      Rng rng = make_rng(cfg.seed, {0xA55, std::uint64_t(k)});
      const ot::Problem p = ot::random_assignment(n_assign, rng);
      const ot::Result r = run_sns(p, SnsSetting{}, cfg.threads);
      ++sns_runs;
      total_decreases += decreases(r, 20);
      all_reach = all_reach && r.summary.converged();
      ot::SinkhornOptions so;
      so.domain = ot::SinkhornDomain::log;  // the paper's baseline, as above
      so.eta = kEta;
      so.tolerance = 1e-8;
      so.max_iterations = instance_cap;
      so.threads = cfg.threads;
      so.plan.format = ot::PlanFormat::none;
      const ot::Result sk = ot::sinkhorn(p, so);
      c8 = first_below(sk.error_history, 1e-8);
      sns_iters = double(r.summary.iterations);
      sns_seconds = r.summary.seconds;
    }
    const std::string key = "assignment.instance" + std::to_string(k);
    report.metric(key + ".sns_total_iters", sns_iters);
    report.metric(key + ".sinkhorn_iters_to_1e-8", c8.reported_iterations());
    // A capped Sinkhorn contributes its cap: a lower bound on its ratio.
    iteration_ratios.push_back(c8.iterations / sns_iters);
    time_ratios.push_back(c8.seconds / sns_seconds);
    any_capped = any_capped || !c8.reached;
    instance_text +=
        (c8.reached ? "" : ">") + fmt(c8.iterations, "%.0f") + "/" + fmt(sns_iters, "%.0f") + " ";
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t h = v.size() / 2;
    return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
  };
  report.metric("assignment.instances", instances);
  report.metric("assignment.instance_sinkhorn_cap", double(instance_cap));
  report.metric("assignment.ratios_are_lower_bounds", any_capped ? 1 : 0);
  report.metric("assignment.instance0_iteration_ratio",
                report.metrics.at("assignment.iteration_ratio"));
  report.metric("assignment.instance0_time_ratio", report.metrics.at("assignment.time_ratio"));
  report.metric("assignment.iteration_ratio", median(iteration_ratios));
  report.metric("assignment.time_ratio", median(time_ratios));
  report.metric("assignment.min_iteration_ratio",
                *std::min_element(iteration_ratios.begin(), iteration_ratios.end()));
  report.metric("assignment.max_iteration_ratio",
                *std::max_element(iteration_ratios.begin(), iteration_ratios.end()));
  report.metric("assignment.min_time_ratio",
                *std::min_element(time_ratios.begin(), time_ratios.end()));

  // The lambda sweep on the assignment (both conventions) and on the clouds (Hessian).
  const std::vector<double> sweep = {2.0, 4.0, 8.0, 16.0};
  std::string sweep_text;
  double smallest_superlinear = kNaN;
  bool two_over_n_reproduces = false;
  Plot ps;
  ps.file = "lambda_sweep.png";
  ps.title = "Random assignment n = 500: SNS error per iteration for lambda = k/n over (2n)^2";
  ps.xlabel = "iteration (20 Sinkhorn, then Newton)";
  ps.ylabel = "L1 marginal error";
  ps.logy = true;
  for (const auto conv : {ot::SparsityConvention::hessian, ot::SparsityConvention::plan}) {
    const std::string cname = conv == ot::SparsityConvention::hessian ? "hessian" : "plan";
    sweep_text += cname + ":";
    for (double k : sweep) {
      SnsSetting s;
      s.sparsity = k;
      s.convention = conv;
      const ot::Result r = run_sns(cases[0].problem, s, cfg.threads, 200);
      ++sns_runs;
      total_decreases += decreases(r, s.warmup);
      const std::string key = "lambda_sweep." + cname + "." + fmt(k, "%.0f") + "_over_n";
      const double steps = counter(r, "newton_steps");
      const bool ok = r.summary.converged();
      report.metric(key + ".newton_steps", steps);
      report.metric(key + ".final_error", r.marginal_error);
      report.metric(key + ".converged", ok ? 1 : 0);
      report.metric(key + ".seconds", r.summary.seconds);
      report.metric(key + ".kept_per_row", counter(r, "kept_entries") / 500.0);
      sweep_text += " " + fmt(k, "%.0f") + "/n -> " +
                    (ok ? fmt(steps, "%.0f")
                        : "no (" + fmt(r.marginal_error) + " after " + fmt(steps, "%.0f") + ")") +
                    ";";
      if (ok && steps <= 12) {
        if (k == 2.0) two_over_n_reproduces = true;
        if (conv == ot::SparsityConvention::hessian &&
            (std::isnan(smallest_superlinear) || k < smallest_superlinear))
          smallest_superlinear = k;
      }
      if (conv == ot::SparsityConvention::hessian) {
        const std::string csv = "lambda_sweep_" + fmt(k, "%.0f") + ".csv";
        write_errors(cfg.out_dir + "/" + csv, r.error_history);
        ps.series.push_back({csv, "iteration", "error", "lambda = " + fmt(k, "%.0f") + "/n"});
      }
    }
    sweep_text += "  ";
  }
  report.metric("lambda_sweep.smallest_superlinear_hessian_k", smallest_superlinear);
  report.plots.push_back(ps);
  std::string cloud_sweep;
  for (double k : sweep) {
    SnsSetting s;
    s.sparsity = k;
    const ot::Result r = run_sns(cases[3].problem, s, cfg.threads, 500);
    ++sns_runs;
    total_decreases += decreases(r, s.warmup);
    const std::string key = "lambda_sweep_clouds.hessian." + fmt(k, "%.0f") + "_over_n";
    report.metric(key + ".newton_steps", counter(r, "newton_steps"));
    report.metric(key + ".final_error", r.marginal_error);
    report.metric(key + ".converged", r.summary.converged() ? 1 : 0);
    cloud_sweep += " " + fmt(k, "%.0f") + "/n -> " + fmt(counter(r, "newton_steps"), "%.0f") +
                   (r.summary.converged() ? "" : " (not converged)") + ";";
  }

  // ---- claims
  const auto& M = report.metrics;
  const double a_newton = M.at("assignment.sns_newton_steps");
  const double a_err = M.at("assignment.sns_final_error");
  report.check(
      "assignment_newton_steps",
      "Random assignment (n = 500, eta = 1200, N1 = 20, lambda = 8/n over (2n)^2): SNS "
      "reaches L1 marginal error <= 1e-10 within 12 Newton steps",
      "29 iterations = 20 Sinkhorn + 9 Newton, to machine accuracy (Table 1)",
      fmt(M.at("assignment.sns_total_iters"), "%.0f") + " iterations = 20 + " +
          fmt(a_newton, "%.0f") + " Newton, final error " + fmt(a_err),
      assignment_sns && assignment_sns->summary.converged() && a_err <= 1e-10 && a_newton <= 12);
  const double ir = M.at("assignment.iteration_ratio"), tr = M.at("assignment.time_ratio");
  report.check("assignment_iteration_ratio",
               "Sinkhorn iterations to 1e-8 / SNS total iterations to 1e-10 >= 300 (assignment, "
               "median over " +
                   std::to_string(instances) + " seeded instances)",
               "56,199 / 29 = 1938 (one instance, both to machine accuracy)",
               std::string(any_capped ? "median >= " : "median ") + fmt(ir, "%.0f") + ", range " +
                   fmt(M.at("assignment.min_iteration_ratio"), "%.0f") + " to " +
                   fmt(M.at("assignment.max_iteration_ratio"), "%.0f") +
                   " (Sinkhorn/SNS iterations: " + instance_text + ")",
               ir >= 300,
               "Sinkhorn's count varies several-fold between instances while SNS's stays at 26-28, "
               "so a single instance would decide the verdict by chance; '>' marks a Sinkhorn run "
               "stopped by its cap (" +
                   std::to_string(instance_cap) +
                   " for the extra "
                   "instances, " +
                   std::to_string(sinkhorn_cap) +
                   " for instance 0), whose ratio is "
                   "then a lower bound");
  report.check("assignment_time_ratio",
               "Sinkhorn seconds to 1e-8 / SNS seconds to 1e-10 >= 30 (assignment, C++ both, "
               "median over instances)",
               "233.36 s / 0.34 s = 686 (Python, Apple M1 Pro)",
               std::string(any_capped ? "median >= " : "median ") + fmt(tr, "%.0f") +
                   ", smallest " + fmt(M.at("assignment.min_time_ratio"), "%.0f") +
                   "; instance 0: " + (assignment_crossing.reached ? "" : ">") +
                   fmt(assignment_crossing.seconds) + " s / " +
                   fmt(M.at("assignment.sns_seconds")) + " s",
               tr >= 30);
  report.check("every_case_reaches_1e-10",
               "SNS with each case's paper setting reaches L1 marginal error <= 1e-10 in every "
               "case (assignment instances, image_l2, image_l1, clouds)",
               "all Table 1 runs reach machine accuracy", reach_text, all_reach,
               "the Newton cap is 500 steps; tuned settings are reported separately");
  for (const char* id : {"image_l2", "image_l1"}) {
    const std::string s = id;
    const Case& c = s == "image_l2" ? cases[1] : cases[2];
    const double it = M.at(s + ".iteration_ratio"), ti = M.at(s + ".time_ratio");
    report.check(
        s + "_sns_faster",
        "Image pair (" + c.title +
            "): SNS to 1e-10 takes fewer iterations and less time than "
            "Sinkhorn to 1e-8",
        fmt(c.paper.sns_iterations, "%.0f") + " (" + fmt(c.paper.warmup, "%.0f") + " + " +
            fmt(c.paper.newton, "%.0f") + ") vs " + fmt(c.paper.sinkhorn_iterations, "%.0f") +
            " iterations, " + fmt(c.paper.sns_seconds) + " s vs " + fmt(c.paper.sinkhorn_seconds) +
            " s (MNIST, n unverified)",
        fmt(M.at(s + ".sns_total_iters"), "%.0f") + " (" +
            fmt(M.at(s + ".sns_warmup_steps"), "%.0f") + " + " +
            fmt(M.at(s + ".sns_newton_steps"), "%.0f") + ") vs " +
            fmt(M.at(s + ".sinkhorn_iters_to_1e-8"), "%.0f") + " iterations (ratio " + fmt(it) +
            "), time ratio " + fmt(ti) + "; tuned (" + c.tuned->describe() +
            "): " + fmt(M.at(s + ".sns_tuned_total_iters"), "%.0f") + " iterations, time ratio " +
            fmt(M.at(s + ".tuned_time_ratio")),
        it > 1 && ti > 1, "judged on the paper's setting; Fashion-MNIST stands in for MNIST");
  }
  report.check("clouds_newton_steps",
               "Uniform 2-D clouds (sq. Euclidean / max, lambda = 8/n): 1e-10 within 30 Newton "
               "steps and >= 50x fewer iterations than Sinkhorn",
               "[calib] 19 Newton steps vs about 3,000 Sinkhorn iterations (spec, not the paper)",
               fmt(M.at("clouds.sns_newton_steps"), "%.0f") + " Newton steps (ratio " +
                   fmt(M.at("clouds.iteration_ratio")) + "); lambda = 16/n: " +
                   fmt(M.at("clouds.sns_tuned_newton_steps"), "%.0f") + " (ratio " +
                   fmt(M.at("clouds.tuned_iteration_ratio")) + "); sweep:" + cloud_sweep,
               M.at("clouds.sns_final_error") <= 1e-10 && M.at("clouds.sns_newton_steps") <= 30 &&
                   M.at("clouds.iteration_ratio") >= 50);
  report.check("lambda_2_over_n_reproduces_table1",
               "The paper's default lambda = 2/n reproduces Table 1's '20 Sinkhorn + ~9 Newton' on "
               "random assignment (n = 500) under some counting convention",
               "20 + 9 with lambda = 2/n (convention not stated)", sweep_text,
               two_over_n_reproduces,
               "a run 'reproduces' when it reaches 1e-10 within 12 Newton steps; the smallest "
               "such k under the (2n)^2 convention is " +
                   fmt(smallest_superlinear, "%.0f") + "/n");
  report.check("entropic_bias_within_bound",
               "<C, P_eta> exceeds the exact OT cost (LEMON network simplex) by at most "
               "log(n^2)/eta in every case",
               "entropic bias <= log(n^2)/eta (standard bound)", bias_text, all_bias_ok);
  report.check(
      "newton_never_decreases_f",
      "The Newton stage never decreases the dual (Lyapunov) potential f",
      "line search halves until f increases",
      std::to_string(total_decreases) + " decreases over " + std::to_string(sns_runs) + " SNS runs",
      total_decreases == 0);

  report.config = {{"eta", kEta},
                   {"sns_tolerance", kSnsTolerance},
                   {"sinkhorn_tolerance", sinkhorn_tolerance},
                   {"sinkhorn_iteration_cap", sinkhorn_cap},
                   {"assignment_instances", instances},
                   {"assignment_instance_sinkhorn_cap", instance_cap},
                   {"sns_newton_cap", 500},
                   {"lambda_sweep_newton_cap", 200},
                   {"images", "fashion-mnist:test indices " + std::to_string(kImageA) + " and " +
                                  std::to_string(kImageB) + (quick ? ", 2x2 average-pooled" : "")},
                   {"image_weights", "intensity in [0,1] + 1e-6, renormalised"},
                   {"costs", "divided by their maximum (C in [0, 1])"},
                   {"cases", case_config},
                   {"threads", cfg.threads}};
  report.notes.push_back(
      "Error is the L1 marginal error |P1 - a|_1 + |P^T 1 - b|_1. Sinkhorn's error is measured "
      "on every iterate at no extra cost (the next row half-step's log-sums give P1). Times "
      "include building the row-major copy of C and exclude forming the final plan; Sinkhorn's "
      "time to 1e-8 is read off its own history, so one run gives both tolerances.");
  report.notes.push_back(
      "Fashion-MNIST test images " + std::to_string(kImageA) + " (ankle boot) and " +
      std::to_string(kImageB) + " (pullover) stand in for the paper's MNIST pair; " +
      (quick ? "--quick pools them 2x2 to 14x14 (n = 196)."
             : "the full run uses all 28x28 pixels (n = 784).") +
      " The paper's Table 1 says n = 500 but its MNIST images have 784 pixels (unverified).");
  report.notes.push_back(
      "lambda is ambiguous in the paper. Here lambda = k/n counts entries of the (2n)^2 "
      "Hessian (k = 8 keeps the 2n diagonal plus about 15 entries per row of P) or, in the "
      "'plan' convention, of the n^2 plan (k per row). The sweep reports both.");
  return report;
}

const Registrar registrar{{
    .id = "sns",
    .paper = "X. Tang, M. Shavlovsky, H. Rahmanian, E. Tardini, K. K. Thekumparampil, T. Xiao, "
             "L. Ying, Accelerating Sinkhorn Algorithm with Sparse Newton Iterations, ICLR 2024",
    .summary = "SNS vs log-domain Sinkhorn at eta = 1200 on random assignment, Fashion-MNIST "
               "image pairs (L2, L1) and 2-D clouds, with a lambda sweep and exact-OT reference.",
    .run = &run_sns_experiment,
}};

}  // namespace
}  // namespace descent::experiments
