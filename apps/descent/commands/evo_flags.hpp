// Flag parsing shared by the search commands (hv, search, predict-fit).
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

namespace descent::cli {

/// Comma-separated items, trimmed; an empty item or a repeated one is an InvalidOption naming
/// `flag`.
std::vector<std::string> split_names(const std::string& text, const char* flag);

/// Comma-separated finite numbers (repeats allowed); InvalidOption naming `flag` otherwise.
Eigen::VectorXd parse_numbers(const std::string& text, const char* flag);

}  // namespace descent::cli
