// Reproduction `learning-to-relax`: bandit-chosen SOR / SSOR-CG relaxation across sequences of
// linear systems.
//
// M. Khodak, E. Chow, M.-F. Balcan and A. Talwalkar, "Learning to Relax: Setting Solver
// Parameters Across a Sequence of Linear System Instances", ICLR 2024 (spotlight),
// arXiv 2310.02246. Spec: ../shared/papers/ot_and_linear_solvers.md, section 2.
//
//  1. SOR suite (Appendix G): A_t = delsq(numgrid('S', 12)) + c_t I (n = 100), c_t from a low-
//     or high-variance Beta distribution, b_t a truncated Gaussian, T = 5000 instances, SOR to
//     ||r|| <= 1e-8 ||r_0||. Fixed omegas, the best fixed grid omega in hindsight, the instance-
//     optimal omega (grid minimum, and Young's omega*), Tsallis-INF, Tsallis-INF-CB and ChebCB.
//  2. Heat equation (Appendix G.2): Crank-Nicolson steps of a 2-D heat equation with time-varying
//     diffusion, SSOR-CG warm-started from the previous step; CG, fixed omegas, the best fixed
//     omega in hindsight, the per-step best omega, and the learners; iterations and wall time.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "descent/core/timer.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"
#include "heat_suite.hpp"
#include "sor_suite.hpp"

