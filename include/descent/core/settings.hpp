// Options by name: "key=value" settings read into a method's Options struct through the list of
// its fields, so that the CLI, the method registries and the contract test set any option
// without copying a default, and help text shows the defaults the library really uses.
//
// An Options struct lists its fields once, as a member template:
//
//   template <class Fields> void fields(Fields& f) {
//     f("eta", eta, "inverse regularisation (> 0)");
//     f.choice("rank", rank, {{"magnitude", SparsityRank::magnitude}, {"scaled", ...}}, "...");
//   }
//
// OptionFields reads Settings into the fields (unknown keys are an error naming the method and
// the keys it knows) or, on a default-constructed struct, collects the defaults as OptionDocs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/settings.hpp"

namespace descent {

// Seeds (std::uint64_t) bind through the std::size_t overload.
static_assert(std::is_same_v<std::uint64_t, std::size_t>);

/// Ordered key -> value strings; a later set() of the same key wins.
class Settings {
 public:
  Settings() = default;
  Settings(std::initializer_list<std::pair<const std::string, std::string>> items);
  /// "key=value,key=value" (items also separated by ';' or white space); throws
  /// descent::InvalidOption naming the malformed item.
  static Settings parse(std::string_view text);

  Settings& set(std::string key, std::string value);
  Settings& set(std::string key, double value);
  /// Adds every item of `other` (other's values win).
  Settings& merge(const Settings& other);
  /// The value of `key`, or nullptr.
  const std::string* find(std::string_view key) const;
  bool empty() const noexcept { return items_.empty(); }
  const std::map<std::string, std::string, std::less<>>& items() const noexcept { return items_; }
  /// "key=value,..." (parse() reads it back).
  std::string str() const;

 private:
  std::map<std::string, std::string, std::less<>> items_;
};

/// One option of a method: its key, its default as text, and what it does.
struct OptionDoc {
  std::string key, default_value, help;
};

/// Binds Options fields by name (see the top of this file).
class OptionFields {
 public:
  /// Collects the bound fields' current values as docs.
  OptionFields() = default;
  /// Reads `settings` into the bound fields.
  explicit OptionFields(const Settings& settings) : settings_(&settings) {}

  OptionFields& operator()(std::string_view key, double& field, std::string_view help);
  OptionFields& operator()(std::string_view key, int& field, std::string_view help);
  OptionFields& operator()(std::string_view key, std::size_t& field, std::string_view help);
  OptionFields& operator()(std::string_view key, bool& field, std::string_view help);
  OptionFields& operator()(std::string_view key, std::string& field, std::string_view help);
  /// An optional number: "auto" (the default when unset) leaves it unset, e.g. a noise
  /// multiplier calibrated from the privacy budget.
  OptionFields& operator()(std::string_view key, std::optional<double>& field,
                           std::string_view help);

  /// An enumerated field spelled by name.
  template <class E>
  OptionFields& choice(std::string_view key, E& field,
                       std::initializer_list<std::pair<std::string_view, E>> names,
                       std::string_view help) {
    std::vector<std::string> spelled;
    std::string current;
    for (const auto& [name, value] : names) {
      spelled.emplace_back(name);
      if (value == field) current = name;
    }
    if (const std::string* text = take(key)) {
      std::size_t i = 0;
      for (const auto& [name, value] : names) {
        if (name == *text) {
          field = value;
          return *this;
        }
        ++i;
      }
      throw InvalidOption(std::string(key),
                          "unknown value '" + *text + "' (expected " + join(spelled, " | ") + ")");
    }
    document(key, current, std::string(help) + " (" + join(spelled, " | ") + ")");
    return *this;
  }

  /// Throws descent::InvalidOption for a setting no field took, naming `method` and the known
  /// keys (reading mode only).
  void finish(std::string_view method) const;
  /// The bound fields with their values when bound (documentation mode).
  const std::vector<OptionDoc>& docs() const noexcept { return docs_; }

 private:
  const std::string* take(std::string_view key);
  void document(std::string_view key, std::string value, std::string_view help);
  static std::string join(const std::vector<std::string>& items, std::string_view sep);

  const Settings* settings_ = nullptr;
  std::set<std::string, std::less<>> taken_;
  std::vector<std::string> known_;
  std::vector<OptionDoc> docs_;
};

/// The keys every loop recorded through descent::Run shares, in one place: max_iterations,
/// record_history and (when the loop has a stride) history_stride.
template <class Fields>
void run_fields(Fields& f, std::size_t& max_iterations, bool& record_history,
                std::size_t* history_stride = nullptr) {
  f("max_iterations", max_iterations, "cap on iterations");
  f("record_history", record_history, "keep a history row per iteration");
  if (history_stride)
    f("history_stride", *history_stride, "keep every k-th row (the last is always kept)");
}

/// A default-constructed Options' fields as docs: the defaults the library uses.
template <class Options>
std::vector<OptionDoc> option_docs() {
  Options o;
  OptionFields f;
  o.fields(f);
  return f.docs();
}

/// The same for a method whose defaults differ from the struct's (heavy-ball's momentum, SOBA's
/// steps), as the function a registry entry keeps.
template <class Options>
std::function<std::vector<OptionDoc>()> option_docs_of(Options base) {
  return [base] {
    Options o = base;
    OptionFields f;
    o.fields(f);
    return f.docs();
  };
}

/// `base` (default: a default-constructed Options) with `settings` applied; unknown keys throw
/// descent::InvalidOption naming `method`. Values are checked later by the method's validate().
template <class Options>
Options options_from(const Settings& settings, std::string_view method, Options base = {}) {
  OptionFields f(settings);
  base.fields(f);
  f.finish(method);
  return base;
}

}  // namespace descent
