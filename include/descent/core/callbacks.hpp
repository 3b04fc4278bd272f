// Runtime callbacks: progress bar, CSV/JSONL logger, early stop, time limit and store-best.
//
// Callbacks are ordinary objects combined at run time (Ceres' IterationCallback idea), so the
// CLI attaches them from flags without recompiling. ensmallen's contract is kept: a callback
// returns true from iteration() to stop the run; the method then ends with Status::stopped and
// the callback's reason as the message.
#pragma once

#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "descent/core/status.hpp"
#include "descent/core/timer.hpp"

namespace descent {

/// Static facts about a run, given to callbacks before the first iteration.
struct RunInfo {
  std::string method;
  std::size_t dimension = 0;
  std::size_t max_iterations = 0;  ///< 0 if unknown
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void begin(const RunInfo& /*info*/) {}
  /// Return true to stop the run after this iteration.
  virtual bool iteration(const IterationInfo& /*info*/) { return false; }
  virtual void end(const Summary& /*summary*/) {}
  /// Why this callback stopped the run (used as Summary::message).
  virtual std::string stop_reason() const { return "stopped by callback"; }
};

/// An ordered list of callbacks; every method takes one (possibly empty).
class Callbacks {
 public:
  Callbacks() = default;
  Callbacks& add(std::shared_ptr<Callback> cb) {
    if (cb) list_.push_back(std::move(cb));
    return *this;
  }
  template <class C, class... Args>
  std::shared_ptr<C> emplace(Args&&... args) {
    auto cb = std::make_shared<C>(std::forward<Args>(args)...);
    list_.push_back(cb);
    return cb;
  }
  bool empty() const noexcept { return list_.empty(); }
  std::size_t size() const noexcept { return list_.size(); }

  void begin(const RunInfo& info);
  /// Calls every callback (all of them, even after one asks to stop, so loggers see the last
  /// row) and returns true if any asked to stop. The first stopper's reason is kept.
  bool iteration(const IterationInfo& info);
  void end(const Summary& summary);
  const std::string& stop_reason() const noexcept { return reason_; }

 private:
  std::vector<std::shared_ptr<Callback>> list_;
  std::string reason_;
};

/// A one-line progress bar on stderr, drawn only when stderr is a terminal (or when forced).
class ProgressBar : public Callback {
 public:
  explicit ProgressBar(std::FILE* out = stderr, bool force = false);
  void begin(const RunInfo& info) override;
  bool iteration(const IterationInfo& info) override;
  void end(const Summary& summary) override;
  bool active() const noexcept { return active_; }

 private:
  std::FILE* out_;
  bool active_;
  RunInfo run_;
  double last_draw_ = -1.0;
  Stopwatch clock_;
};

/// Writes one row per iteration as CSV (header from the first row) or JSON lines.
/// Each row is flushed, so a crashed or stopped run keeps its log.
class IterationLogger : public Callback {
 public:
  enum class Format { csv, jsonl };
  /// Throws descent::Error if the file cannot be opened.
  IterationLogger(std::string path, Format format);
  /// Chooses the format from the extension: ".jsonl"/".json" -> JSONL, anything else CSV.
  static std::shared_ptr<IterationLogger> for_path(const std::string& path);
  void begin(const RunInfo& info) override;
  bool iteration(const IterationInfo& info) override;
  /// Throws descent::Error naming the file if any row could not be written (a full disk).
  void end(const Summary& summary) override;

 private:
  std::string path_;
  Format format_;
  std::ofstream out_;
  std::string method_;
  bool header_written_ = false;
};

/// Stops when the objective has not improved by more than min_delta for `patience` iterations.
class EarlyStop : public Callback {
 public:
  explicit EarlyStop(std::size_t patience = 10, double min_delta = 0.0);
  void begin(const RunInfo& info) override;
  bool iteration(const IterationInfo& info) override;
  std::string stop_reason() const override;

 private:
  std::size_t patience_;
  double min_delta_;
  double best_ = std::numeric_limits<double>::infinity();
  std::size_t since_best_ = 0;
};

/// Stops once the run's wall time exceeds `seconds`.
class TimeLimit : public Callback {
 public:
  explicit TimeLimit(double seconds);
  void begin(const RunInfo& info) override;
  bool iteration(const IterationInfo& info) override;
  std::string stop_reason() const override;

 private:
  double limit_;
  Stopwatch clock_;
};

/// Keeps the iterate with the lowest finite objective seen (requires IterationInfo::x).
class StoreBest : public Callback {
 public:
  bool iteration(const IterationInfo& info) override;
  double best_objective() const noexcept { return best_; }
  std::size_t best_iteration() const noexcept { return iteration_; }
  const std::vector<double>& best_x() const noexcept { return x_; }

 private:
  double best_ = std::numeric_limits<double>::infinity();
  std::size_t iteration_ = 0;
  std::vector<double> x_;
};

/// Stops when a user function returns true; handy for tests and custom stopping rules.
template <class F>
class StopWhen : public Callback {
 public:
  explicit StopWhen(F f, std::string reason = "stopped by user rule")
      : f_(std::move(f)), reason_(std::move(reason)) {}
  bool iteration(const IterationInfo& info) override { return f_(info); }
  std::string stop_reason() const override { return reason_; }

 private:
  F f_;
  std::string reason_;
};

}  // namespace descent