namespace descent::experiments {
namespace {

using l2r::HeatResult;
using l2r::SorSequence;

std::string fmt(double v, const char* f = "%.3g") {
  return format_number(v, f);
}

// ------------------------------------------------------------------------------ SOR suite

// The reference prototype's numbers (spec section 2.3, [calib]; T = 400): mean SOR iterations.
struct Calibration {
  double fixed[5];  // omega = 1.0, 1.2, 1.4, 1.6, 1.8
  double best_grid;
  double instance_grid;
  double omega_star;
};
constexpr Calibration kCalibLow{{274, 180, 111, 63, 86}, 59, 44, 42};
constexpr Calibration kCalibHigh{{643, 427, 271, 160, 106}, 106, 60, 57};
constexpr std::size_t kFixedIndex[5] = {0, 4, 8, 12, 16};  // 1.0 ... 1.8 on linspace(1,1.95,20)

struct SorSummary {
  std::string key;  // "sor_lowvar" / "sor_highvar"
  std::size_t T = 0, seeds = 0;
  std::vector<double> grid_mean;  // mean cost of each grid omega (all instances, all seeds)
  std::vector<double> grid_sd;    // standard deviation of a single instance's cost
  double omega_star_sd = 0;
  std::size_t best = 0;  // best fixed grid index in hindsight
  double instance_grid = 0, omega_star = 0;
  // Means over all instances / over the last `window` instances (pooled over seeds).
  double window = 0;
  double tsallis_all = 0, tsallis_last = 0, tsallis_cb_all = 0, tsallis_cb_last = 0;
  double chebcb_all = 0, chebcb_last = 0;
  double best_last = 0, instance_last = 0, omega_star_last = 0;
  std::vector<double> tsallis_seed_all;         // per seed, for the "beats fixed" claim
  std::vector<std::vector<double>> fixed_seed;  // per seed, grid means
  std::size_t fallbacks = 0;
};

template <class Get>
double mean_over(const std::vector<SorSequence>& runs, std::size_t from, std::size_t to, Get get) {
  double s = 0;
  std::size_t n = 0;
  for (const auto& r : runs)
    for (std::size_t t = from; t < to; ++t, ++n) s += get(r, t);
  return n ? s / static_cast<double>(n) : 0.0;
}

SorSummary summarise(const std::string& key, const std::vector<SorSequence>& runs) {
  SorSummary s;
  s.key = key;
  s.seeds = runs.size();
  s.T = runs.front().shift.size();
  const std::size_t T = s.T, from = T > 1000 ? T - 1000 : T / 2;
  s.window = static_cast<double>(T - from);
  for (std::size_t i = 0; i < SorSequence::kGrid; ++i)
    s.grid_mean.push_back(
        mean_over(runs, 0, T, [i](const SorSequence& r, std::size_t t) { return r.grid[t][i]; }));
  auto sd_over = [&](auto get, double mean) {
    double q = 0;
    std::size_t n = 0;
    for (const auto& r : runs)
      for (std::size_t t = 0; t < T; ++t, ++n) q += (get(r, t) - mean) * (get(r, t) - mean);
    return n > 1 ? std::sqrt(q / static_cast<double>(n - 1)) : 0.0;
  };
  for (std::size_t i = 0; i < SorSequence::kGrid; ++i)
    s.grid_sd.push_back(sd_over(
        [i](const SorSequence& r, std::size_t t) { return double(r.grid[t][i]); }, s.grid_mean[i]));
  s.best = static_cast<std::size_t>(std::min_element(s.grid_mean.begin(), s.grid_mean.end()) -
                                    s.grid_mean.begin());
  auto instance = [](const SorSequence& r, std::size_t t) {
    return static_cast<double>(*std::min_element(r.grid[t].begin(), r.grid[t].end()));
  };
  auto star = [](const SorSequence& r, std::size_t t) { return double(r.omega_star[t]); };
  auto best = [&s](const SorSequence& r, std::size_t t) { return double(r.grid[t][s.best]); };
  auto ts = [](const SorSequence& r, std::size_t t) { return double(r.tsallis[t]); };
  auto cb = [](const SorSequence& r, std::size_t t) { return double(r.tsallis_cb[t]); };
  auto ch = [](const SorSequence& r, std::size_t t) { return double(r.chebcb[t]); };
  s.instance_grid = mean_over(runs, 0, T, instance);
  s.omega_star = mean_over(runs, 0, T, star);
  s.omega_star_sd = sd_over(star, s.omega_star);
  s.tsallis_all = mean_over(runs, 0, T, ts);
  s.tsallis_last = mean_over(runs, from, T, ts);
  s.tsallis_cb_all = mean_over(runs, 0, T, cb);
  s.tsallis_cb_last = mean_over(runs, from, T, cb);
  s.chebcb_all = mean_over(runs, 0, T, ch);
  s.chebcb_last = mean_over(runs, from, T, ch);
  s.best_last = mean_over(runs, from, T, best);
  s.instance_last = mean_over(runs, from, T, instance);
  s.omega_star_last = mean_over(runs, from, T, star);
  for (const auto& r : runs) {
    const std::vector<SorSequence> one{r};
    s.tsallis_seed_all.push_back(mean_over(one, 0, T, ts));
    std::vector<double> g;
    for (std::size_t i = 0; i < SorSequence::kGrid; ++i)
      g.push_back(
          mean_over(one, 0, T, [i](const SorSequence& q, std::size_t t) { return q.grid[t][i]; }));
    s.fixed_seed.push_back(g);
    s.fallbacks += r.fallbacks;
  }
  return s;
}

double grid_omega(std::size_t i) {
  return 1.0 + 0.05 * static_cast<double>(i);
}

void record_sor(Report& rep, const SorSummary& s) {
  const std::string k = s.key + ".";
  for (std::size_t j = 0; j < 5; ++j)
    rep.metric(k + "mean_iterations.omega_" + fmt(grid_omega(kFixedIndex[j]), "%.1f"),
               s.grid_mean[kFixedIndex[j]]);
  rep.metric(k + "best_fixed_omega", grid_omega(s.best));
  rep.metric(k + "mean_iterations.best_fixed", s.grid_mean[s.best]);
  rep.metric(k + "mean_iterations.instance_optimal_grid", s.instance_grid);
  rep.metric(k + "mean_iterations.omega_star", s.omega_star);
  rep.metric(k + "mean_iterations.tsallis", s.tsallis_all);
  rep.metric(k + "mean_iterations.tsallis_cb", s.tsallis_cb_all);
  rep.metric(k + "mean_iterations.chebcb", s.chebcb_all);
  rep.metric(k + "last1000.tsallis", s.tsallis_last);
  rep.metric(k + "last1000.tsallis_cb", s.tsallis_cb_last);
  rep.metric(k + "last1000.chebcb", s.chebcb_last);
  rep.metric(k + "last1000.best_fixed", s.best_last);
  rep.metric(k + "last1000.instance_optimal_grid", s.instance_last);
  rep.metric(k + "last1000.omega_star", s.omega_star_last);
  rep.metric(k + "tsallis_last1000_over_best_fixed", s.tsallis_last / s.best_last);
  rep.metric(k + "tsallis_all_over_best_fixed", s.tsallis_all / s.grid_mean[s.best]);
  rep.metric(k + "tsallis_cb_last1000_over_best_fixed", s.tsallis_cb_last / s.best_last);
  rep.metric(k + "chebcb_last1000_over_best_fixed", s.chebcb_last / s.best_last);
  rep.metric(k + "chebcb_last1000_over_instance_optimal", s.chebcb_last / s.instance_last);
  rep.metric(k + "chebcb_last1000_over_omega_star", s.chebcb_last / s.omega_star_last);
  rep.metric(k + "instances", static_cast<double>(s.T));
  rep.metric(k + "seeds", static_cast<double>(s.seeds));
  rep.metric(k + "learner_uniform_fallbacks", static_cast<double>(s.fallbacks));
}

// "Instances remaining vs cumulative iterations" (Fig. 2 centre-left / Fig. 5): mean over seeds
// of the running total, every `stride` instances.
void write_remaining_csv(const std::string& path, const std::vector<SorSequence>& runs,
                         std::size_t best) {
  const std::size_t T = runs.front().shift.size(), stride = std::max<std::size_t>(1, T / 500);
  std::vector<std::string> cols = {"instance", "remaining"};
  for (std::size_t j : kFixedIndex) cols.push_back("omega_" + fmt(grid_omega(j), "%.1f"));
  cols.insert(cols.end(),
              {"best_fixed", "instance_optimal", "omega_star", "tsallis", "tsallis_cb", "chebcb"});
  const std::size_t rows = (T + stride - 1) / stride + 1;
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows),
                                            static_cast<Eigen::Index>(cols.size()));
  std::vector<double> cum(cols.size() - 2, 0.0);
  Eigen::Index row = 1;  // row 0: nothing solved yet
  m(0, 1) = static_cast<double>(T);
  const double seeds = static_cast<double>(runs.size());
  for (std::size_t t = 0; t < T; ++t) {
    std::size_t c = 0;
    for (const auto& r : runs) {
      c = 0;
      for (std::size_t j : kFixedIndex) cum[c++] += r.grid[t][j] / seeds;
      cum[c++] += r.grid[t][best] / seeds;
      cum[c++] += *std::min_element(r.grid[t].begin(), r.grid[t].end()) / seeds;
      cum[c++] += r.omega_star[t] / seeds;
      cum[c++] += r.tsallis[t] / seeds;
      cum[c++] += r.tsallis_cb[t] / seeds;
      cum[c++] += r.chebcb[t] / seeds;
    }
    if ((t + 1) % stride == 0 || t + 1 == T) {
      m(row, 0) = static_cast<double>(t + 1);
      m(row, 1) = static_cast<double>(T - t - 1);
      for (std::size_t j = 0; j < cum.size(); ++j)
        m(row, static_cast<Eigen::Index>(j + 2)) = cum[j];
      ++row;
    }
  }
  io::write_csv(path, m.topRows(row), cols);
}

