// Method registries: each family lists its methods once, by name, with what they are, the
// options they take (defaults read from the Options structs) and how to run them. The CLI maps
// flags onto a registry, the contract test runs every registered method, and a method added to
// a registry is reachable from both without another line.
//
//   const MethodRegistry<ot::Solver>& reg = ot::solvers();
//   const auto& m = reg.at("sns");            // descent::InvalidOption lists the known names
//   for (const OptionDoc& d : m.options()) ...
//   ot::Result r = m.run(problem, Settings::parse("eta=800,tolerance=1e-9"), callbacks);
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/settings.hpp"

namespace descent {

/// What a method is, for listings and help.
struct MethodInfo {
  std::string name;     ///< the key users type ("sns", "pcg-ic")
  std::string family;   ///< the library family ("ot", "linalg")
  std::string paper;    ///< the citation, or "" for a classical baseline
  std::string summary;  ///< one line
  /// Runs an iteration loop through descent::Run (history, callbacks, stop, divergence); false
  /// for direct methods (exact OT), which the contract test leaves out.
  bool iterative = true;
};

template <class Runner>
class MethodRegistry {
 public:
  struct Method {
    MethodInfo info;
    std::function<std::vector<OptionDoc>()> options;  ///< keys, defaults and help
    Runner run;
  };

  explicit MethodRegistry(std::string family) : family_(std::move(family)) {}

  MethodRegistry& add(MethodInfo info, std::function<std::vector<OptionDoc>()> options,
                      Runner run) {
    if (info.family.empty()) info.family = family_;
    methods_.push_back({std::move(info), std::move(options), std::move(run)});
    return *this;
  }

  const Method* find(std::string_view name) const noexcept {
    for (const Method& m : methods_)
      if (m.info.name == name) return &m;
    return nullptr;
  }
  /// Throws descent::InvalidOption("method") naming the family and the known methods.
  const Method& at(std::string_view name) const {
    if (const Method* m = find(name)) return *m;
    throw InvalidOption("method", "unknown " + family_ + " method '" + std::string(name) +
                                      "' (known: " + joined_names(", ") + ")");
  }
  bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Method& m : methods_) out.push_back(m.info.name);
    return out;
  }
  /// The names joined by `sep` ("sinkhorn | sns | exact" for help text).
  std::string joined_names(std::string_view sep = " | ") const {
    std::string out;
    for (const Method& m : methods_) out += (out.empty() ? "" : std::string(sep)) + m.info.name;
    return out;
  }
  const std::vector<Method>& methods() const noexcept { return methods_; }
  const std::string& family() const noexcept { return family_; }

 private:
  std::string family_;
  std::vector<Method> methods_;
};

}  // namespace descent
