// Reproduction `linas`: DyNAS-T / LINAS's checks D1-D4 of spec search_nas_co.md §2.5 and the
// distributed search.
//
// J. P. Muñoz, N. Lyalyushkin, ... (Intel Labs), DyNAS-T / LINAS, "A Hardware-Aware System for
// Accelerating Deep Neural Network Optimization", arXiv 2202.12954 (2022). The README claims
// LINAS is "~4x more sample efficient" than plain evolutionary search.
//
// Tier A: the 45-variable OFA-MobileNetV3 space; a validation is a call to the oracle fitted
// to DyNAS-T's 2,223 measured sub-networks (additive MACs, frozen accuracy ridge; ofa.hpp).
// Objectives (top-1 accuracy, MACs), hypervolume at the reference (70 %, 550 M MACs), just
// outside the measured ranges (71.0-77.5 %, 123-506 M). Per seed: LINAS with DyNAS-T's
// settings (population 50, 20,000 predictor evaluations per loop, Ridge/SVR predictors on
// DyNAS-T's onehot_custom features) for 250 validations; NSGA-II (population 50, pymoo
// defaults) for 1,000; random search for 1,000. --quick runs 1 seed instead of 5.
//
// D1: NSGA-II on ZDT1 and ZDT2 (30 variables, population 100, 250 generations, pagmo's
// operator parameters) against pagmo2's nsga2, whose per-seed values are committed in
// data/evo/pagmo_zdt_golden.json (pagmo is LGPL/GPL and stays out of the library; the test
// evo_pagmo_test recomputes them). 10 seeds, --quick 3.
// D3: the predictors against scikit-learn's golden values (data/evo/
// sklearn_predictor_golden.json, tests/evo/make_golden.py), and the depth-masked predictors on
// 500 measured rows (MACs MAPE, accuracy Kendall tau on the other 1,723).
// MPI: `descent search` under `mpirun -np 4` against the serial run, file for file (when
// mpirun is on PATH and this is the descent CLI).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "descent/core/timer.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/evo/hypervolume.hpp"
#include "descent/evo/linas.hpp"
#include "descent/evo/ofa.hpp"
#include "descent/evo/predictor.hpp"
#include "descent/evo/problems.hpp"
#include "descent/evo/space.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "tier_b.hpp"

namespace descent::experiments {
namespace {

constexpr std::size_t kStep = 50;

/// Hypervolume of the first 50, 100, ... validations (rows in validation order).
std::vector<double> curve(const Eigen::MatrixXd& F, const Eigen::Vector2d& ref) {
  std::vector<double> hv;
  for (Eigen::Index n = kStep; n <= F.rows(); n += kStep)
    hv.push_back(evo::hypervolume_within(F.topRows(n), ref));
  return hv;
}

std::vector<double> mean_curve(const std::vector<std::vector<double>>& runs) {
  std::vector<double> m(runs.front().size(), 0.0);
  for (const auto& r : runs)
    for (std::size_t i = 0; i < m.size(); ++i) m[i] += r[i] / static_cast<double>(runs.size());
  return m;
}

/// Validations a curve needs to reach `target` (linear between its points); NaN if never.
double validations_to_reach(const std::vector<double>& c, double target) {
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i] < target) continue;
    if (i == 0) return kStep;
    const double t = (target - c[i - 1]) / (c[i] - c[i - 1]);
    return static_cast<double>(kStep) * (static_cast<double>(i) + t);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x / static_cast<double>(v.size());
  return s;
}

