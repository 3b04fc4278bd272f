// What the DIFF2 reproductions share (diff2.cpp: the spec's protocol; study.cpp: the regime map
// and the paper's protocol): P workers holding MLP regression data, and one private run of
// DP-GD or DIFF2-GD with a given configuration.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/privacy/diff2.hpp"
#include "descent/privacy/dp_gd.hpp"
#include "descent/privacy/mlp.hpp"

namespace descent::experiments::diff2_repro {

using namespace descent::privacy;

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr std::uint64_t kDataSeed = 1;
inline constexpr Eigen::Index kTestRecords = 2000;

inline std::string fmt(double v, const char* f = "%.3g") {
  return format_number(v, f);
}

/// One method configuration.
struct Config {
  bool diff2 = false;
  double step = 0, clip = 0, clip_diff = 0;
  std::size_t restart = 1;
  bool non_private = false;  ///< noise multipliers 0: the optimisation alone (epsilon = inf)
  NoiseModel noise = NoiseModel::local;
  double budget_split = 0.5;  ///< DIFF2: share of rho for the restart rounds
  std::string describe() const {
    if (!diff2) return "eta = " + fmt(step) + ", C1 = " + fmt(clip);
    return "eta = " + fmt(step) + ", C1 = " + fmt(clip) + ", C2 = " + fmt(clip_diff) +
           ", T = " + std::to_string(restart);
  }
};

/// A run's summary, or why the configuration was refused.
struct Outcome {
  Summary summary;
  bool refused = false;
  std::string why;
  bool ok() const {
    return !refused && summary.status != Status::diverged &&
           std::isfinite(summary.counters.at("train_loss"));
  }
  double get(const char* k) const {
    if (refused) return kNaN;
    const auto it = summary.counters.find(k);
    return it == summary.counters.end() ? kNaN : it->second;
  }
  /// The history values of `extra` ("grad_norm2") or the train loss ("objective") at the
  /// evaluated rounds >= first_round.
  std::vector<double> history(const std::string& extra, std::size_t first_round = 0) const {
    std::vector<double> v;
    for (const HistoryRow& h : summary.history) {
      if (h.iteration < first_round) continue;
      if (extra == "objective") {
        v.push_back(h.objective);
        continue;
      }
      for (const auto& [k, x] : h.extras)
        if (k == extra) v.push_back(x);
    }
    return v;
  }
};

/// P workers with their MLP regression data (and an optional test set).
struct Task {
  /// The spec's teacher task: P workers with n records each from TeacherTask(shape, kDataSeed).
  Task(MlpShape s, Eigen::Index n, int P, bool with_test = true) : shape(s) {
    TeacherTask teacher(shape, kDataSeed);
    for (int p = 0; p < P; ++p) {
      auto d = teacher.sample(n, static_cast<std::uint64_t>(p));
      workers.push_back(std::make_unique<MlpRegression>(shape, d.X, d.y));
    }
    if (with_test) {
      auto t = teacher.sample(kTestRecords, kTestStream);
      test = std::make_unique<MlpRegression>(shape, t.X, t.y);
    }
    finish();
  }
  /// Given workers' data (X_p, y_p) and an optional test set.
  Task(MlpShape s, const std::vector<std::pair<Eigen::MatrixXd, Eigen::VectorXd>>& parts,
       const Eigen::MatrixXd* test_X = nullptr, const Eigen::VectorXd* test_y = nullptr)
      : shape(s) {
    for (const auto& [X, y] : parts)
      workers.push_back(std::make_unique<MlpRegression>(shape, X, y));
    if (test_X) test = std::make_unique<MlpRegression>(shape, *test_X, *test_y);
    finish();
  }

  MlpShape shape;
  std::vector<std::unique_ptr<MlpRegression>> workers;
  std::unique_ptr<MlpRegression> test;
  WorkerSet set;

  // The same initialization and noise streams as `descent dp-train --seed SEED`.
  Outcome run(const Config& c, std::uint64_t seed, double epsilon, std::size_t eval_every,
              int threads, GuardPolicy guard, std::size_t rounds) const {
    Rng init = make_rng(seed, {0x1417ULL});
    Eigen::VectorXd x = mlp_initial_parameters(shape, init);
    Outcome out;
    std::string warning;
    auto common = [&](TrainingOptions& o) {
      o.rounds = rounds;
      o.budget.epsilon = epsilon;
      o.seed = seed;
      o.eval_every = eval_every;
      o.threads = threads;
      o.noise_model = c.noise;
      o.on_warning = [&](const std::string& w) { warning = w; };
    };
    try {
      if (c.diff2) {
        Diff2Options o;
        common(o);
        o.step_size = c.step;
        o.clip = c.clip;
        o.clip_diff = c.clip_diff;
        o.restart = c.restart;
        o.budget_split = c.budget_split;
        o.guard = guard;
        if (c.non_private) o.noise_multiplier1 = o.noise_multiplier2 = 0.0;
        out.summary = minimize_diff2(set, x, o);
      } else {
        DpGdOptions o;
        common(o);
        o.step_size = c.step;
        o.clip = c.clip;
        if (c.non_private) o.noise_multiplier = 0.0;
        out.summary = minimize_dp_gd(set, x, o);
      }
    } catch (const InvalidOption& e) {
      out.refused = true;
      out.why = e.what();
    }
    if (out.why.empty()) out.why = warning;
    return out;
  }

 private:
  void finish() {
    set.workers = static_cast<int>(workers.size());
    for (auto& w : workers) set.local.push_back(w.get());
    set.test = test.get();
  }
};

}  // namespace descent::experiments::diff2_repro
