// Numeric CSV reader and writer.
#include "descent/io/csv.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/text_scan.hpp"

namespace descent::io {

namespace {

// Drops one pair of surrounding double quotes (header names are often quoted).
std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::string column_field(std::size_t index, const std::vector<std::string>& columns) {
  std::string f = "column " + std::to_string(index + 1);
  if (index < columns.size() && !columns[index].empty()) f += " (" + columns[index] + ")";
  return f;
}

// Skipped everywhere: blank lines and '#' comments.
bool is_skippable(std::string_view line) {
  const std::string_view t = detail::trim(line);
  return t.empty() || t.front() == '#';
}

// Header detection: "nan", "inf" and out-of-range numbers count as numbers here, so that a
// first data row holding one is reported as bad data rather than silently taken as a header.
bool looks_numeric(const std::vector<std::string_view>& fields) {
  for (std::string_view f : fields) {
    double v = 0.0;
    const auto e = detail::parse_double(f, v);
    if (e == detail::NumberError::not_a_number || e == detail::NumberError::empty) return false;
  }
  return true;
}

void append_number(std::string& out, double v) {
  char buf[40];
  // %.17g, but locale independent.
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 17);
  out.append(buf, r.ptr);
}

}  // namespace

CsvTable read_csv(const std::string& path, const CsvOptions& options) {
  const std::string text = read_file_decompressed(path);  // digits.csv.gz and friends
  detail::LineReader lines(text);
  std::string_view line;
  for (std::size_t i = 0; i < options.skip_rows && lines.next(line); ++i) {
  }

  CsvTable table;
  std::vector<std::string_view> fields;
  std::vector<double> values;  // row-major
  std::size_t n_cols = 0, n_rows = 0;
  bool first = true;
  while (lines.next(line)) {
    if (is_skippable(line)) continue;
    const std::size_t ln = lines.line_number();
    detail::split_on(line, options.delimiter, fields);
    if (first) {
      first = false;
      n_cols = fields.size();
      const bool header =
          options.header == CsvOptions::Header::yes ||
          (options.header == CsvOptions::Header::auto_detect && !looks_numeric(fields));
      if (header) {
        for (std::string_view f : fields) table.columns.emplace_back(unquote(f));
        continue;
      }
    }
    if (fields.size() != n_cols)
      throw InputError(
          path, ln, column_field(std::min(fields.size(), n_cols), table.columns),
          "expected " + std::to_string(n_cols) + " fields, found " + std::to_string(fields.size()));
    for (std::size_t c = 0; c < fields.size(); ++c) {
      double v = 0.0;
      const auto e = options.allow_non_finite ? detail::parse_double_allow_non_finite(fields[c], v)
                                              : detail::parse_double(fields[c], v);
      if (e != detail::NumberError::none)
        throw InputError(path, ln, column_field(c, table.columns), detail::describe(e, fields[c]));
      values.push_back(v);
    }
    table.lines.push_back(ln);
    ++n_rows;
  }
  if (first) throw InputError(path, 0, "", "empty file (no header and no data rows)");
  if (n_rows == 0) throw InputError(path, 0, "", "no data rows after the header");

  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  table.values = Eigen::Map<const RowMajor>(values.data(), static_cast<Eigen::Index>(n_rows),
                                            static_cast<Eigen::Index>(n_cols));
  return table;
}

Eigen::MatrixXd read_csv_matrix(const std::string& path, const CsvOptions& options) {
  return read_csv(path, options).values;
}

void write_csv(const std::string& path, const Eigen::MatrixXd& values,
               const std::vector<std::string>& columns) {
  if (!columns.empty() && columns.size() != static_cast<std::size_t>(values.cols()))
    throw Error("write_csv " + path + ": " + std::to_string(columns.size()) + " column names for " +
                std::to_string(values.cols()) + " columns");
  std::string out;
  out.reserve(static_cast<std::size_t>(values.size()) * 12 + 64);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].find_first_of(",\"\r\n") != std::string::npos)
      throw Error("write_csv " + path + ": column name '" + columns[c] +
                  "' contains a comma, quote or line break");
    if (c > 0) out += ',';
    out += columns[c];
  }
  if (!columns.empty()) out += '\n';
  for (Eigen::Index r = 0; r < values.rows(); ++r) {
    for (Eigen::Index c = 0; c < values.cols(); ++c) {
      if (c > 0) out += ',';
      append_number(out, values(r, c));
    }
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace descent::io
