// NumPy .npy reader and writer (format versions 1.0, 2.0 and 3.0; little-endian, C order).
#include "descent/io/npy.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"

namespace descent::io {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

std::string at(std::size_t offset) {
  return " (byte offset " + std::to_string(offset) + ")";
}

template <class T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) {
    auto* b = reinterpret_cast<unsigned char*>(&v);
    for (std::size_t i = 0; i < sizeof v / 2; ++i) std::swap(b[i], b[sizeof v - 1 - i]);
  }
  return v;
}

template <class T>
void store_le(std::string& out, T v) {
  char b[sizeof v];
  std::memcpy(b, &v, sizeof v);
  if constexpr (std::endian::native == std::endian::big)
    for (std::size_t i = 0; i < sizeof v / 2; ++i) std::swap(b[i], b[sizeof v - 1 - i]);
  out.append(b, sizeof v);
}

// A tiny parser for the header's Python dict literal, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& file, std::size_t base)
      : s_(text), file_(file), base_(base) {}

  void parse(std::string& descr, bool& fortran, std::vector<std::size_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    for (;;) {
      skip();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        descr = string_literal();
        have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        have_fortran = true;
      } else if (key == "shape") {
        shape = tuple();
        have_shape = true;
      } else {
        fail("unexpected key '" + key + "'");
      }
      skip();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    if (!have_descr || !have_fortran || !have_shape)
      fail("header dictionary lacks 'descr', 'fortran_order' or 'shape'");
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw InputError(file_, 0, "header", why + at(base_ + i_));
  }
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n')) ++i_;
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    skip();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string string_literal() {
    skip();
    const char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string");
    const std::size_t end = s_.find(q, i_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string v(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return v;
  }
  bool boolean() {
    skip();
    if (s_.substr(i_, 4) == "True") return i_ += 4, true;
    if (s_.substr(i_, 5) == "False") return i_ += 5, false;
    fail("expected True or False");
  }
  std::vector<std::size_t> tuple() {
    expect('(');
    std::vector<std::size_t> dims;
    for (;;) {
      skip();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') fail("expected a non-negative integer in 'shape'");
      std::size_t v = 0;
      while (peek() >= '0' && peek() <= '9') {
        const auto d = static_cast<std::size_t>(peek() - '0');
        if (v > (std::numeric_limits<std::size_t>::max() - d) / 10) fail("shape overflows");
        v = v * 10 + d;
        ++i_;
      }
      if (peek() == 'L') ++i_;  // Python 2 long suffix
      dims.push_back(v);
      skip();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() != ')') fail("expected ',' or ')' in 'shape'");
    }
    ++i_;
    return dims;
  }

  std::string_view s_;
  const std::string& file_;
  std::size_t base_;
  std::size_t i_ = 0;
};

std::size_t item_size(const std::string& dtype) {
  if (dtype == "<f8" || dtype == "<i8") return 8;
  if (dtype == "<f4" || dtype == "<i4") return 4;
  if (dtype == "|u1" || dtype == "<u1") return 1;
  return 0;
}

template <class T>
void convert(const char* p, std::vector<double>& out) {
  for (double& x : out) {
    x = static_cast<double>(load_le<T>(p));
    p += sizeof(T);
  }
}

std::size_t checked_product(const std::vector<std::size_t>& shape, bool& overflow) {
  std::size_t n = 1;
  overflow = false;
  for (std::size_t d : shape) {
    if (d != 0 && n > std::numeric_limits<std::size_t>::max() / d) overflow = true;
    n *= d;
  }
  // Any zero dimension makes an empty array even if the others overflowed.
  for (std::size_t d : shape)
    if (d == 0) overflow = false, n = 0;
  return n;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += std::to_string(shape[i]) + ",";
  if (shape.size() > 1) s.pop_back();
  return s + ")";
}

void write_npy_bytes(const std::string& path, const std::string& dtype,
                     const std::vector<std::size_t>& shape, std::size_t count,
                     std::string_view payload) {
  bool overflow = false;
  if (checked_product(shape, overflow) != count || overflow)
    throw Error("write_npy " + path + ": shape " + shape_text(shape) + " does not hold " +
                std::to_string(count) + " elements");
  std::string dict =
      "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes, newline last.
  auto total = [&](std::size_t len_bytes) {
    const std::size_t unpadded = kMagic.size() + 2 + len_bytes + dict.size() + 1;
    return (unpadded + 63) / 64 * 64;
  };
  const bool v1 = total(2) - kMagic.size() - 4 <= 0xffff;
  const std::size_t header_len = total(v1 ? 2 : 4) - kMagic.size() - 2 - (v1 ? 2 : 4);
  dict.append(header_len - dict.size() - 1, ' ');
  dict += '\n';

  std::string out(kMagic);
  out += static_cast<char>(v1 ? 1 : 2);
  out += '\0';
  if (v1)
    store_le(out, static_cast<std::uint16_t>(header_len));
  else
    store_le(out, static_cast<std::uint32_t>(header_len));
  out += dict;
  out.append(payload);
  write_file_atomic(path, out);
}

template <class T>
std::string le_payload(std::span<const T> data) {
  std::string p;
  p.reserve(data.size() * sizeof(T));
  if constexpr (std::endian::native == std::endian::little) {
    p.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(T));
  } else {
    for (T v : data) store_le(p, v);
  }
  return p;
}

}  // namespace

