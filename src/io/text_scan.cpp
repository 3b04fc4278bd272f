// Strict number parsing and line splitting shared by the text readers.
#include "descent/io/text_scan.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "descent/core/error.hpp"

namespace descent::io::detail {

namespace {

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// from_chars rejects a leading '+', which many writers emit; allow exactly one before a digit
// or '.', so "+-1" and "++1" stay invalid.
std::string_view strip_plus(std::string_view text) noexcept {
  if (text.size() >= 2 && text[0] == '+' && text[1] != '+' && text[1] != '-') text.remove_prefix(1);
  return text;
}

NumberError parse_double_impl(std::string_view text, double& out, bool allow_non_finite) noexcept {
  if (text.empty()) return NumberError::empty;
  const std::string_view body = strip_plus(text);
  double value = 0.0;
  const auto [ptr, ec] =
      std::from_chars(body.data(), body.data() + body.size(), value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) return NumberError::out_of_range;
  if (ec != std::errc() || ptr != body.data() + body.size()) return NumberError::not_a_number;
  if (!std::isfinite(value)) {
    if (!allow_non_finite) return NumberError::non_finite;
    // Only the plain spellings; "nan(0x1)" and "infinity" are not something we write.
    std::string lower;
    for (char c : body) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower != "nan" && lower != "-nan" && lower != "inf" && lower != "-inf")
      return NumberError::not_a_number;
  }
  out = value;
  return NumberError::none;
}

}  // namespace

NumberError parse_double(std::string_view text, double& out) noexcept {
  return parse_double_impl(text, out, false);
}

NumberError parse_double_allow_non_finite(std::string_view text, double& out) noexcept {
  return parse_double_impl(text, out, true);
}

NumberError parse_int64(std::string_view text, std::int64_t& out) noexcept {
  if (text.empty()) return NumberError::empty;
  const std::string_view body = strip_plus(text);
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (ec == std::errc::result_out_of_range) return NumberError::out_of_range;
  if (ec != std::errc() || ptr != body.data() + body.size()) return NumberError::not_a_number;
  out = value;
  return NumberError::none;
}

bool is_number(std::string_view text) noexcept {
  double ignored = 0.0;
  return parse_double(text, ignored) == NumberError::none;
}

std::string describe(NumberError error, std::string_view text) {
  // Quote at most 40 characters so that a binary file fed to a text reader stays readable.
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  switch (error) {
    case NumberError::none:
      return "'" + shown + "' is a number";
    case NumberError::empty:
      return "empty field (expected a number)";
    case NumberError::not_a_number:
      return "'" + shown + "' is not a number";
    case NumberError::non_finite:
      return "'" + shown + "' is not a finite number";
    case NumberError::out_of_range:
      return "'" + shown + "' is out of range";
  }
  return "'" + shown + "' is not a number";
}

double to_double(std::string_view text, const std::string& file, std::size_t line,
                 const std::string& field) {
  double value = 0.0;
  const NumberError e = parse_double(text, value);
  if (e != NumberError::none) throw InputError(file, line, field, describe(e, text));
  return value;
}

std::int64_t to_int64(std::string_view text, const std::string& file, std::size_t line,
                      const std::string& field) {
  std::int64_t value = 0;
  const NumberError e = parse_int64(text, value);
  if (e != NumberError::none) {
    std::string why;
    if (e == NumberError::not_a_number) {
      why = "'";
      why += text.substr(0, 40);
      why += "' is not an integer";
    } else {
      why = describe(e, text);
    }
    throw InputError(file, line, field, why);
  }
  return value;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

void split_blanks(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
}

void split_on(std::string_view line, char delimiter, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(delimiter, start);
    if (end == std::string_view::npos) {
      out.push_back(trim(line.substr(start)));
      return;
    }
    out.push_back(trim(line.substr(start, end - start)));
    start = end + 1;
  }
}

bool LineReader::next(std::string_view& line) noexcept {
  if (pos_ >= text_.size()) return false;
  std::size_t end = text_.find('\n', pos_);
  if (end == std::string_view::npos) end = text_.size();
  line = text_.substr(pos_, end - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos_ = end < text_.size() ? end + 1 : end;
  ++line_;
  return true;
}

}  // namespace descent::io::detail