Plot remaining_plot(const std::string& key, const std::string& title) {
  Plot p;
  p.file = key + "_remaining.png";
  p.title = title;
  p.xlabel = "total SOR iterations (mean over seeds)";
  p.ylabel = "instances remaining";
  const std::string csv = key + "_remaining.csv";
  // Eight series: gnuplot's default palette has eight colours.
  for (const char* c : {"omega_1.0", "omega_1.4", "omega_1.6", "omega_1.8"})
    p.series.push_back({csv, c, "remaining", std::string("omega = ") + (c + 6)});
  p.series.push_back({csv, "instance_optimal", "remaining", "instance-optimal (grid)"});
  p.series.push_back({csv, "tsallis", "remaining", "Tsallis-INF"});
  p.series.push_back({csv, "tsallis_cb", "remaining", "Tsallis-INF-CB"});
  p.series.push_back({csv, "chebcb", "remaining", "ChebCB"});
  return p;
}

void sor_claims(Report& rep, const SorSummary& low, const SorSummary& high, bool quick) {
  const std::string scale = std::to_string(low.T) + " instances x " + std::to_string(low.seeds) +
                            " seed(s)" + (quick ? " (quick)" : "");
  // Calibration: the SOR oracle reproduces the reference prototype's iteration counts. The
  // prototype's numbers are means of only 400 instances, so an entry also passes if it lies
  // within two standard errors of such a mean (sd / sqrt(400), sd from our own instances); the
  // high-variance costs are heavy-tailed (c near -0.15 costs thousands of iterations at omega 1).
  double worst = 0.0, worst_z = 0.0;
  bool ok = true;
  std::string table, needed_se;
  for (const auto& [s, c] : {std::pair{&low, kCalibLow}, std::pair{&high, kCalibHigh}}) {
    table += s->key + ": ";
    auto one = [&](const std::string& label, double ours, double calib, double sd) {
      const double dev = std::abs(ours / calib - 1.0), z = std::abs(ours - calib) / (sd / 20.0);
      worst = std::max(worst, dev);
      worst_z = std::max(worst_z, z);
      if (dev > 0.05) {
        ok = ok && z <= 2.0;
        needed_se += s->key + " " + label + " (" + fmt(100 * dev, "%.1f") + "%, " + fmt(z, "%.1f") +
                     " SE); ";
      }
      table += label + " " + fmt(ours, "%.1f") + "/" + fmt(calib, "%.0f") + ", ";
    };
    for (std::size_t j = 0; j < 5; ++j)
      one(fmt(grid_omega(kFixedIndex[j]), "%.1f"), s->grid_mean[kFixedIndex[j]], c.fixed[j],
          s->grid_sd[kFixedIndex[j]]);
    one("omega*", s->omega_star, c.omega_star, s->omega_star_sd);
    table.resize(table.size() - 2);  // the last ", "
    table += "; ";
  }
  rep.metric("sor.calibration_max_relative_deviation", worst);
  rep.metric("sor.calibration_max_standard_errors", worst_z);
  rep.check("sor_counts_match_calibration",
            "Mean SOR iterations at omega in {1.0, ..., 1.8} and at Young's omega* match the "
            "reference prototype within +-5%, or within two standard errors of its 400-instance "
            "means (an oracle check of the solver and the generators)",
            "spec [calib] table (T = 400)",
            table + "ours/calib; worst deviation " + fmt(100 * worst, "%.1f") + "%", ok,
            "over " + scale + " per distribution" +
                (needed_se.empty() ? std::string("; every entry within 5%")
                                   : "; beyond 5% but within 2 SE: " + needed_se));

  const double r_last = low.tsallis_last / low.best_last;
  const double r_all = low.tsallis_all / low.grid_mean[low.best];
  rep.check("lowvar_tsallis_last1000_near_best_fixed",
            "Low variance: Tsallis-INF's mean cost over the last 1000 instances is within 10% of "
            "the best fixed grid omega in hindsight",
            "approaches the best fixed omega (Fig. 2; Thm 2.1: O~(T^2/3) regret); <= 1.10 x",
            fmt(low.tsallis_last, "%.1f") + " vs " + fmt(low.best_last, "%.1f") + " (omega = " +
                fmt(grid_omega(low.best), "%.2f") + "): ratio " + fmt(r_last, "%.3f"),
            r_last <= 1.10, scale);
  rep.check("lowvar_tsallis_cumulative_near_best_fixed",
            "Low variance: Tsallis-INF's mean cost over all instances is within 30% of the best "
            "fixed grid omega (exploration included)",
            "<= 1.3 x (spec acceptance)",
            fmt(low.tsallis_all, "%.1f") + " vs " + fmt(low.grid_mean[low.best], "%.1f") +
                ": ratio " + fmt(r_all, "%.3f"),
            r_all <= 1.3, scale);
  bool beats = true;
  double worst_gain = 1.0;
  for (std::size_t s = 0; s < low.seeds; ++s)
    for (std::size_t j : {0, 4, 8}) {
      const double gain = 1.0 - low.tsallis_seed_all[s] / low.fixed_seed[s][j];
      worst_gain = std::min(worst_gain, gain);
      beats = beats && gain >= 0.30;
    }
  rep.metric("sor_lowvar.tsallis_min_saving_vs_omega_1.0_1.2_1.4", worst_gain);
  rep.check("lowvar_tsallis_beats_small_omegas",
            "Low variance: in every seed Tsallis-INF's total cost is at least 30% below each of "
            "omega = 1.0, 1.2, 1.4",
            ">= 30% saving (spec acceptance 3)",
            "smallest saving " + fmt(100 * worst_gain, "%.1f") + "%", beats, scale);

  const double h_inst = high.chebcb_last / high.instance_last;
  const double h_best = high.chebcb_last / high.best_last;
  rep.check("highvar_chebcb_near_instance_optimal",
            "High variance: ChebCB's mean cost over the last 1000 instances is within 15% of the "
            "instance-optimal grid omega",
            "ChebCB approaches the instance-optimal policy (Fig. 2 right; Thm 3.2); <= 1.15 x",
            fmt(high.chebcb_last, "%.1f") + " vs " + fmt(high.instance_last, "%.1f") +
                " (Young's omega*: " + fmt(high.omega_star_last, "%.1f") + "): ratio " +
                fmt(h_inst, "%.3f"),
            h_inst <= 1.15, scale);
  rep.check("highvar_chebcb_beats_best_fixed",
            "High variance: ChebCB beats the best fixed omega in hindsight over the last 1000 "
            "instances",
            "contextual learners beat the best fixed omega (~106 iterations at omega ~ 1.8)",
            fmt(high.chebcb_last, "%.1f") + " vs " + fmt(high.best_last, "%.1f") + " (omega = " +
                fmt(grid_omega(high.best), "%.2f") + "): ratio " + fmt(h_best, "%.3f"),
            h_best < 1.0, scale);
}

