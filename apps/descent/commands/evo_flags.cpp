#include "evo_flags.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "descent/core/error.hpp"

namespace descent::cli {

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

std::vector<std::string> items(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text + ",");  // so that a trailing empty item is seen
  for (std::string item; std::getline(ss, item, ',');) out.push_back(trim(item));
  return out;
}

}  // namespace

std::vector<std::string> split_names(const std::string& text, const char* flag) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (const auto& item : items(text)) {
    if (item.empty()) throw InvalidOption(flag, "has an empty item in '" + text + "'");
    if (std::find(out.begin(), out.end(), item) != out.end())
      throw InvalidOption(flag, "names '" + item + "' twice");
    out.push_back(item);
  }
  return out;
}

Eigen::VectorXd parse_numbers(const std::string& text, const char* flag) {
  const auto list = items(text);
  Eigen::VectorXd v(static_cast<Eigen::Index>(list.size()));
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::size_t used = 0;
    double x = 0;
    try {
      x = std::stod(list[i], &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (list[i].empty() || used != list[i].size() || !std::isfinite(x))
      throw InvalidOption(flag, "'" + list[i] + "' is not a finite number");
    v(static_cast<Eigen::Index>(i)) = x;
  }
  return v;
}

}  // namespace descent::cli