/// D1: ours on ZDT1/2 against pagmo's committed per-seed values.
void zdt(Report& report, const ExperimentConfig& cfg, const io::Json& pagmo) {
  const std::size_t seeds = cfg.quick ? 3 : 10;
  const Eigen::Vector2d ref(1.1, 1.1);
  for (const auto& [name, make, truth] :
       {std::tuple{std::string("zdt1"), &evo::zdt1, evo::zdt1_true_hypervolume()},
        std::tuple{std::string("zdt2"), &evo::zdt2, evo::zdt2_true_hypervolume()}}) {
    std::vector<double> ours, theirs;
    for (std::size_t s = 0; s < seeds; ++s) {
      evo::Nsga2Options o;
      o.population = 100;
      o.generations = 250;
      o.seed = s;                    // pagmo's seeds 0..9
      o.mutation.probability = 1.0;  // pagmo's semantics: every offspring, 1/30 per variable
      o.mutation.variable_probability = 1.0 / 30;
      ours.push_back(evo::hypervolume_within(evo::nsga2(make(30), o).F, ref));
      theirs.push_back(pagmo[name][s].get<double>());
    }
    report.metric(name + ".hv_ours_mean", mean(ours));
    report.metric(name + ".hv_pagmo_mean", mean(theirs));
    report.metric(name + ".hv_true", truth);
    const double gap = std::abs(mean(ours) - mean(theirs)) / mean(theirs);
    report.check(name + "_within_1pct_of_pagmo",
                 "NSGA-II's mean HV on " + name + " is within 1 % of pagmo2's (same parameters)",
                 "within 1 % (spec D1)",
                 format_number(mean(ours), "%.5f") + " vs pagmo " +
                     format_number(mean(theirs), "%.5f") + " (" + format_number(100 * gap, "%.3f") +
                     " %), " + std::to_string(seeds) + " seeds",
                 gap <= 0.01);
  }
  report.check("zdt1_hv_at_least_0_87", "mean HV on ZDT1 >= 0.87 (true front 0.8767)",
               ">= 0.87 (spec D1)",
               format_number(report.metrics["zdt1.hv_ours_mean"], "%.5f") + " (pagmo " +
                   format_number(report.metrics["zdt1.hv_pagmo_mean"], "%.5f") + ")",
               report.metrics["zdt1.hv_ours_mean"] >= 0.87,
               "the threshold is the spec's; 100 points cannot cover the continuous front: the "
               "best 100-point subset has HV 0.87196, and pagmo ends where we do (docs/evo.md)");
}

Eigen::MatrixXd json_configs(const io::Json& rows) {
  Eigen::MatrixXd X(static_cast<Eigen::Index>(rows.size()), evo::kOfaVariables);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (int c = 0; c < evo::kOfaVariables; ++c)
      X(static_cast<Eigen::Index>(r), c) = rows[r][static_cast<std::size_t>(c)].get<double>();
  return X;
}

Eigen::VectorXd json_vector(const io::Json& v) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Eigen::Index>(i)) = v[i].get<double>();
  return out;
}

