// Small helpers every reproduction uses to summarise runs and print numbers in claims.
#pragma once

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

namespace descent::experiments {

/// printf-style formatting of one number, e.g. format_number(0.1234, "%.2g") == "0.12".
inline std::string format_number(double v, const char* printf_format = "%.3g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, printf_format, v);
  return buf;
}

/// The median (mean of the middle two for an even count); NaN for no values. Infinite values
/// sort last, so "never converged" runs recorded as +inf pull the median up honestly.
inline double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t k = v.size();
  return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

}  // namespace descent::experiments
