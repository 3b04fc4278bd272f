// Internal helpers shared by the text readers (CSV, Matrix Market, LIBSVM): one strict number
// parser and one line splitter, so that every format accepts and rejects the same spellings.
// Not part of the stable API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace descent::io::detail {

/// Why a field is not an acceptable number.
enum class NumberError { none, empty, not_a_number, non_finite, out_of_range };

/// Parses all of `text` (no surrounding blanks) as a decimal double with std::from_chars.
/// Accepts an optional leading '+'. Rejects trailing junk, hex, "nan" and "inf" (non_finite)
/// and values that overflow or underflow a double (out_of_range). Locale independent.
NumberError parse_double(std::string_view text, double& out) noexcept;
/// Like parse_double but allows "nan", "inf" and "-inf" (any case).
NumberError parse_double_allow_non_finite(std::string_view text, double& out) noexcept;
/// Parses all of `text` as a decimal integer (optional sign).
NumberError parse_int64(std::string_view text, std::int64_t& out) noexcept;
/// True iff parse_double would accept `text`.
bool is_number(std::string_view text) noexcept;

/// Human-readable reason, e.g. "'abc' is not a number".
std::string describe(NumberError error, std::string_view text);

/// Throwing forms: descent::InputError(file, line, field, describe(...)).
double to_double(std::string_view text, const std::string& file, std::size_t line,
                 const std::string& field);
std::int64_t to_int64(std::string_view text, const std::string& file, std::size_t line,
                      const std::string& field);

/// Removes blanks (space, tab, CR, LF, FF, VT) from both ends.
std::string_view trim(std::string_view s) noexcept;

/// Splits on runs of blanks (space, tab, CR). Reuses `out`.
void split_blanks(std::string_view line, std::vector<std::string_view>& out);
/// Splits on every `delimiter` (empty fields kept) and trims each field. Reuses `out`.
void split_on(std::string_view line, char delimiter, std::vector<std::string_view>& out);

/// Iterates over the lines of a text buffer, counting real (1-based) line numbers and
/// stripping "\n" and "\r\n" endings.
class LineReader {
 public:
  explicit LineReader(std::string_view text) noexcept : text_(text) {}
  /// Stores the next line in `line`; false at the end of the text.
  bool next(std::string_view& line) noexcept;
  /// Line number of the line last returned (0 before the first call).
  std::size_t line_number() const noexcept { return line_; }
  /// Bytes not yet returned (after the line last returned).
  std::size_t remaining_bytes() const noexcept { return text_.size() - pos_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
};

}  // namespace descent::io::detail