/// D3: the same grid choices and predictions as scikit-learn; the depth-masked predictors.
void predictors(Report& report, const io::Json& g, bool quick) {
  const std::vector<int> choices(evo::kOfaVariables, 3);
  const Eigen::MatrixXd tr = evo::one_hot(json_configs(g["configs_train"]), choices);
  const Eigen::MatrixXd te = evo::one_hot(json_configs(g["configs_test"]), choices);
  const auto cols = evo::varying_columns(tr);
  const Eigen::MatrixXd Xtr = evo::select_columns(tr, cols), Xte = evo::select_columns(te, cols);
  double ridge_gap = 0, svr_gap = 0;
  int same_choice = 0;
  for (const char* target : {"macs", "accuracy"}) {
    const auto& t = g["targets"][target];
    const double scale = t["scale"].get<double>();
    const Eigen::VectorXd ys = json_vector(t["y_train"]) / scale;
    const auto rs = evo::ridge_grid_search(evo::Predictor::ridge_grid(), Xtr, ys);
    evo::Ridge ridge(rs.best_value());
    ridge.fit(Xtr, ys);
    ridge_gap =
        std::max(ridge_gap,
                 (ridge.predict(Xte) * scale - json_vector(t["ridge_test"])).cwiseAbs().maxCoeff());
    // The SVR grid (100 C values x 5 folds, ~14 s per target) runs without --quick; --quick
    // fits at scikit-learn's C (ctest's predictor_test checks the choice on every run).
    const double C = quick
                         ? t["svr_C"].get<double>()
                         : evo::grid_search([](double c) { return std::make_unique<evo::Svr>(c); },
                                            evo::Predictor::svr_grid(), Xtr, ys)
                               .best_value();
    evo::Svr svr(C);
    svr.fit(Xtr, ys);
    svr_gap = std::max(
        svr_gap, (svr.predict(Xte) * scale - json_vector(t["svr_test"])).cwiseAbs().maxCoeff());
    same_choice +=
        rs.best_value() == t["ridge_alpha"].get<double>() && C == t["svr_C"].get<double>();
  }
  report.metric("predictor.ridge_vs_sklearn_max_abs", ridge_gap);
  report.metric("predictor.svr_vs_sklearn_max_abs", svr_gap);
  report.metric("predictor.same_grid_choice_as_sklearn", same_choice == 2 ? 1.0 : 0.0);
  report.check("d3_matches_sklearn",
               "Ridge and SVR choose scikit-learn's alpha and C and predict within 1e-6 / 1e-3",
               "same choice; 1e-6 (Ridge), 1e-3 (SVR) (spec D3)",
               std::string(same_choice == 2 ? (quick ? "same alpha (C taken from scikit-learn "
                                                       "in --quick)"
                                                     : "same choices")
                                            : "different choices") +
                   "; max |diff| Ridge " + format_number(ridge_gap, "%.2g") + ", SVR " +
                   format_number(svr_gap, "%.2g") + " (MACs and top-1, 100 held-out rows)",
               same_choice == 2 && ridge_gap <= 1e-6 && svr_gap <= 1e-3);

  // 500 measured rows for training, the rest held out, depth-masked features (~35 s: the full
  // run only; tests/evo/ofa_test.cpp checks it on every ctest run).
  if (quick) {
    for (const char* id : {"d3_macs_mape", "d3_accuracy_tau"})
      report.not_measured(id, "the depth-masked predictors on 500 measured rows (spec D3)",
                          "MAPE <= 1 %, Kendall tau >= 0.6", "--quick skips it (about 35 s)");
    return;
  }
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(evo::dynast_data_dir()))
    if (e.path().extension() == ".csv") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  const auto rows = evo::unique_measurements(paths);
  const Eigen::Index n = static_cast<Eigen::Index>(rows.size()), t = 500;
  Eigen::MatrixXd C(n, evo::kOfaVariables);
  Eigen::VectorXd macs(n), acc(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    C.row(i) = rows[static_cast<std::size_t>(i)].config.transpose();
    macs(i) = rows[static_cast<std::size_t>(i)].macs;
    acc(i) = rows[static_cast<std::size_t>(i)].top1;
  }
  const Eigen::MatrixXd Z = evo::ofa_features(C);
  evo::Predictor pm, pa;
  pm.fit(Z.topRows(t), macs.head(t));
  pa.fit(Z.topRows(t), acc.head(t));
  const double mape = evo::mape(macs.tail(n - t), pm.predict(Z.bottomRows(n - t)));
  const double tau = evo::kendall_tau(acc.tail(n - t), pa.predict(Z.bottomRows(n - t)));
  report.metric("predictor.macs_mape", mape);
  report.metric("predictor.acc_kendall_tau", tau);
  report.check("d3_macs_mape", "the MACs predictor's held-out MAPE is at most 1 % (500 rows)",
               "<= 1 % (spec D3)",
               format_number(100 * mape, "%.2f") + " % (" + pm.chosen() + ", " +
                   std::to_string(n - t) + " held-out rows)",
               mape <= 0.01);
  report.check("d3_accuracy_tau",
               "the accuracy predictor ranks held-out sub-networks (Kendall tau >= 0.6, 500 rows)",
               ">= 0.6 (spec D3, a threshold to calibrate)",
               format_number(tau, "%.3f") + " (" + pa.chosen() + ")", tau >= 0.6);
}

