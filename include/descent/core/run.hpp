// The bookkeeping every iterative method shares: the clock, the history with a stride (the last
// row is always kept, whatever ends the run), the callbacks and their stop, and the Summary.
//
// A method's loop computes; a Run records:
//
//   Run run("gd", x.size(), options.max_iterations, options.history, callbacks);
//   run.start(f, g);                        // row 0 (history only)
//   for (k = 1; ...; ++k) {
//     ... one iteration ...
//     if (run.record(info)) break;          // a callback asked to stop: status stopped
//     if (converged) { run.end(Status::converged, "..."); break; }
//   }
//   Summary s = run.finish(f, g);           // keeps the last row, times, callbacks.end
//
// Families embed HistoryOptions in their Options (record_history, history_stride) and keep
// their own stopping rules; every iterative loop of the library records through a Run.
#pragma once

#include <cstddef>
#include <string>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/core/timer.hpp"

namespace descent {

/// What a run keeps of its iterations.
struct HistoryOptions {
  bool record_history = false;     ///< keep a HistoryRow per recorded iteration
  std::size_t history_stride = 1;  ///< keep every k-th iteration (the last is always kept)

  /// Throws descent::InvalidOption naming the bad field.
  void validate() const;
};

class Run {
 public:
  /// Starts the clock and calls callbacks.begin. `callbacks` must outlive the Run.
  Run(std::string method, std::size_t dimension, std::size_t max_iterations,
      const HistoryOptions& history, Callbacks& callbacks);

  /// Records the starting point as history row 0 (no callbacks).
  void start(double objective, double gradient_norm);
  /// The same with the method's extras (info.iteration is taken as 0).
  void start(IterationInfo info);
  /// Records completed iteration info.iteration (seconds filled in if 0): history with the
  /// stride (`keep`: whatever the stride, e.g. SNS's Newton steps), then the callbacks. Returns
  /// true if a callback asked to stop; the run then ends as Status::stopped with the reason.
  bool record(IterationInfo info, bool keep = false);
  /// Whether record(k) would keep a row or call a callback: methods whose rows are costly (an
  /// extra objective evaluation) skip building them otherwise, and call keep_final() after the
  /// loop so that the last iteration still has its row.
  bool wants(std::size_t iteration) const noexcept;
  /// Whether history rows are kept at all (keep_final() is a no-op otherwise).
  bool keeps_history() const noexcept { return history_.record_history; }
  /// Adds info as the final history row unless that iteration already has one (no callbacks);
  /// a row of the same iteration that the stride held back is replaced by info (a method that
  /// evaluates its final iterate only once the run has ended, e.g. privacy's rounds).
  void keep_final(IterationInfo info);
  /// Ends the run with `status` and `message`; the first call wins (later ones are ignored),
  /// so a stop recorded by record() is not overwritten.
  void end(Status status, std::string message);
  bool ended() const noexcept { return ended_; }
  /// The iterations counted so far (the last recorded iteration).
  std::size_t iterations() const noexcept { return summary_.iterations; }
  double seconds() const { return clock_.seconds(); }
  /// The Summary being built (counters, evaluation counts may be filled in directly).
  Summary& summary() noexcept { return summary_; }

  /// Closes the run: objective and gradient norm of the final iterate, the last history row
  /// if the stride skipped it, max_iterations if end() was never called, seconds, and
  /// callbacks.end. Returns the Summary (moved out; call once).
  Summary finish(double objective, double gradient_norm);

 private:
  Summary summary_;
  Callbacks& callbacks_;
  HistoryOptions history_;
  std::size_t max_iterations_;
  Stopwatch clock_;
  HistoryRow last_;
  bool pending_last_ = false;  // last_ was skipped by the stride
  bool ended_ = false;
};

}  // namespace descent
