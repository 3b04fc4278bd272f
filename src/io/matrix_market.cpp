// Matrix Market reader and writer (real, integer and pattern matrices).
#include "descent/io/matrix_market.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/text_scan.hpp"

namespace descent::io {

namespace {

enum class Field { real, integer, pattern };
enum class Symmetry { general, symmetric, skew };

struct Header {
  bool coordinate = true;
  Field field = Field::real;
  Symmetry symmetry = Symmetry::general;
  std::int64_t rows = 0, cols = 0;
  std::uint64_t entries = 0;  // lines of entries that must follow
};

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

bool is_comment_or_blank(std::string_view line) {
  const std::string_view t = detail::trim(line);
  return t.empty() || t.front() == '%';
}

Header parse_banner(const std::string& path, detail::LineReader& lines,
                    std::vector<std::string_view>& tok) {
  std::string_view line;
  if (!lines.next(line)) throw InputError(path, 0, "banner", "empty file");
  detail::split_blanks(line, tok);
  if (tok.empty() || lower(tok[0]) != "%%matrixmarket")
    throw InputError(path, 1, "banner", "missing '%%MatrixMarket' banner");
  if (tok.size() != 5)
    throw InputError(path, 1, "banner",
                     "expected '%%MatrixMarket matrix FORMAT FIELD SYMMETRY', found " +
                         std::to_string(tok.size()) + " words");
  Header h;
  if (lower(tok[1]) != "matrix")
    throw InputError(path, 1, "banner", "unsupported object '" + std::string(tok[1]) + "'");
  const std::string format = lower(tok[2]), field = lower(tok[3]), sym = lower(tok[4]);
  if (format == "coordinate")
    h.coordinate = true;
  else if (format == "array")
    h.coordinate = false;
  else
    throw InputError(path, 1, "banner", "unknown format '" + std::string(tok[2]) + "'");
  if (field == "real" || field == "double")
    h.field = Field::real;
  else if (field == "integer")
    h.field = Field::integer;
  else if (field == "pattern")
    h.field = Field::pattern;
  else if (field == "complex")
    throw InputError(path, 1, "banner", "complex matrices are not supported");
  else
    throw InputError(path, 1, "banner", "unknown field '" + std::string(tok[3]) + "'");
  if (sym == "general")
    h.symmetry = Symmetry::general;
  else if (sym == "symmetric")
    h.symmetry = Symmetry::symmetric;
  else if (sym == "skew-symmetric")
    h.symmetry = Symmetry::skew;
  else if (sym == "hermitian")
    throw InputError(path, 1, "banner", "hermitian matrices are not supported");
  else
    throw InputError(path, 1, "banner", "unknown symmetry '" + std::string(tok[4]) + "'");
  if (!h.coordinate && h.field == Field::pattern)
    throw InputError(path, 1, "banner", "'array' files cannot have the 'pattern' field");

  // Size line: the first line after the comments.
  do {
    if (!lines.next(line))
      throw InputError(path, lines.line_number() + 1, "size", "missing size line");
  } while (is_comment_or_blank(line));
  const std::size_t ln = lines.line_number();
  detail::split_blanks(line, tok);
  const std::size_t want = h.coordinate ? 3 : 2;
  if (tok.size() != want)
    throw InputError(path, ln, "size",
                     h.coordinate ? "expected 'ROWS COLUMNS ENTRIES'" : "expected 'ROWS COLUMNS'");
  h.rows = detail::to_int64(tok[0], path, ln, "rows");
  h.cols = detail::to_int64(tok[1], path, ln, "columns");
  if (h.rows < 0) throw InputError(path, ln, "rows", "negative size");
  if (h.cols < 0) throw InputError(path, ln, "columns", "negative size");
  if (h.symmetry != Symmetry::general && h.rows != h.cols)
    throw InputError(path, ln, "size",
                     "a symmetric matrix must be square, found " + std::to_string(h.rows) + " x " +
                         std::to_string(h.cols));
  const auto n = static_cast<std::uint64_t>(h.rows), m = static_cast<std::uint64_t>(h.cols);
  if (h.coordinate) {
    const std::int64_t nnz = detail::to_int64(tok[2], path, ln, "entries");
    if (nnz < 0) throw InputError(path, ln, "entries", "negative entry count");
    h.entries = static_cast<std::uint64_t>(nnz);
  } else if (h.symmetry == Symmetry::general) {
    h.entries = m != 0 && n > UINT64_MAX / m ? UINT64_MAX : n * m;
  } else {
    // Lower triangle, column by column (strictly lower for skew-symmetric).
    const std::uint64_t tri = n % 2 == 0 ? (n / 2) * (n + 1) : n * ((n + 1) / 2);
    h.entries =
        n > (std::uint64_t{1} << 32) ? UINT64_MAX : (h.symmetry == Symmetry::skew ? tri - n : tri);
  }

  // Every entry needs a few bytes ("1 1 1\n"); refuse declarations the file cannot hold before
  // anyone reserves memory for them.
  const std::uint64_t min_bytes = !h.coordinate ? 2 : h.field == Field::pattern ? 4 : 6;
  const std::uint64_t room = lines.remaining_bytes() + 1;
  if (h.entries > room / min_bytes)
    throw InputError(
        path, ln, h.coordinate ? "entries" : "size",
        "declares " +
            (h.entries == UINT64_MAX ? std::string("over 2^64") : std::to_string(h.entries)) +
            " entries but only " + std::to_string(lines.remaining_bytes()) +
            " bytes follow (truncated file?)");
  return h;
}

// Calls add(row, col, value) (0-based) for every stored entry, symmetric ones once.
template <class Add>
void scan_entries(const std::string& path, detail::LineReader& lines, const Header& h,
                  std::vector<std::string_view>& tok, Add&& add) {
  const std::size_t want = !h.coordinate ? 1 : h.field == Field::pattern ? 2 : 3;
  std::uint64_t k = 0;
  std::int64_t ai = 0, aj = 0;  // next position of an array file (column-major)
  if (!h.coordinate && h.symmetry == Symmetry::skew) ai = 1;
  std::string_view line;
  while (lines.next(line)) {
    if (is_comment_or_blank(line)) continue;
    const std::size_t ln = lines.line_number();
    if (k == h.entries)
      throw InputError(path, ln, "entries",
                       "more entries than the " + std::to_string(h.entries) + " declared");
    detail::split_blanks(line, tok);
    if (tok.size() != want)
      throw InputError(
          path, ln, "entry " + std::to_string(k + 1),
          "expected " + std::to_string(want) + " fields, found " + std::to_string(tok.size()));
    std::int64_t i = 0, j = 0;
    if (h.coordinate) {
      i = detail::to_int64(tok[0], path, ln, "row index");
      j = detail::to_int64(tok[1], path, ln, "column index");
      if (i < 1 || i > h.rows)
        throw InputError(path, ln, "row index",
                         std::to_string(i) + " is outside 1.." + std::to_string(h.rows));
      if (j < 1 || j > h.cols)
        throw InputError(path, ln, "column index",
                         std::to_string(j) + " is outside 1.." + std::to_string(h.cols));
      --i, --j;
      if (h.symmetry == Symmetry::symmetric && i < j)
        throw InputError(path, ln, "row index",
                         "entry (" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                             ") is in the upper triangle of a symmetric matrix");
      if (h.symmetry == Symmetry::skew && i <= j)
        throw InputError(path, ln, "row index",
                         "entry (" + std::to_string(i + 1) + ", " + std::to_string(j + 1) +
                             ") is not strictly below the diagonal of a skew-symmetric matrix");
    } else {
      i = ai, j = aj;
      if (++ai == h.rows) {
        ++aj;
        ai = h.symmetry == Symmetry::general ? 0 : h.symmetry == Symmetry::symmetric ? aj : aj + 1;
      }
    }
    double v = 1.0;
    if (h.field != Field::pattern) {
      const std::string_view t = tok[h.coordinate ? 2 : 0];
      v = detail::to_double(t, path, ln, "value");
      if (h.field == Field::integer && v != std::floor(v))
        throw InputError(path, ln, "value", "'" + std::string(t) + "' is not an integer");
    }
    add(i, j, v);
    ++k;
  }
  if (k < h.entries)
    throw InputError(path, lines.line_number() + 1, "entries",
                     "file ends after " + std::to_string(k) + " of " + std::to_string(h.entries) +
                         " entries (truncated)");
}

void append_number(std::string& out, double v) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 17);
  out.append(buf, r.ptr);
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

Eigen::SparseMatrix<double> read_matrix_market_sparse(const std::string& path) {
  const std::string text = read_file(path);
  detail::LineReader lines(text);
  std::vector<std::string_view> tok;
  const Header h = parse_banner(path, lines, tok);
  if (h.rows > INT_MAX || h.cols > INT_MAX)
    throw InputError(path, lines.line_number(), "size",
                     "dimensions above 2^31-1 are not supported by sparse matrices");
  // Building the matrix takes O(rows + cols) index memory whatever the entries (found by
  // fuzzing: a 2-line file claiming 10^9 × 10^9 took gigabytes).
  constexpr std::int64_t kMaxSparseDims = std::int64_t{1} << 27;
  if (h.rows + h.cols > kMaxSparseDims)
    throw InputError(path, lines.line_number(), "size",
                     std::to_string(h.rows) + " x " + std::to_string(h.cols) +
                         " is too large (rows + columns above 2^27)");
  std::vector<Eigen::Triplet<double>> triplets;
  // The header's count is not trusted for the reservation: each entry takes at least 4 bytes.
  triplets.reserve(std::min<std::size_t>(
      static_cast<std::size_t>(h.entries) * (h.symmetry == Symmetry::general ? 1 : 2),
      text.size() / 2));
  const double sign = h.symmetry == Symmetry::skew ? -1.0 : 1.0;
  scan_entries(path, lines, h, tok, [&](std::int64_t i, std::int64_t j, double v) {
    if (!h.coordinate && v == 0.0) return;  // a dense array's zeros are not stored
    triplets.emplace_back(static_cast<int>(i), static_cast<int>(j), v);
    if (h.symmetry != Symmetry::general && i != j)
      triplets.emplace_back(static_cast<int>(j), static_cast<int>(i), sign * v);
  });
  // Compressed columns built directly, in O(cols + entries log entries): Eigen's setFromTriplets
  // goes through a row-major temporary with one slot per row, so a 3-line file claiming 1.3e8
  // rows took over 30 s under the sanitizers (found by fuzzing). Duplicates are summed in file
  // order, as setFromTriplets does: the sort breaks ties by position (std::sort on indices; GCC
  // 12's std::stable_sort buffer trips AddressSanitizer's alloc-dealloc check).
  std::vector<std::size_t> order(triplets.size());
  for (std::size_t t = 0; t < order.size(); ++t) order[t] = t;
  std::sort(order.begin(), order.end(), [&](std::size_t p, std::size_t q) {
    const auto &x = triplets[p], &y = triplets[q];
    if (x.col() != y.col()) return x.col() < y.col();
    if (x.row() != y.row()) return x.row() < y.row();
    return p < q;
  });
  std::vector<int> rows, cols;
  std::vector<double> values;
  rows.reserve(order.size());
  cols.reserve(order.size());
  values.reserve(order.size());
  for (std::size_t p : order) {
    const auto& t = triplets[p];
    if (!rows.empty() && rows.back() == t.row() && cols.back() == t.col()) {
      values.back() += t.value();
    } else {
      rows.push_back(t.row());
      cols.push_back(t.col());
      values.push_back(t.value());
    }
  }
  Eigen::SparseMatrix<double> a(static_cast<Eigen::Index>(h.rows),
                                static_cast<Eigen::Index>(h.cols));
  a.resizeNonZeros(static_cast<Eigen::Index>(values.size()));
  int* outer = a.outerIndexPtr();
  std::fill(outer, outer + h.cols + 1, 0);
  for (std::size_t t = 0; t < values.size(); ++t) {
    ++outer[cols[t] + 1];
    a.innerIndexPtr()[t] = rows[t];
    a.valuePtr()[t] = values[t];
  }
  for (std::int64_t c = 0; c < h.cols; ++c) outer[c + 1] += outer[c];
  return a;
}

Eigen::MatrixXd read_matrix_market_dense(const std::string& path) {
  const std::string text = read_file(path);
  detail::LineReader lines(text);
  std::vector<std::string_view> tok;
  const Header h = parse_banner(path, lines, tok);
  const auto n = static_cast<std::uint64_t>(h.rows), m = static_cast<std::uint64_t>(h.cols);
  if (m != 0 && n > kMaxDenseMatrixMarketEntries / m)
    throw InputError(path, lines.line_number(), "size",
                     std::to_string(h.rows) + " x " + std::to_string(h.cols) +
                         " is too large for a dense matrix (limit 2^27 entries)");
  Eigen::MatrixXd a =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(h.rows), static_cast<Eigen::Index>(h.cols));
  const double sign = h.symmetry == Symmetry::skew ? -1.0 : 1.0;
  scan_entries(path, lines, h, tok, [&](std::int64_t i, std::int64_t j, double v) {
    a(i, j) += v;  // coordinate duplicates are summed, as in the sparse reader
    if (h.symmetry != Symmetry::general && i != j) a(j, i) += sign * v;
  });
  return a;
}

