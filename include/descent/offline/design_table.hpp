// A user's table of measured designs: a CSV whose first row names the columns, one target
// column, and either numeric feature columns (continuous designs) or letters of an alphabet —
// one letter per column, or one column holding whole sequences such as "ACGTTGCA".
#pragma once

#include <string>
#include <vector>

#include "descent/offline/task.hpp"

namespace descent::offline {

struct DesignTableOptions {
  /// The target column: a header name or a 1-based column number; empty = the last column.
  std::string target;
  /// Discrete designs over these letters (empty: continuous numeric features).
  std::vector<std::string> alphabet;
  /// A row with a missing field (empty, "nan", "NA") is an error instead of being skipped and
  /// counted in DesignData::skipped_rows.
  bool strict = false;
};

/// Reads the table (gzip accepted). Throws descent::InputError naming the file, line and
/// field for: a header row of numbers, a missing target column, ragged rows, a non-numeric
/// value, a letter outside the alphabet, sequences of different lengths, a missing field with
/// `strict`, a constant target, and fewer than 2 usable rows.
Task read_design_table(const std::string& path, const DesignTableOptions& options);

/// Writes proposals: the design columns (letters for discrete spaces: one column per position,
/// or one "sequence" column when the input had one), then extra numeric columns. Atomic.
void write_designs(const std::string& path, const Task& task, const Eigen::MatrixXd& designs,
                   const std::vector<std::string>& extra_columns, const Eigen::MatrixXd& extra);

}  // namespace descent::offline
