// A user's table of features and a target: CSV (header optional) or LIBSVM, or a built-in set.
#pragma once

#include <string>
#include <vector>

#include "descent/data/datasets.hpp"

namespace descent::data {

struct TableOptions {
  /// The target column of a CSV: a header name or a 1-based column number; empty = the last
  /// column. LIBSVM files carry the target as each line's label.
  std::string target;
  /// Map the target to class indices 0..K−1 in ascending order of the labels (which must be
  /// integers); otherwise the target is a regression value.
  bool classification = false;
  /// When not empty (predicting with a fitted model): the labels the model knows; a label not
  /// among them is an InputError naming the file, line and target column.
  std::vector<double> known_classes;
  /// When false, a CSV without the target column is accepted (features only; targets empty).
  bool require_target = true;
  /// When not empty: the feature columns the model was fitted on, in order (CSV with a header:
  /// matched by name and reordered; otherwise the count must agree).
  std::vector<std::string> expected_features;
  std::size_t expected_feature_count = 0;  ///< 0 = any
};

/// Reads `source`: an existing file (".libsvm", ".svm", ".svmlight" -> LIBSVM, otherwise CSV,
/// gzip accepted) or, if no such file exists, a built-in set name (data::load). Throws
/// descent::InputError with file, line and field for malformed files, a missing target column,
/// non-integer class labels or an unknown class; descent::Error for an unknown name.
Dataset read_table(const std::string& source, const TableOptions& options);

/// True for the names read_table treats as LIBSVM files.
bool is_libsvm_path(const std::string& path);

}  // namespace descent::data
