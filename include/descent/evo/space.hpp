// A categorical search space: named variables, each with a finite list of numeric choices
// (kernel sizes, expansion ratios, depths, widths). Searches work on choice indices
// (0 .. choices - 1, the integer encoding of DyNAS-T's search/encoding.py); files a user reads
// and writes hold the choice values.
//
// The JSON form (`descent search --space FILE.json`):
//
//   {"variables": [
//      {"name": "depth", "count": 5, "choices": [2, 3, 4]},   // depth_0 .. depth_4
//      {"name": "width", "choices": [0.5, 0.75, 1.0]}         // one variable
//   ]}
//
// `count` (default 1) repeats a variable as NAME_0 .. NAME_{count-1}, the shape of DyNAS-T's
// param_dict ({name: {count, vars}}). Names must be unique and must not contain a comma, a
// quote or a line break (they become CSV column names); choices must be distinct finite
// numbers, at least one per variable.
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "descent/evo/operators.hpp"

namespace descent::evo {

struct Variable {
  std::string name;
  std::vector<double> choices;
};

class SearchSpace {
 public:
  SearchSpace() = default;
  /// Checks names and choices (descent::Error naming the variable).
  explicit SearchSpace(std::vector<Variable> variables);
  /// Reads the JSON form above. descent::InputError naming the file, the line of the offending
  /// variable and the field (e.g. "variables[2].choices") for anything malformed.
  static SearchSpace from_json(const std::string& path);

  const std::vector<Variable>& variables() const noexcept { return variables_; }
  Eigen::Index size() const noexcept { return static_cast<Eigen::Index>(variables_.size()); }
  std::vector<std::string> names() const;
  /// The number of choices of each variable.
  std::vector<int> choice_counts() const;
  /// Integer bounds 0 .. choices - 1 for the searches.
  Bounds bounds() const;

  /// Choice indices (one configuration per row) -> choice values.
  Eigen::MatrixXd decode(const Eigen::MatrixXd& indices) const;
  /// Choice values -> indices. A value that is not one of its variable's choices throws
  /// descent::Error naming the row and variable (callers rethrow with their file and line).
  Eigen::MatrixXd encode(const Eigen::MatrixXd& values) const;

 private:
  std::vector<Variable> variables_;
};

/// The 45-variable OFA-MobileNetV3 space of tier A (ofa.hpp): ks_0..ks_19 in {3, 5, 7},
/// e_0..e_19 in {3, 4, 6}, d_0..d_4 in {2, 3, 4}.
SearchSpace ofa_mbv3_space();

}  // namespace descent::evo
