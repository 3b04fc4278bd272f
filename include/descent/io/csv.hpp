// Numeric CSV files: an optional header row of column names, then rows of numbers.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <string>
#include <vector>

namespace descent::io {

struct CsvOptions {
  char delimiter = ',';
  /// auto_detect: the first row is a header iff any of its fields is not a number.
  enum class Header { auto_detect, yes, no } header = Header::auto_detect;
  /// Physical lines skipped before anything else (e.g. a preamble).
  std::size_t skip_rows = 0;
  /// Accept "nan", "inf" and "-inf" fields (as written by write_csv for non-finite values).
  /// Off by default: input data with such fields is rejected as malformed.
  bool allow_non_finite = false;
};

struct CsvTable {
  std::vector<std::string> columns;  ///< empty if the file has no header
  Eigen::MatrixXd values;            ///< one row per data row
  std::vector<std::size_t> lines;    ///< the file's line number of each data row (for messages)
};

/// Reads a numeric CSV file, gzip-compressed or not (detected by content). Blank lines and lines
/// starting with '#' are skipped; CRLF endings are accepted; fields are trimmed and a header field
/// may be wrapped in double quotes. Throws descent::InputError (file, real line number, field
/// "column 3 (petal_width)") for ragged rows, empty or non-numeric fields, nan/inf text, and for a
/// file without data rows.
CsvTable read_csv(const std::string& path, const CsvOptions& options = {});
/// read_csv(...).values.
Eigen::MatrixXd read_csv_matrix(const std::string& path, const CsvOptions& options = {});

/// Writes `values` atomically with %.17g (exact round trip), one header row if `columns` is not
/// empty. Non-finite values are written as nan/inf/-inf (read them back with allow_non_finite).
/// Throws descent::Error if columns.size() != values.cols() or a name contains ',', '"' or a
/// line break.
void write_csv(const std::string& path, const Eigen::MatrixXd& values,
               const std::vector<std::string>& columns = {});

}  // namespace descent::io
