// Numeric tables from the user's files, the same way in every command: .npy (non-finite values
// refused, naming the file), .csv/.txt (descent::io's CSV reader) and Matrix Market .mtx.
#pragma once

#include <string>

#include <Eigen/Core>

namespace descent::cli {

/// The lower-case extension of `path`, with its dot (".npy"; "" if none).
std::string extension(const std::string& path);

/// The table at `path`; `what` names it in errors ("source points"), and `more_formats` is
/// added to the list of accepted types in the error for an unknown one (", or .idx").
Eigen::MatrixXd read_table(const std::string& path, const std::string& what,
                           const std::string& more_formats = "");

}  // namespace descent::cli