// ------------------------------------------------------------------------------ heat

const std::vector<std::string> kHeatMethods = {
    "cg",         "omega_1",          "omega_1.3", "omega_1.5",  "omega_1.75", "omega_1.95",
    "best_fixed", "instance_optimal", "tsallis",   "tsallis_cb", "chebcb"};

// Per-trial total iterations of learner `method` over the best fixed omega in hindsight.
std::vector<double> trial_ratios(const HeatResult& h, const std::string& method) {
  std::vector<double> r;
  const auto best = h.mean_iterations.find("best_fixed");
  if (best == h.mean_iterations.end()) return r;
  for (const auto& run : h.runs)
    if (run.method == method) r.push_back(static_cast<double>(run.iterations) / best->second);
  return r;
}

// Standard error of the mean of v (sample standard deviation / sqrt(size)).
double standard_error(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / (n - 1) / n);
}

void record_heat(Report& rep, const HeatResult& h) {
  const std::string k = "heat_nx" + std::to_string(h.nx) + ".";
  for (const auto& [m, v] : h.mean_iterations) rep.metric(k + "iterations." + m, v);
  for (const auto& [m, v] : h.mean_seconds) rep.metric(k + "seconds." + m, v);
  for (const auto& [m, v] : h.mean_cpu_seconds) rep.metric(k + "cpu_seconds." + m, v);
  if (h.mean_iterations.count("best_fixed")) rep.metric(k + "best_fixed_omega", h.best_fixed_omega);
  rep.metric(k + "steps", static_cast<double>(h.steps));
  rep.metric(k + "n", static_cast<double>(h.n));
  const auto& it = h.mean_iterations;
  const auto& sec = h.mean_seconds;
  if (it.count("best_fixed")) {
    // Learners: the ratio of the mean over trials (the decision statistic, as the paper averages
    // its trials), and the spread of the per-trial ratios.
    for (const char* m : {"tsallis", "chebcb"}) {
      const std::vector<double> r = trial_ratios(h, m);
      if (r.size() < 2) continue;
      rep.metric(k + m + "_iters_over_best_fixed_trial_median", median(r));
      rep.metric(k + m + "_iters_over_best_fixed_trial_min", *std::min_element(r.begin(), r.end()));
      rep.metric(k + m + "_iters_over_best_fixed_trial_max", *std::max_element(r.begin(), r.end()));
      rep.metric(k + m + "_iters_over_best_fixed_trial_stderr", standard_error(r));
    }
    if (it.count("tsallis"))
      rep.metric(k + "tsallis_iters_over_best_fixed", it.at("tsallis") / it.at("best_fixed"));
    if (it.count("chebcb"))
      rep.metric(k + "chebcb_iters_over_best_fixed", it.at("chebcb") / it.at("best_fixed"));
    if (it.count("tsallis_cb"))
      rep.metric(k + "tsallis_cb_iters_over_best_fixed", it.at("tsallis_cb") / it.at("best_fixed"));
  }
  const auto& cpu = h.mean_cpu_seconds;
  if (sec.count("omega_1")) {
    for (const char* m : {"cg", "tsallis", "chebcb"})
      if (sec.count(m)) {
        rep.metric(k + m + "_time_over_gs_pcg", sec.at(m) / sec.at("omega_1"));
        rep.metric(k + m + "_cpu_time_over_gs_pcg", cpu.at(m) / cpu.at("omega_1"));
      }
  }
  for (const auto& r : h.runs)
    if (r.failures) rep.metric(k + "failed_solves." + r.method, static_cast<double>(r.failures));
}

