#include "descent/core/run.hpp"

#include <utility>

#include "descent/core/options.hpp"

namespace descent {

void HistoryOptions::validate() const {
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

Run::Run(std::string method, std::size_t dimension, std::size_t max_iterations,
         const HistoryOptions& history, Callbacks& callbacks)
    : callbacks_(callbacks), history_(history), max_iterations_(max_iterations) {
  if (history_.history_stride < 1) history_.history_stride = 1;
  summary_.method = std::move(method);
  summary_.status = Status::max_iterations;
  callbacks_.begin({summary_.method, dimension, max_iterations});
}

void Run::start(double objective, double gradient_norm) {
  IterationInfo info;
  info.objective = objective;
  info.gradient_norm = gradient_norm;
  info.step_size = 0.0;
  start(info);
}

void Run::start(IterationInfo info) {
  if (!history_.record_history) return;
  info.iteration = 0;
  info.seconds = clock_.seconds();
  summary_.history.push_back(HistoryRow::from(info));
}

bool Run::record(IterationInfo info, bool keep) {
  if (info.seconds == 0.0) info.seconds = clock_.seconds();
  summary_.iterations = info.iteration;
  if (history_.record_history) {
    last_ = HistoryRow::from(info);
    pending_last_ = !keep && info.iteration % history_.history_stride != 0;
    if (!pending_last_) summary_.history.push_back(last_);
  }
  if (!callbacks_.empty() && callbacks_.iteration(info)) {
    end(Status::stopped, callbacks_.stop_reason());
    return true;
  }
  return false;
}

bool Run::wants(std::size_t iteration) const noexcept {
  return !callbacks_.empty() ||
         (history_.record_history && iteration % history_.history_stride == 0);
}

void Run::keep_final(IterationInfo info) {
  if (!history_.record_history) return;
  if (!summary_.history.empty() && summary_.history.back().iteration >= info.iteration) return;
  if (pending_last_ && last_.iteration > info.iteration) return;  // finish() adds it
  if (info.seconds == 0.0) info.seconds = clock_.seconds();
  pending_last_ = false;  // a pending row of this iteration is replaced: info knows more
  summary_.history.push_back(HistoryRow::from(info));
}

void Run::end(Status status, std::string message) {
  if (ended_) return;
  ended_ = true;
  summary_.status = status;
  summary_.message = std::move(message);
}

Summary Run::finish(double objective, double gradient_norm) {
  if (pending_last_) summary_.history.push_back(last_);
  pending_last_ = false;
  if (!ended_)
    end(Status::max_iterations, "reached max_iterations = " + std::to_string(max_iterations_));
  summary_.objective = objective;
  summary_.gradient_norm = gradient_norm;
  summary_.seconds = clock_.seconds();
  callbacks_.end(summary_);
  return std::move(summary_);
}

}  // namespace descent
