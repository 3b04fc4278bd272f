// Error types shared by every family.
//
// descent separates two kinds of failure (see docs/architecture.md):
//  - misuse (invalid options, wrong shapes, unreadable or malformed files) is an exception
//    derived from descent::Error;
//  - algorithmic failure (divergence, stalling, iteration caps) is a Status in a Summary.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace descent {

/// Misuse of the library: invalid options, inconsistent shapes, unusable input.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An option that fails validation; the message names the field.
class InvalidOption : public Error {
 public:
  InvalidOption(std::string field, const std::string& message)
      : Error("invalid option '" + field + "': " + message),
        field_(std::move(field)),
        reason_(message) {}
  const std::string& field() const noexcept { return field_; }
  /// The message without the field: "must be > 0, got -1".
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string field_, reason_;
};

/// Malformed input data. The message reads "FILE:LINE: field 'FIELD': WHY" so that a user can
/// open the file at the right place. `line` is 0 when the input has no lines (binary formats);
/// then the message gives the byte offset inside WHY instead.
class InputError : public Error {
 public:
  InputError(std::string file, std::size_t line, std::string field, const std::string& why)
      : Error(format(file, line, field, why)),
        file_(std::move(file)),
        line_(line),
        field_(std::move(field)) {}

  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  const std::string& field() const noexcept { return field_; }

 private:
  static std::string format(const std::string& file, std::size_t line, const std::string& field,
                            const std::string& why) {
    // Built with append(): GCC 12 warns falsely (-Wrestrict) on chained operator+ here.
    std::string s;
    s.reserve(file.size() + field.size() + why.size() + 32);
    s.append(file);
    if (line > 0) s.append(":").append(std::to_string(line));
    s.append(": ");
    if (!field.empty()) s.append("field '").append(field).append("': ");
    s.append(why);
    return s;
  }
  std::string file_;
  std::size_t line_;
  std::string field_;
};

}  // namespace descent