NpyArray read_npy(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() < kMagic.size() + 2 ||
      std::string_view(bytes).substr(0, kMagic.size()) != kMagic)
    throw InputError(path, 0, "magic", "not a .npy file: missing \\x93NUMPY magic" + at(0));
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    throw InputError(path, 0, "version",
                     "unsupported .npy format version " + std::to_string(major) + at(6));
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  const std::size_t header_start = 8 + len_bytes;
  if (bytes.size() < header_start)
    throw InputError(path, 0, "header", "file ends inside the header length" + at(8));
  const std::size_t header_len = major == 1 ? load_le<std::uint16_t>(bytes.data() + 8)
                                            : load_le<std::uint32_t>(bytes.data() + 8);
  if (header_len > bytes.size() - header_start)
    throw InputError(path, 0, "header",
                     "header of " + std::to_string(header_len) +
                         " bytes runs past the end of the " + std::to_string(bytes.size()) +
                         "-byte file" + at(8));

  NpyArray a;
  bool fortran = false;
  HeaderParser(std::string_view(bytes).substr(header_start, header_len), path, header_start)
      .parse(a.dtype, fortran, a.shape);
  if (fortran)
    throw InputError(path, 0, "fortran_order",
                     "fortran_order True is not supported (save with C order)" + at(header_start));
  const std::size_t isize = item_size(a.dtype);
  if (isize == 0) {
    const bool big = !a.dtype.empty() && a.dtype[0] == '>';
    throw InputError(path, 0, "descr",
                     (big ? "big-endian dtype '" : "unsupported dtype '") + a.dtype +
                         "' (supported: <f8 <f4 <i8 <i4 |u1)" + at(header_start));
  }

  // Validate the size before allocating anything proportional to the shape.
  const std::size_t data_start = header_start + header_len;
  const std::size_t available = bytes.size() - data_start;
  bool overflow = false;
  const std::size_t count = checked_product(a.shape, overflow);
  const bool too_big = overflow || count > std::numeric_limits<std::size_t>::max() / isize;
  if (too_big || count * isize != available) {
    const std::string needs =
        too_big ? "more than 2^64" : std::to_string(count) + " x " + std::to_string(isize);
    const bool truncated = too_big || count * isize > available;
    throw InputError(path, 0, "shape",
                     "shape " + shape_text(a.shape) + " needs " + needs + " bytes but " +
                         std::to_string(available) + " bytes of data follow the header (" +
                         (truncated ? "truncated payload" : "trailing bytes") + ")" +
                         at(data_start));
  }

  // A zero-sized array may still claim a dimension of 10^11, which a consumer then loops over
  // (found by fuzzing): every dimension must fit an int32.
  for (std::size_t d : a.shape)
    if (d > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      throw InputError(path, 0, "shape",
                       "dimension " + std::to_string(d) + " of shape " + shape_text(a.shape) +
                           " exceeds 2^31-1" + at(header_start));
  a.data.resize(count);
  const char* p = bytes.data() + data_start;
  if (a.dtype == "<f8")
    convert<double>(p, a.data);
  else if (a.dtype == "<f4")
    convert<float>(p, a.data);
  else if (a.dtype == "<i8")
    convert<std::int64_t>(p, a.data);
  else if (a.dtype == "<i4")
    convert<std::int32_t>(p, a.data);
  else
    convert<std::uint8_t>(p, a.data);
  return a;
}

Eigen::MatrixXd read_npy_matrix(const std::string& path) {
  NpyArray a = read_npy(path);
  if (a.shape.size() > 2)
    throw InputError(path, 0, "shape",
                     "expected a 1-D or 2-D array, found shape " + shape_text(a.shape));
  const auto rows = static_cast<Eigen::Index>(a.shape.empty() ? 1 : a.shape[0]);
  const auto cols = static_cast<Eigen::Index>(a.shape.size() == 2 ? a.shape[1] : 1);
  // An empty array (a zero dimension beside a large one) is returned without a copy loop over
  // the other dimension (found by fuzzing: 0 × 10^9 took seconds under the sanitizers).
  if (a.data.empty()) return Eigen::MatrixXd(rows, cols);
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(a.data.data(), rows, cols);
}

bool all_finite(const NpyArray& a) noexcept {
  for (double x : a.data)
    if (!std::isfinite(x)) return false;
  return true;
}

void write_npy(const std::string& path, const Eigen::MatrixXd& m) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor c = m;  // C order
  write_npy(path, std::span<const double>(c.data(), static_cast<std::size_t>(c.size())),
            {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())});
}

void write_npy(const std::string& path, std::span<const double> data,
               const std::vector<std::size_t>& shape) {
  write_npy_bytes(path, "<f8", shape, data.size(), le_payload(data));
}

void write_npy_f32(const std::string& path, std::span<const float> data,
                   const std::vector<std::size_t>& shape) {
  write_npy_bytes(path, "<f4", shape, data.size(), le_payload(data));
}

void write_npy_i64(const std::string& path, std::span<const std::int64_t> data,
                   const std::vector<std::size_t>& shape) {
  write_npy_bytes(path, "<i8", shape, data.size(), le_payload(data));
}

}  // namespace descent::io