void write_heat_csvs(const std::string& dir, const std::vector<HeatResult>& heat) {
  std::vector<std::string> cols = {"n"};
  for (const auto& m : kHeatMethods) cols.push_back(m);
  for (const auto& m : kHeatMethods) cols.push_back(m + "_seconds_over_cg");
  for (const auto& m : kHeatMethods) cols.push_back(m + "_cpu_over_cg");
  Eigen::MatrixXd t(static_cast<Eigen::Index>(heat.size()), static_cast<Eigen::Index>(cols.size()));
  const double nan = std::nan("");
  for (std::size_t r = 0; r < heat.size(); ++r) {
    const auto& h = heat[r];
    const auto row = static_cast<Eigen::Index>(r);
    t(row, 0) = static_cast<double>(h.n);
    for (std::size_t j = 0; j < kHeatMethods.size(); ++j) {
      const auto& m = kHeatMethods[j];
      const auto c = static_cast<Eigen::Index>(j + 1);
      t(row, c) = h.mean_iterations.count(m) ? h.mean_iterations.at(m) : nan;
      const auto cs = static_cast<Eigen::Index>(j + 1 + kHeatMethods.size());
      t(row, cs) = h.mean_seconds.count(m) && h.mean_seconds.count("cg")
                       ? h.mean_seconds.at(m) / h.mean_seconds.at("cg")
                       : nan;
      const auto cc = static_cast<Eigen::Index>(j + 1 + 2 * kHeatMethods.size());
      t(row, cc) = h.mean_cpu_seconds.count(m) && h.mean_cpu_seconds.count("cg")
                       ? h.mean_cpu_seconds.at(m) / h.mean_cpu_seconds.at("cg")
                       : nan;
    }
  }
  io::write_csv(dir + "/heat_summary.csv", t, cols);

  // Per step at the largest grid with an instance-optimal run: kappa, omegas and costs.
  const HeatResult* detail = nullptr;
  for (const auto& h : heat)
    for (const auto& r : h.runs)
      if (r.method == "instance_optimal") detail = &h;
  if (!detail) return;
  const l2r::HeatRun *inst = nullptr, *cheb = nullptr, *best = nullptr;
  char name[32];
  std::snprintf(name, sizeof name, "omega_%g", detail->best_fixed_omega);
  for (const auto& r : detail->runs) {
    if (r.method == "instance_optimal") inst = &r;
    if (r.method == "chebcb" && !cheb) cheb = &r;
    if (r.method == name) best = &r;
  }
  if (!inst || !cheb || !best) return;
  const std::size_t T = detail->steps, stride = std::max<std::size_t>(1, T / 1000);
  Eigen::MatrixXd s(static_cast<Eigen::Index>((T + stride - 1) / stride), 9);
  double c_inst = 0, c_cheb = 0, c_best = 0;
  Eigen::Index row = 0;
  for (std::size_t i = 0; i < T; ++i) {
    c_inst += inst->step_iterations[i];
    c_cheb += cheb->step_iterations[i];
    c_best += best->step_iterations[i];
    if (i % stride) continue;
    const double time = detail->dt * static_cast<double>(i);  // kappa at the step's start
    s.row(row++) << static_cast<double>(i), linalg::Heat2D::diffusion(time),
        1.0 + linalg::Heat2D::diffusion(time) / 10.0, inst->step_omega[i], cheb->step_omega[i],
        c_inst, c_cheb, c_best, static_cast<double>(cheb->step_iterations[i]);
  }
  io::write_csv(dir + "/heat_steps.csv", s.topRows(row),
                {"step", "kappa", "kappa_scaled", "instance_optimal_omega", "chebcb_omega",
                 "cumulative_instance_optimal", "cumulative_chebcb", "cumulative_best_fixed",
                 "chebcb_iterations"});
}

