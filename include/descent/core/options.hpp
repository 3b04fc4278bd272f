// Helpers for Options::validate(): each check names the offending field.
//
// Every method's Options struct documents its defaults and has a validate() built from these,
// so that `descent::InvalidOption` always says which field is wrong and why.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include "descent/core/error.hpp"

namespace descent::check {

inline std::string show(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

inline void require(bool ok, std::string_view field, std::string_view why) {
  if (!ok) throw InvalidOption(std::string(field), std::string(why));
}
inline void finite(std::string_view field, double v) {
  require(std::isfinite(v), field, "must be finite, got " + show(v));
}
inline void positive(std::string_view field, double v) {
  require(std::isfinite(v) && v > 0, field, "must be a finite number > 0, got " + show(v));
}
inline void non_negative(std::string_view field, double v) {
  require(std::isfinite(v) && v >= 0, field, "must be a finite number >= 0, got " + show(v));
}
/// lo <= v <= hi
inline void in_closed(std::string_view field, double v, double lo, double hi) {
  require(v >= lo && v <= hi, field,
          "must lie in [" + show(lo) + ", " + show(hi) + "], got " + show(v));
}
/// lo <= v < hi
inline void in_half_open(std::string_view field, double v, double lo, double hi) {
  require(v >= lo && v < hi, field,
          "must lie in [" + show(lo) + ", " + show(hi) + "), got " + show(v));
}
inline void at_least(std::string_view field, long long v, long long lo) {
  require(v >= lo, field, "must be >= " + std::to_string(lo) + ", got " + std::to_string(v));
}

/// The fields every gradient loop shares (core gradient descent, optim::minimize): at least one
/// iteration, a tolerance >= 0, a divergence factor > 1 and a history stride >= 1.
inline void gradient_loop(std::size_t max_iterations, double gradient_tolerance,
                          double divergence_factor, std::size_t history_stride) {
  at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  non_negative("gradient_tolerance", gradient_tolerance);
  require(divergence_factor > 1, "divergence_factor", "must be > 1");
  at_least("history_stride", static_cast<long long>(history_stride), 1);
}

}  // namespace descent::check
