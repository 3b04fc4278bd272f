#include "descent/core/callbacks.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "descent/core/error.hpp"

namespace descent {

// ---------------------------------------------------------------------------- Callbacks

void Callbacks::begin(const RunInfo& info) {
  reason_.clear();
  for (auto& cb : list_) cb->begin(info);
}

bool Callbacks::iteration(const IterationInfo& info) {
  bool stop = false;
  for (auto& cb : list_) {
    if (cb->iteration(info) && !stop) {
      stop = true;
      reason_ = cb->stop_reason();
    }
  }
  return stop;
}

void Callbacks::end(const Summary& summary) {
  for (auto& cb : list_) cb->end(summary);
}

// ---------------------------------------------------------------------------- ProgressBar

ProgressBar::ProgressBar(std::FILE* out, bool force)
    : out_(out), active_(force || (out != nullptr && ::isatty(::fileno(out)) == 1)) {}

void ProgressBar::begin(const RunInfo& info) {
  run_ = info;
  last_draw_ = -1.0;
  clock_.reset();
}

bool ProgressBar::iteration(const IterationInfo& info) {
  if (!active_) return false;
  const double now = clock_.seconds();
  // Redraw at most 10 times a second: drawing must not slow fast iterations.
  if (last_draw_ >= 0 && now - last_draw_ < 0.1) return false;
  last_draw_ = now;
  constexpr int width = 30;
  // |g| only where the method measures it (NaN otherwise, e.g. sso, train).
  char g[32] = "";
  if (!std::isnan(info.gradient_norm)) std::snprintf(g, sizeof g, "  |g|=%.3g", info.gradient_norm);
  if (run_.max_iterations > 0) {
    const double frac = std::min(1.0, double(info.iteration) / double(run_.max_iterations));
    const int filled = static_cast<int>(frac * width);
    std::fprintf(out_, "\r%s [%.*s%*s] %zu/%zu  f=%.6g%s  %.1fs", run_.method.c_str(), filled,
                 "##############################", width - filled, "", info.iteration,
                 run_.max_iterations, info.objective, g, now);
  } else {
    std::fprintf(out_, "\r%s  it %zu  f=%.6g%s  %.1fs", run_.method.c_str(), info.iteration,
                 info.objective, g, now);
  }
  std::fflush(out_);
  return false;
}

void ProgressBar::end(const Summary& summary) {
  if (!active_) return;
  std::fprintf(out_, "\r\033[K%s: %s\n", run_.method.c_str(), summary.brief().c_str());
  std::fflush(out_);
}

// ---------------------------------------------------------------------------- IterationLogger

namespace {
void write_number(std::ostream& out, double v, bool json) {
  if (std::isfinite(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out << buf;
  } else if (json) {
    out << "null";  // JSON has no NaN/Inf
  } else if (!std::isnan(v)) {
    out << (v > 0 ? "inf" : "-inf");
  }  // NaN: "not measured" (e.g. no gradient norm): an empty CSV cell, the missing-value form
}
}  // namespace

IterationLogger::IterationLogger(std::string path, Format format)
    : path_(std::move(path)), format_(format), out_(path_, std::ios::out | std::ios::trunc) {
  if (!out_) throw Error("cannot open log file " + path_ + " for writing");
}

std::shared_ptr<IterationLogger> IterationLogger::for_path(const std::string& path) {
  const bool jsonl = path.ends_with(".jsonl") || path.ends_with(".json");
  return std::make_shared<IterationLogger>(path, jsonl ? Format::jsonl : Format::csv);
}

void IterationLogger::begin(const RunInfo& info) {
  method_ = info.method;
}

bool IterationLogger::iteration(const IterationInfo& info) {
  if (format_ == Format::csv) {
    if (!header_written_) {
      out_ << "iteration,objective,gradient_norm,step_size,seconds";
      for (const Metric& m : info.extras) out_ << ',' << m.name;
      out_ << '\n';
      header_written_ = true;
    }
    out_ << info.iteration;
    for (double v : {info.objective, info.gradient_norm, info.step_size, info.seconds}) {
      out_ << ',';
      write_number(out_, v, false);
    }
    for (const Metric& m : info.extras) {
      out_ << ',';
      write_number(out_, m.value, false);
    }
  } else {
    out_ << "{\"method\":\"" << method_ << "\",\"iteration\":" << info.iteration;
    const std::pair<const char*, double> base[] = {{"objective", info.objective},
                                                   {"gradient_norm", info.gradient_norm},
                                                   {"step_size", info.step_size},
                                                   {"seconds", info.seconds}};
    for (const auto& [name, v] : base) {
      out_ << ",\"" << name << "\":";
      write_number(out_, v, true);
    }
    for (const Metric& m : info.extras) {
      out_ << ",\"" << m.name << "\":";
      write_number(out_, m.value, true);
    }
    out_ << '}';
  }
  out_ << '\n';
  out_.flush();  // a killed run keeps every row written so far
  return false;
}

void IterationLogger::end(const Summary&) {
  out_.flush();
  // A full disk (or /dev/full) fails silently in an ofstream: say so instead of a short log.
  if (!out_) throw Error("cannot write log file " + path_ + ": " + std::strerror(errno));
}

// ---------------------------------------------------------------------------- EarlyStop

EarlyStop::EarlyStop(std::size_t patience, double min_delta)
    : patience_(patience), min_delta_(min_delta) {
  if (patience == 0) throw InvalidOption("patience", "must be >= 1");
  if (!(min_delta >= 0)) throw InvalidOption("min_delta", "must be >= 0");
}

void EarlyStop::begin(const RunInfo&) {
  best_ = std::numeric_limits<double>::infinity();
  since_best_ = 0;
}

bool EarlyStop::iteration(const IterationInfo& info) {
  if (std::isfinite(info.objective) && info.objective < best_ - min_delta_) {
    best_ = info.objective;
    since_best_ = 0;
    return false;
  }
  return ++since_best_ >= patience_;
}

std::string EarlyStop::stop_reason() const {
  return "early stop: no improvement for " + std::to_string(patience_) + " iterations";
}

// ---------------------------------------------------------------------------- TimeLimit

TimeLimit::TimeLimit(double seconds) : limit_(seconds) {
  if (!(seconds > 0)) throw InvalidOption("time_limit", "must be > 0 seconds");
}

void TimeLimit::begin(const RunInfo&) {
  clock_.reset();
}

bool TimeLimit::iteration(const IterationInfo&) {
  return clock_.seconds() >= limit_;
}

std::string TimeLimit::stop_reason() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "time limit of %g s reached", limit_);
  return buf;
}

// ---------------------------------------------------------------------------- StoreBest

bool StoreBest::iteration(const IterationInfo& info) {
  if (std::isfinite(info.objective) && info.objective < best_) {
    best_ = info.objective;
    iteration_ = info.iteration;
    x_.assign(info.x.begin(), info.x.end());
  }
  return false;
}

}  // namespace descent