void heat_claims(Report& rep, const std::vector<HeatResult>& heat, bool quick) {
  const HeatResult* h100 = nullptr;
  const HeatResult* h200 = nullptr;
  for (const auto& h : heat) {
    if (h.nx == 100) h100 = &h;
    if (h.nx == 200) h200 = &h;
  }
  const std::string q = quick ? " (quick run: fewer steps)" : "";
  if (h100 && h100->mean_iterations.count("best_fixed")) {
    const auto& it = h100->mean_iterations;
    const double rt = it.at("tsallis") / it.at("best_fixed");
    const double rc = it.at("chebcb") / it.at("best_fixed");
    auto spread = [&](const char* m) {
      const std::vector<double> r = trial_ratios(*h100, m);
      if (r.size() < 2) return std::string();
      std::string s = "; per trial " + fmt(*std::min_element(r.begin(), r.end()), "%.3f") + "-" +
                      fmt(*std::max_element(r.begin(), r.end()), "%.3f") + ", median " +
                      fmt(median(r), "%.3f") + ", standard error of the mean " +
                      fmt(standard_error(r), "%.3f");
      return s;
    };
    const std::size_t trials = trial_ratios(*h100, "tsallis").size();
    const std::string scale =
        std::to_string(h100->steps) + " steps, n = " + std::to_string(h100->n) +
        (trials > 1 ? ", learners: mean over " + std::to_string(trials) + " trials" : "") + q;
    rep.check("heat_nx100_tsallis_near_best_fixed",
              "Heat equation, n_x = 100: Tsallis-INF's total SSOR-CG iterations are within 10% "
              "of the best fixed omega in hindsight",
              "Tsallis-INF is close to the best fixed omega (Fig. 3); <= 1.1 x",
              fmt(it.at("tsallis"), "%.0f") + " vs " + fmt(it.at("best_fixed"), "%.0f") +
                  " (omega = " + fmt(h100->best_fixed_omega, "%.2f") + "): ratio " +
                  fmt(rt, "%.3f") + spread("tsallis"),
              rt <= 1.1, scale);
    rep.check("heat_nx100_chebcb_beats_best_fixed",
              "Heat equation, n_x = 100: ChebCB (context kappa(t)) needs no more total iterations "
              "than the best fixed omega in hindsight",
              "ChebCB beats the best fixed omega in most cases; <= 1.0 x",
              fmt(it.at("chebcb"), "%.0f") + " vs " + fmt(it.at("best_fixed"), "%.0f") +
                  ": ratio " + fmt(rc, "%.3f") + spread("chebcb"),
              rc <= 1.0, scale);
  } else {
    rep.not_measured("heat_nx100_tsallis_near_best_fixed",
                     "Heat equation, n_x = 100: Tsallis-INF within 10% of the best fixed omega",
                     "<= 1.1 x", "n_x = 100 was not run");
  }
  for (const HeatResult* h : {h100, h200}) {
    if (!h) continue;
    const auto& it = h->mean_iterations;
    double baseline = it.at("cg");
    std::string names = "CG " + fmt(it.at("cg"), "%.0f");
    for (const char* m : {"omega_1", "omega_1.5"})
      if (it.count(m)) {
        baseline = std::min(baseline, it.at(m));
        names += std::string(", ") + m + " " + fmt(it.at(m), "%.0f");
      }
    const double worst = std::max(it.at("tsallis"), it.at("chebcb"));
    rep.check("heat_nx" + std::to_string(h->nx) + "_learners_beat_baselines",
              "Heat equation, n_x = " + std::to_string(h->nx) +
                  ": Tsallis-INF and ChebCB need fewer SSOR-CG iterations than CG, omega = 1 and "
                  "omega = 1.5 (those run)",
              "both learners substantially outperform the three baselines at larger n",
              "Tsallis-INF " + fmt(it.at("tsallis"), "%.0f") + ", ChebCB " +
                  fmt(it.at("chebcb"), "%.0f") + " vs " + names,
              worst < baseline, std::to_string(h->steps) + " steps" + q);
  }
  if (h200) {
    const auto& sec = h200->mean_seconds;
    const auto& cpu = h200->mean_cpu_seconds;
    const double r = sec.at("chebcb") / sec.at("omega_1");
    const double rc = cpu.at("chebcb") / cpu.at("omega_1");
    rep.check("heat_nx200_chebcb_faster_than_gs_pcg",
              "Heat equation, n_x = 200: ChebCB's wall time (learning included) is below that of "
              "Gauss-Seidel (SSOR omega = 1) preconditioned CG",
              "ChebCB ~3.5x faster than GS-PCG (ratio ~0.29) in the setting closest to Li et al.; "
              "gains grow with n",
              "ChebCB " + fmt(sec.at("chebcb"), "%.2f") + " s vs omega = 1 " +
                  fmt(sec.at("omega_1"), "%.2f") + " s: ratio " + fmt(r, "%.3f") + " (CPU time " +
                  fmt(rc, "%.3f") + "; unpreconditioned CG " +
                  fmt(sec.at("cg") / sec.at("omega_1"), "%.3f") + ")",
              r < 1.0,
              std::to_string(h200->steps) + " steps, n = " + std::to_string(h200->n) + q +
                  "; whole simulation loop, one thread, on a shared machine");
  } else {
    rep.not_measured("heat_nx200_chebcb_faster_than_gs_pcg",
                     "Heat equation, n_x = 200: ChebCB faster than GS-PCG in wall time", "~0.29 x",
                     "n_x = 200 runs only in the full reproduction (it takes minutes)");
  }
}