void write_matrix_market(const std::string& path, const Eigen::SparseMatrix<double>& a,
                         bool symmetric) {
  bool has_upper = false;
  for (Eigen::Index c = 0; c < a.outerSize(); ++c)
    for (Eigen::SparseMatrix<double>::InnerIterator it(a, c); it; ++it) {
      if (!std::isfinite(it.value()))
        throw Error("write_matrix_market " + path + ": non-finite value at (" +
                    std::to_string(it.row() + 1) + ", " + std::to_string(it.col() + 1) + ")");
      if (it.row() < it.col()) has_upper = true;
    }
  if (symmetric) {
    if (a.rows() != a.cols())
      throw Error("write_matrix_market " + path + ": symmetric output needs a square matrix, got " +
                  std::to_string(a.rows()) + " x " + std::to_string(a.cols()));
    // A matrix storing both triangles must really be symmetric, or data would be lost.
    if (has_upper) {
      const Eigen::SparseMatrix<double> t = a.transpose();
      const Eigen::SparseMatrix<double> d = (a - t).pruned();
      if (d.nonZeros() != 0)
        throw Error("write_matrix_market " + path +
                    ": symmetric output of a matrix that is not symmetric");
    }
  }
  std::string out = "%%MatrixMarket matrix coordinate real ";
  out += symmetric ? "symmetric\n" : "general\n";
  std::string body;
  std::int64_t count = 0;
  for (Eigen::Index c = 0; c < a.outerSize(); ++c)
    for (Eigen::SparseMatrix<double>::InnerIterator it(a, c); it; ++it) {
      if (symmetric && it.row() < it.col()) continue;
      append_int(body, it.row() + 1);
      body += ' ';
      append_int(body, it.col() + 1);
      body += ' ';
      append_number(body, it.value());
      body += '\n';
      ++count;
    }
  append_int(out, a.rows());
  out += ' ';
  append_int(out, a.cols());
  out += ' ';
  append_int(out, count);
  out += '\n';
  out += body;
  write_file_atomic(path, out);
}

void write_matrix_market(const std::string& path, const Eigen::MatrixXd& a) {
  if (!a.allFinite()) throw Error("write_matrix_market " + path + ": non-finite value");
  std::string out = "%%MatrixMarket matrix array real general\n";
  append_int(out, a.rows());
  out += ' ';
  append_int(out, a.cols());
  out += '\n';
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      append_number(out, a(i, j));
      out += '\n';
    }
  write_file_atomic(path, out);
}

}  // namespace descent::io