/// `descent search` under mpirun -np 4 against the serial run: 1 if every file is identical,
/// 0 if not, NaN when it cannot run here (no mpirun, or not the descent CLI).
double mpi_identical(Report& report, const ExperimentConfig& cfg) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const std::string why_not =
      cfg.quick ? "--quick skips it (ctest's evo.mpi.search_identical_np4 runs it)"
      : ec || self.filename() != "descent"
          ? "this process is not the descent CLI (e.g. the Python package)"
      : descent::dist::launched_by_mpi() ? "this run is itself under mpirun (no nested mpirun)"
      : std::system("command -v mpirun > /dev/null 2>&1") != 0 ? "mpirun is not on PATH"
                                                               : "";
  if (!why_not.empty()) {
    report.not_measured("mpi_identical_to_serial",
                        "descent search under mpirun -np 4 gives the serial run's files",
                        "identical (issue 21)", why_not);
    return std::numeric_limits<double>::quiet_NaN();
  }
  const fs::path dir = fs::path(cfg.out_dir) / "mpi";
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  const std::string args =
      " search --method linas --evals 100 --population 20 --inner-evals 1000 --seed 3 --quiet";
  const std::string env = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ";
  const int a = std::system((self.string() + args + " --mpi serial --out " +
                             (dir / "serial.csv").string() + " > /dev/null 2>&1")
                                .c_str());
  const int b = std::system((env + "mpirun --oversubscribe -np 4 " + self.string() + args +
                             " --mpi mpi --out " + (dir / "np4.csv").string() + " > /dev/null 2>&1")
                                .c_str());
  const bool same =
      a == 0 && b == 0 &&
      io::read_file((dir / "serial.results.csv").string()) ==
          io::read_file((dir / "np4.results.csv").string()) &&
      io::read_file((dir / "serial.csv").string()) == io::read_file((dir / "np4.csv").string());
  report.check(
      "mpi_identical_to_serial", "descent search under mpirun -np 4 gives the serial run's files",
      "identical (issue 21)",
      a != 0 || b != 0
          ? "a run failed (serial " + std::to_string(a) + ", mpirun " + std::to_string(b) + ")"
          : (same ? "identical results and front files (LINAS, 100 "
                    "validations, tier A)"
                  : "the files differ"),
      same);
  return same ? 1.0 : 0.0;
}