Plot heat_plot(bool wall) {
  Plot p;
  // Time is plotted as CPU time: on the shared build machine wall time also counts other jobs
  // (both are in the metrics and in heat_summary.csv).
  p.file = wall ? "heat_time.png" : "heat_iterations.png";
  p.title = wall ? "Heat equation: CPU time of the simulation / that of unpreconditioned CG"
                 : "Heat equation: total iterations over the simulation";
  p.xlabel = "matrix dimension n";
  p.ylabel = wall ? "CPU time / CG CPU time" : "total iterations";
  p.logx = true;
  p.logy = !wall;
  const std::vector<std::pair<std::string, std::string>> series =
      wall ? std::vector<std::pair<std::string, std::string>>{{"omega_1", "omega = 1"},
                                                              {"omega_1.5", "omega = 1.5"},
                                                              {"tsallis", "Tsallis-INF"},
                                                              {"chebcb", "ChebCB"}}
           : std::vector<std::pair<std::string, std::string>>{
                 {"cg", "CG"},
                 {"omega_1", "omega = 1"},
                 {"omega_1.5", "omega = 1.5"},
                 {"best_fixed", "best fixed omega"},
                 {"instance_optimal", "instance-optimal"},
                 {"tsallis", "Tsallis-INF"},
                 {"tsallis_cb", "Tsallis-INF-CB"},
                 {"chebcb", "ChebCB"}};
  for (const auto& [col, label] : series)
    p.series.push_back({"heat_summary.csv", "n", wall ? col + "_cpu_over_cg" : col, label});
  return p;
}

// ------------------------------------------------------------------------------ run

