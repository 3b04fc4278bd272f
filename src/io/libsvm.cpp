// LIBSVM / svmlight reader and writer.
#include "descent/io/libsvm.hpp"

#include <algorithm>

#include <charconv>
#include <cmath>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/text_scan.hpp"

namespace descent::io {

namespace {

void append_number(std::string& out, double v) {
  char buf[40];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 17);
  out.append(buf, r.ptr);
}

std::string token_text(std::size_t position, std::string_view token) {
  return "token " + std::to_string(position) + " '" + std::string(token.substr(0, 40)) + "'";
}

}  // namespace

SvmlightData read_libsvm(const std::string& path, std::size_t n_features) {
  const std::string text = read_file(path);
  detail::LineReader lines(text);
  const auto limit =
      n_features > 0 ? static_cast<std::int64_t>(std::min<std::size_t>(n_features, kMaxLibsvmIndex))
                     : kMaxLibsvmIndex;
  // CSR arrays, built directly (no triplets): rows arrive in order with sorted indices.
  std::vector<int> outer{0};
  std::vector<int> inner;
  std::vector<double> values;
  std::vector<double> labels;
  std::int64_t max_index = 0;
  std::vector<std::string_view> tok;
  std::string_view line;
  while (lines.next(line)) {
    const std::size_t ln = lines.line_number();
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    detail::split_blanks(line, tok);
    if (tok.empty()) continue;  // blank or comment-only line
    labels.push_back(detail::to_double(tok[0], path, ln, "label"));
    std::int64_t previous = 0;
    for (std::size_t t = 1; t < tok.size(); ++t) {
      const std::string_view token = tok[t];
      const std::size_t colon = token.find(':');
      if (colon == std::string_view::npos)
        throw InputError(path, ln, "index", token_text(t + 1, token) + " lacks ':' (idx:value)");
      const std::string_view key = token.substr(0, colon), val = token.substr(colon + 1);
      if (key == "qid") {
        detail::to_int64(val, path, ln, "qid");  // validated, then ignored
        continue;
      }
      std::int64_t index = 0;
      const auto e = detail::parse_int64(key, index);
      if (e == detail::NumberError::out_of_range ||
          (e == detail::NumberError::none && index > limit))
        throw InputError(path, ln, "index",
                         token_text(t + 1, token) + ": index exceeds " +
                             (n_features > 0 && limit < kMaxLibsvmIndex
                                  ? "n_features = " + std::to_string(n_features)
                                  : std::string("2^31")));
      if (e != detail::NumberError::none)
        throw InputError(path, ln, "index", token_text(t + 1, token) + ": index is not an integer");
      if (index < 1)
        throw InputError(path, ln, "index",
                         token_text(t + 1, token) + ": indices are 1-based (must be >= 1)");
      if (index <= previous)
        throw InputError(path, ln, "index",
                         token_text(t + 1, token) + ": indices must increase (previous was " +
                             std::to_string(previous) + ")");
      previous = index;
      double v = 0.0;
      const auto ev = detail::parse_double(val, v);
      if (ev != detail::NumberError::none)
        throw InputError(path, ln, "value",
                         token_text(t + 1, token) + ": " + detail::describe(ev, val));
      inner.push_back(static_cast<int>(index - 1));
      values.push_back(v);
      if (index > max_index) max_index = index;
    }
    if (inner.size() > static_cast<std::size_t>(INT32_MAX))
      throw InputError(path, ln, "", "more than 2^31-1 stored values are not supported");
    outer.push_back(static_cast<int>(inner.size()));
  }

  const std::int64_t cols = n_features > 0 ? static_cast<std::int64_t>(limit) : max_index;
  SvmlightData d;
  d.labels =
      Eigen::Map<const Eigen::VectorXd>(labels.data(), static_cast<Eigen::Index>(labels.size()));
  // Filled from the CSR arrays directly: assigning from an Eigen::Map reserves
  // 2·max(rows, cols) entries first (Eigen's generic sparse assignment), gigabytes for a file
  // with one huge index (found by fuzzing).
  d.features.resize(static_cast<Eigen::Index>(labels.size()), static_cast<Eigen::Index>(cols));
  d.features.resizeNonZeros(static_cast<Eigen::Index>(values.size()));
  std::copy(outer.begin(), outer.end(), d.features.outerIndexPtr());
  std::copy(inner.begin(), inner.end(), d.features.innerIndexPtr());
  std::copy(values.begin(), values.end(), d.features.valuePtr());
  return d;
}

void write_libsvm(const std::string& path, const Eigen::SparseMatrix<double, Eigen::RowMajor>& x,
                  const Eigen::VectorXd& y) {
  if (x.rows() != y.size())
    throw Error("write_libsvm " + path + ": " + std::to_string(x.rows()) + " rows but " +
                std::to_string(y.size()) + " labels");
  std::string out;
  out.reserve(static_cast<std::size_t>(x.nonZeros()) * 24 + static_cast<std::size_t>(y.size()) * 4);
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    if (!std::isfinite(y(r)))
      throw Error("write_libsvm " + path + ": non-finite label in row " + std::to_string(r + 1));
    append_number(out, y(r));
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(x, r); it; ++it) {
      if (!std::isfinite(it.value()))
        throw Error("write_libsvm " + path + ": non-finite value in row " + std::to_string(r + 1));
      out += ' ';
      out += std::to_string(it.col() + 1);
      out += ':';
      append_number(out, it.value());
    }
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace descent::io