Report run_linas(const ExperimentConfig& cfg) {
  Report report;
  const std::string data = evo::bundled_data_dir();
  zdt(report, cfg, io::read_json(data + "/evo/pagmo_zdt_golden.json"));
  predictors(report, io::read_json(data + "/evo/sklearn_predictor_golden.json"), cfg.quick);
  report.metric("mpi.identical_to_serial", mpi_identical(report, cfg));
  const std::size_t seeds = cfg.quick ? 1 : 5;
  const auto oracle = evo::OfaOracle::bundled();
  evo::Problem problem;
  problem.bounds = evo::ofa_mbv3_space().bounds();
  problem.objectives = 2;
  problem.evaluate = [&](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) { oracle.evaluate(X, F); };
  const Eigen::Vector2d ref(-70.0, 550.0);
  const evo::Features features = [](const Eigen::MatrixXd& X) { return evo::ofa_onehot_custom(X); };

  std::vector<std::vector<double>> lc, nc, rc;
  std::vector<double> seconds, fit_seconds;
  for (std::size_t s = 0; s < seeds; ++s) {
    const std::uint64_t seed = cfg.seed + s;
    evo::LinasOptions lo;
    lo.seed = seed;
    Stopwatch clock;
    const auto l = evo::linas(problem, lo, {}, features);
    seconds.push_back(clock.seconds());
    fit_seconds.push_back(l.summary.counters.at("predictor_fit_seconds"));
    lc.push_back(curve(l.all_F, ref));
    evo::Nsga2Options no;
    no.population = 50;
    no.max_evaluations = 1000;
    no.generations = 1000;
    no.seed = seed;
    nc.push_back(curve(evo::nsga2(problem, no).all_F, ref));
    rc.push_back(curve(evo::random_search(problem, 1000, seed).all_F, ref));
  }
  const auto L = mean_curve(lc), N = mean_curve(nc), R = mean_curve(rc);
  const double linas250 = L.back(), nsga1000 = N.back(), nsga250 = N[4];
  const double random250 = R[4], random1000 = R.back();
  double mean_seconds = 0, max_seconds = 0, mean_fit = 0;
  for (std::size_t i = 0; i < seeds; ++i) {
    mean_seconds += seconds[i] / static_cast<double>(seeds);
    mean_fit += fit_seconds[i] / static_cast<double>(seeds);
    max_seconds = std::max(max_seconds, seconds[i]);
  }
  const double to_match = validations_to_reach(N, linas250);
  report.metric("tierA.hv_linas_250", linas250);
  report.metric("tierA.hv_nsga2_1000", nsga1000);
  report.metric("tierA.hv_nsga2_250", nsga250);
  report.metric("tierA.hv_random_250", random250);
  report.metric("tierA.hv_random_1000", random1000);
  report.metric("tierA.linas_seconds", mean_seconds);
  report.metric("tierA.linas_seconds_max", max_seconds);
  report.metric("tierA.linas_predictor_fit_seconds", mean_fit);
  report.metric("tierA.nsga2_validations_to_match_linas_250", to_match);
  report.metric("tierA.seeds", static_cast<double>(seeds));

  const std::string n_seeds = std::to_string(seeds) + (seeds == 1 ? " seed" : " seeds");
  report.check(
      "d4_linas_250_vs_nsga2_1000",
      "LINAS after 250 validations reaches at least NSGA-II's hypervolume after 1,000 "
      "(the README's ~4x sample efficiency)",
      "~4x (README; the spec's D4: HV_LINAS(250) >= HV_NSGA2(1000))",
      "HV " + format_number(linas250, "%.1f") + " vs " + format_number(nsga1000, "%.1f") +
          "; NSGA-II needs " +
          (std::isnan(to_match) ? std::string("> 1000") : format_number(to_match, "%.0f")) +
          " validations to match (" +
          (std::isnan(to_match) ? std::string("> 4") : format_number(to_match / 250, "%.1f")) +
          "x), mean of " + n_seeds,
      linas250 >= nsga1000,
      "tier A is a smooth oracle fitted to DyNAS-T's measurements, not ImageNet "
      "validation; the ratio is what the claim is about");
  report.check("d4_both_beat_random", "LINAS and NSGA-II both beat random search at equal budget",
               "yes (spec D4)",
               "LINAS@250 " + format_number(linas250, "%.1f") + " vs random@250 " +
                   format_number(random250, "%.1f") + "; NSGA-II@1000 " +
                   format_number(nsga1000, "%.1f") + " vs random@1000 " +
                   format_number(random1000, "%.1f"),
               linas250 > random250 && nsga1000 > random1000);
  report.check("d4_linas_under_60s",
               "a LINAS run with 20,000 predictor evaluations per loop takes < 60 s on 2 cores",
               "< 60 s (spec D4)",
               format_number(max_seconds, "%.1f") + " s slowest of " + n_seeds + " (" +
                   format_number(mean_fit, "%.1f") + " s of it fitting predictors), 1 thread",
               max_seconds < 60.0);

  Eigen::MatrixXd table(static_cast<Eigen::Index>(N.size()), 4);
  for (std::size_t i = 0; i < N.size(); ++i)
    table.row(static_cast<Eigen::Index>(i)) << static_cast<double>(kStep * (i + 1)),
        i < L.size() ? L[i] : std::numeric_limits<double>::quiet_NaN(), N[i], R[i];
  // LINAS stops at 250: its column is written only where it ran (a separate file).
  Eigen::MatrixXd lt(static_cast<Eigen::Index>(L.size()), 2);
  for (std::size_t i = 0; i < L.size(); ++i)
    lt.row(static_cast<Eigen::Index>(i)) << static_cast<double>(kStep * (i + 1)), L[i];
  io::write_csv(cfg.out_dir + "/hv_linas.csv", lt, {"validations", "hypervolume"});
  Eigen::MatrixXd rest(static_cast<Eigen::Index>(N.size()), 3);
  rest << table.col(0), table.col(2), table.col(3);
  io::write_csv(cfg.out_dir + "/hv_baselines.csv", rest, {"validations", "nsga2", "random"});
  report.plots.push_back(
      {.file = "hv_vs_validations.png",
       .title = "Tier A: hypervolume against validations (mean of " + n_seeds + ")",
       .xlabel = "validations",
       .ylabel = "hypervolume (accuracy, MACs)",
       .series = {{"hv_linas.csv", "validations", "hypervolume", "LINAS"},
                  {"hv_baselines.csv", "validations", "nsga2", "NSGA-II"},
                  {"hv_baselines.csv", "validations", "random", "random"}}});
  report.config = {{"seeds", seeds},
                   {"population", 50},
                   {"inner_evaluations", 20000},
                   {"predictor", "best"},
                   {"features", "onehot_custom (120)"},
                   {"reference", {70.0, 550.0}},
                   {"threads", 1}};
  linas_tier_b(report, cfg);
  return report;
}

const Registrar registrar{{
    .id = "linas",
    .paper = "Cummings et al. (Intel Labs), A Hardware-Aware System for Accelerating Deep Neural "
             "Network Optimization (DyNAS-T / LINAS), arXiv 2202.12954, 2022",
    .summary = "LINAS vs NSGA-II vs random search on the tier-A OFA-MobileNetV3 oracle: "
               "hypervolume against validations, the 4x sample-efficiency claim.",
    .run = &run_linas,
}};

}  // namespace
}  // namespace descent::experiments