Report run_learning_to_relax(const ExperimentConfig& cfg) {
  Report rep;
  Stopwatch clock;

  // 1. SOR suite.
  const std::size_t T = 5000;  // the paper's horizon even in --quick: judge Tsallis-INF there
  const std::size_t seeds = cfg.quick ? 1 : 5;
  std::vector<SorSummary> sums;
  for (const auto& [key, dist, stream] :
       {std::tuple{std::string("sor_lowvar"), linalg::ShiftDistribution::low_variance(), 1u},
        std::tuple{std::string("sor_highvar"), linalg::ShiftDistribution::high_variance(), 2u}}) {
    l2r::SorSuiteConfig sc;
    sc.distribution = dist;
    sc.instances = T;
    sc.seeds = seeds;
    sc.base_seed = cfg.seed;
    sc.stream = stream;
    sc.threads = cfg.threads;
    const auto runs = l2r::run_sor_suite(sc);
    sums.push_back(summarise(key, runs));
    record_sor(rep, sums.back());
    write_remaining_csv(cfg.out_dir + "/" + key + "_remaining.csv", runs, sums.back().best);
  }
  rep.metric("sor.seconds", clock.seconds());
  sor_claims(rep, sums[0], sums[1], cfg.quick);
  rep.plots.push_back(remaining_plot("sor_lowvar", "SOR, low-variance shifts Beta(2, 6)"));
  rep.plots.push_back(remaining_plot("sor_highvar", "SOR, high-variance shifts Beta(1/2, 3/2)"));

  // 2. Heat equation.
  Stopwatch heat_clock;
  std::vector<l2r::HeatConfig> grids;
  auto grid = [&](int nx, std::size_t steps) {
    l2r::HeatConfig h;
    h.nx = nx;
    h.steps = steps;
    h.seed = cfg.seed;
    return h;
  };
  if (cfg.quick) {
    auto a = grid(50, 1000);
    auto b = grid(100, 1000);
    b.instance_optimal = false;
    grids = {a, b};  // n_x = 200 needs thousands of steps to mean anything: full run only
  } else {
    auto a = grid(50, 5000);
    a.trials = 3;
    auto b = grid(100, 5000);
    // More trials than the paper's 3 at the grid with the acceptance claims: the Tsallis-INF
    // ratio's trial-to-trial spread (a few percent) is the size of its margin to 1.1.
    b.trials = 5;
    auto c = grid(200, 5000);
    c.fixed_all = false;
    c.hindsight = c.instance_optimal = c.tsallis_cb = false;
    grids = {a, b, c};
  }
  std::vector<HeatResult> heat;
  for (const auto& h : grids) {
    heat.push_back(l2r::run_heat(h));
    record_heat(rep, heat.back());
  }
  rep.metric("heat.seconds", heat_clock.seconds());
  write_heat_csvs(cfg.out_dir, heat);
  heat_claims(rep, heat, cfg.quick);
  rep.plots.push_back(heat_plot(false));
  rep.plots.push_back(heat_plot(true));
  // heat_steps.csv holds the largest grid with a per-step best run (see write_heat_csvs).
  int detail_nx = 0;
  for (const auto& h : heat)
    for (const auto& r : h.runs)
      if (r.method == "instance_optimal") detail_nx = h.nx;
  if (detail_nx > 0) {
    Plot p;
    p.file = "heat_steps_omega.png";
    p.title = "Heat equation, n_x = " + std::to_string(detail_nx) +
              ": omega per step (ChebCB vs per-step best) and kappa(t)";
    p.xlabel = "time step";
    p.ylabel = "omega";
    p.series = {{"heat_steps.csv", "step", "instance_optimal_omega", "per-step best omega"},
                {"heat_steps.csv", "step", "chebcb_omega", "ChebCB's omega"},
                {"heat_steps.csv", "step", "kappa_scaled", "1 + kappa(t) / 10"}};
    rep.plots.push_back(p);
  }

  rep.config = {{"sor",
                 {{"matrix", "delsq(numgrid('S', 12)) + c I, n = 100"},
                  {"shift", "c = -0.15 + 0.6 Beta(2, 6) | Beta(1/2, 3/2)"},
                  {"rhs", "N(0, I) truncated to ||b|| <= sqrt(n)"},
                  {"tolerance", "||r|| <= 1e-8 ||r_0||, cap 10000"},
                  {"grid", "linspace(1, 1.95, 20)"},
                  {"instances", T},
                  {"seeds", seeds},
                  {"context_range", {-0.15, 0.65}},
                  {"tsallis_cb_bins", 5},
                  {"chebcb_features", 6}}},
                {"heat", nlohmann::json::array()}};
  for (const auto& h : grids)
    rep.config["heat"].push_back(
        {{"nx", h.nx},
         {"steps", h.steps},
         {"dt", h.dt},
         {"learner_trials", h.trials},
         {"fixed_omegas", h.fixed_all ? "1, 1.3, 1.5, 1.75, 1.95" : "1, 1.5"},
         {"best_fixed_in_hindsight", h.hindsight},
         {"instance_optimal", h.instance_optimal},
         {"tsallis_cb", h.tsallis_cb},
         {"tolerance", "||r|| <= 1e-8 ||b|| (MATLAB pcg), cap 10000"},
         {"tsallis_cb_bins", 6},
         {"chebcb_features", 6}});

  rep.notes.push_back(
      "SOR suite: every instance's cost at all 20 grid omegas (and at Young's omega*) is computed "
      "once, and the learners read their cost from that table. Instances are i.i.d. and start from "
      "x = 0, so this is exactly what running each learner would cost; the multi-omega solve is "
      "bit-identical to separate solves (unit-tested). The best fixed omega is chosen in "
      "hindsight on the pooled instances; 'instance-optimal' is the per-instance minimum over the "
      "learners' 20-point grid (the calibration's 'instance-opt (grid)'), and Young's omega* is "
      "reported beside it. Ratios compare means over the same last 1000 instances.");
  rep.notes.push_back(
      "Heat equation: each method runs its own trajectory (warm start = previous solution, "
      "tolerance 1e-8 relative to ||b|| as MATLAB's pcg). The best fixed omega in hindsight is "
      "found by a discrete golden-section search over the 20-point grid around the best of the "
      "paper's fixed omegas, each evaluation a full simulation (the paper searches a continuum "
      "with "
      "interpolated per-step costs); the per-step best omega uses a discrete golden-section search "
      "of the grid at every step. Wall times cover the whole simulation loop (assembly, choice, "
      "solve, learning) on one thread of a shared 2-core machine.");
  if (cfg.quick)
    rep.notes.push_back(
        "Quick run: one SOR seed (T = 5000 still), heat n_x = 50 and 100 with 1000 steps (one "
        "period of kappa), one learner trial, no n_x = 200; the learners have a fifth of the "
        "paper's 5000 steps to learn, so heat verdicts here are indicative. The full run uses 5 "
        "SOR seeds, 5000 heat steps and n_x = 200.");
  else
    rep.notes.push_back(
        "Full run: 5 SOR seeds x 5000 instances per distribution (the paper: 40 trials); heat n_x "
        "in {50, 100} with 5000 steps, all baselines and 3 (n_x = 50) or 5 (n_x = 100) trials per "
        "learner, whose mean decides the claims; n_x = 200 with 5000 "
        "steps, CG, omega in {1, 1.5} and one trial of Tsallis-INF and ChebCB (n_x = 400 and the "
        "remaining baselines at 200 are left out for time: each costs one to two minutes).");
  return rep;
}

const Registrar registrar{{
    .id = "learning-to-relax",
    .paper = "M. Khodak, E. Chow, M.-F. Balcan, A. Talwalkar, Learning to Relax: Setting Solver "
             "Parameters Across a Sequence of Linear System Instances, ICLR 2024",
    .summary = "Bandits (Tsallis-INF, Tsallis-INF-CB, ChebCB) choose the SOR / SSOR-CG relaxation "
               "weight across sequences of shifted Laplacians and heat-equation time steps.",
    .run = &run_learning_to_relax,
}};

}  // namespace
}  // namespace descent::experiments
