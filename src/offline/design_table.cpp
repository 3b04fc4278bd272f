#include "descent/offline/design_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/text_scan.hpp"

namespace descent::offline {
namespace {

using io::detail::LineReader;

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

bool is_missing(std::string_view s) {
  std::string l(s);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return l.empty() || l == "nan" || l == "na" || l == "n/a" || l == "null";
}

std::string joined(const std::vector<std::string>& v, const char* sep = ",") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// Sequence columns are detected when the alphabet's letters are single characters and the
// table has exactly one feature column.
bool single_characters(const std::vector<std::string>& alphabet) {
  return std::all_of(alphabet.begin(), alphabet.end(), [](const auto& a) { return a.size() == 1; });
}

}  // namespace

Task read_design_table(const std::string& path, const DesignTableOptions& o) {
  const bool discrete = !o.alphabet.empty();
  if (discrete) {
    if (o.alphabet.size() < 2) throw InvalidOption("alphabet", "needs at least 2 letters");
    auto sorted = o.alphabet;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      throw InvalidOption("alphabet", "a letter appears twice in " + joined(o.alphabet));
    for (const auto& a : o.alphabet)
      if (a.empty() || is_missing(a))
        throw InvalidOption("alphabet", "empty or missing-value letter");
  }
  const std::string text = io::read_file_decompressed(path);
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> fields;
  std::vector<std::string> header;
  std::size_t header_line = 0;
  while (lines.next(line)) {
    const auto t = io::detail::trim(line);
    if (t.empty() || t.front() == '#') continue;
    io::detail::split_on(t, ',', fields);
    for (auto f : fields) header.emplace_back(unquote(f));
    header_line = lines.line_number();
    break;
  }
  if (header.empty()) throw InputError(path, 0, "", "the file has no header row and no data");
  if (std::all_of(header.begin(), header.end(),
                  [](const auto& h) { return io::detail::is_number(h); }))
    throw InputError(path, header_line, "header",
                     "the first row must name the columns (it holds only numbers)");
  if (header.size() < 2)
    throw InputError(path, header_line, "header",
                     "need at least one design column and a target column");
  // The target column.
  std::size_t target = header.size() - 1;
  if (!o.target.empty()) {
    std::int64_t k = 0;
    const auto it = std::find(header.begin(), header.end(), o.target);
    if (it != header.end()) {
      target = std::size_t(it - header.begin());
    } else if (io::detail::parse_int64(o.target, k) == io::detail::NumberError::none) {
      if (k < 1 || std::size_t(k) > header.size())
        throw InputError(path, header_line, "target",
                         "column " + o.target + " does not exist (the table has " +
                             std::to_string(header.size()) + " columns)");
      target = std::size_t(k - 1);
    } else {
      throw InputError(
          path, header_line, "target",
          "no column named '" + o.target + "' (columns: " + joined(header, ", ") + ")");
    }
  }
  std::vector<std::size_t> feature_cols;
  for (std::size_t j = 0; j < header.size(); ++j)
    if (j != target) feature_cols.push_back(j);
  const bool sequence_column =
      discrete && feature_cols.size() == 1 && single_characters(o.alphabet);
  // A first row of letters and a numeric target is data, not a header: refuse rather than lose
  // a measured design and name the target after its value.
  if (discrete && io::detail::is_number(header[target])) {
    auto is_letter = [&](const std::string& s) {
      return std::find(o.alphabet.begin(), o.alphabet.end(), s) != o.alphabet.end();
    };
    bool all_letters = true;
    for (auto j : feature_cols) {
      const std::string& h = header[j];
      if (sequence_column)
        for (char c : h) all_letters = all_letters && is_letter(std::string(1, c));
      else
        all_letters = all_letters && is_letter(h);
    }
    if (all_letters)
      throw InputError(path, header_line, "header",
                       "the first row looks like data (letters and a number): the first row "
                       "must name the columns");
  }

  Task t;
  t.name = path;
  t.space.discrete = discrete;
  t.space.alphabet = o.alphabet;
  t.data.target = header[target];
  for (auto j : feature_cols) t.data.columns.push_back(header[j]);
  std::vector<std::vector<double>> rows;
  std::vector<double> ys;
  std::size_t first_data_line = 0;
  auto field_name = [&](std::size_t j) {
    return "column " + std::to_string(j + 1) + " (" + header[j] + ")";
  };
  auto letter_code = [&](std::string_view s, std::size_t line_no, std::size_t j) {
    const auto it = std::find(o.alphabet.begin(), o.alphabet.end(), s);
    if (it == o.alphabet.end())
      throw InputError(
          path, line_no, field_name(j),
          "letter '" + std::string(s) + "' is not in the alphabet " + joined(o.alphabet));
    return double(it - o.alphabet.begin());
  };
  while (lines.next(line)) {
    const auto trimmed = io::detail::trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    const std::size_t ln = lines.line_number();
    io::detail::split_on(trimmed, ',', fields);
    if (fields.size() != header.size())
      throw InputError(path, ln, "",
                       "expected " + std::to_string(header.size()) +
                           " fields (as the header), found " + std::to_string(fields.size()));
    bool missing = false;
    for (std::size_t j = 0; j < fields.size(); ++j) {
      fields[j] = unquote(fields[j]);
      // Letter and sequence cells are missing only when empty ("NA" may be a sequence).
      const bool letters_here = discrete && j != target;
      if (letters_here ? fields[j].empty() : is_missing(fields[j])) {
        if (o.strict)
          throw InputError(path, ln, field_name(j),
                           "missing value (without --strict such rows are skipped and counted)");
        missing = true;
      }
    }
    if (missing) {
      ++t.data.skipped_rows;
      continue;
    }
    if (first_data_line == 0) first_data_line = ln;
    ys.push_back(io::detail::to_double(fields[target], path, ln, field_name(target)));
    std::vector<double> row;
    if (sequence_column) {
      const std::string_view seq = fields[feature_cols[0]];
      for (std::size_t i = 0; i < seq.size(); ++i)
        row.push_back(letter_code(seq.substr(i, 1), ln, feature_cols[0]));
      if (!rows.empty() && row.size() != rows.front().size())
        throw InputError(path, ln, field_name(feature_cols[0]),
                         "sequence of length " + std::to_string(row.size()) +
                             ", the first row's has " + std::to_string(rows.front().size()));
    } else {
      for (auto j : feature_cols)
        row.push_back(discrete ? letter_code(fields[j], ln, j)
                               : io::detail::to_double(fields[j], path, ln, field_name(j)));
    }
    rows.push_back(std::move(row));
  }
  if (rows.size() < 2)
    throw InputError(path, 0, "",
                     "fewer than 2 usable rows (" + std::to_string(rows.size()) + " read, " +
                         std::to_string(t.data.skipped_rows) + " skipped for missing values)");
  const std::size_t d = rows.front().size();
  t.space.dimension = Eigen::Index(d);
  t.data.x.resize(Eigen::Index(rows.size()), Eigen::Index(d));
  t.data.y.resize(Eigen::Index(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = 0; j < d; ++j) t.data.x(Eigen::Index(i), Eigen::Index(j)) = rows[i][j];
    t.data.y[Eigen::Index(i)] = ys[i];
  }
  // Values so large that squaring them overflows cannot be z-scored: say which column.
  auto check_scale = [&](const Eigen::VectorXd& v, std::size_t column) {
    const double m = v.mean();
    if (!std::isfinite(m) || !std::isfinite((v.array() - m).square().sum()))
      throw InputError(path, 0, field_name(column),
                       "values too large to standardise (|x| above about 1e150)");
  };
  check_scale(t.data.y, target);
  if (!discrete)
    for (std::size_t j = 0; j < feature_cols.size(); ++j)
      check_scale(t.data.x.col(Eigen::Index(j)), feature_cols[j]);
  if (t.data.y.maxCoeff() == t.data.y.minCoeff()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", t.data.y[0]);
    throw InputError(path, first_data_line, field_name(target),
                     std::string("the target is constant (every row is ") + buf +
                         "): there is nothing to learn or optimise");
  }
  if (sequence_column) {
    t.data.columns.clear();
    t.data.columns.push_back(header[feature_cols[0]]);
  }
  t.y_min = t.data.y.minCoeff();
  t.y_max = t.data.y.maxCoeff();
  return t;
}

void write_designs(const std::string& path, const Task& task, const Eigen::MatrixXd& designs,
                   const std::vector<std::string>& extra_columns, const Eigen::MatrixXd& extra) {
  if (extra.rows() != designs.rows() || extra.cols() != Eigen::Index(extra_columns.size()))
    throw Error("write_designs: extra columns do not match");
  const bool discrete = task.space.discrete;
  const bool sequence = discrete && task.data.columns.size() == 1 && designs.cols() > 1;
  std::string out;
  std::vector<std::string> cols;
  if (sequence)
    cols = task.data.columns;
  else if (Eigen::Index(task.data.columns.size()) == designs.cols())
    cols = task.data.columns;
  else
    for (Eigen::Index j = 0; j < designs.cols(); ++j) cols.push_back(numbered("x", j + 1));
  cols.insert(cols.end(), extra_columns.begin(), extra_columns.end());
  out += joined(cols) + "\n";
  char buf[40];
  for (Eigen::Index i = 0; i < designs.rows(); ++i) {
    std::string row;
    for (Eigen::Index j = 0; j < designs.cols(); ++j) {
      if (discrete) {
        const std::string& letter = task.space.alphabet.at(std::size_t(designs(i, j)));
        if (!sequence && j > 0) row += ',';
        row += letter;
      } else {
        std::snprintf(buf, sizeof buf, "%.17g", designs(i, j));
        if (j > 0) row += ',';
        row += buf;
      }
    }
    for (Eigen::Index j = 0; j < extra.cols(); ++j) {
      std::snprintf(buf, sizeof buf, "%.17g", extra(i, j));
      row += ',';
      row += buf;
    }
    out += row;
    out += '\n';
  }
  io::write_file_atomic(path, out);
}

}  // namespace descent::offline
