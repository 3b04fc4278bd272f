// UpdateRule: one of the span kernels (kernels.hpp) plus its options, chosen by name at run time,
// with hyper-parameters readable and settable by name (schedules and policies use set("lr", ...)).
//
//   auto rule = optim::UpdateRule::make("diffgrad");   // defaults from DiffGradOptions
//   rule.set("lr", 0.1);  rule.set("beta1", 0.95);
//   rule.step<double>(t, x, g, state);                 // state: rule.buffers() vectors
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "descent/optim/kernels.hpp"

namespace descent::optim {

/// Per-parameter-vector state of a rule: step count and up to three buffers (zeros at start).
template <class T>
struct RuleState {
  std::int64_t step = 0;
  std::vector<std::vector<T>> buffers;
};

class UpdateRule {
 public:
  using Options = std::variant<SgdOptions, AdamOptions, DiffGradOptions, NormalizedMomentumOptions>;

  /// Names: sgd, momentum (heavy ball 0.9), nesterov, adam, adamw (weight_decay 1e-2),
  /// diffgrad, diffgrad-legacy (legacy_alias_bug = true), diffgrad1..diffgrad5 (DFC variants),
  /// normalized-momentum. Throws descent::InvalidOption (field "optimizer") for others.
  static UpdateRule make(const std::string& name);
  static std::vector<std::string> names();

  UpdateRule(std::string name, Options options);

  const std::string& name() const noexcept { return name_; }
  const Options& options() const noexcept { return options_; }
  Options& options() noexcept { return options_; }
  /// State buffers per parameter (0 for plain SGD, 3 for diffGrad).
  int buffers() const noexcept;
  /// Hyper-parameter names this rule has (lr first).
  std::vector<std::string> hyperparameters() const;
  /// Throws descent::InvalidOption for a name the rule does not have (or an invalid value).
  double get(std::string_view hp) const;
  void set(std::string_view hp, double value);
  void validate() const;

  /// Allocates zeroed state for n parameters.
  template <class T>
  RuleState<T> init(std::size_t n) const {
    RuleState<T> s;
    s.buffers.assign(static_cast<std::size_t>(buffers()), std::vector<T>(n, T(0)));
    return s;
  }
  /// One step: increments state.step and calls the kernel.
  template <class T>
  void step(std::span<T> x, std::span<const T> g, RuleState<T>& state) const {
    ++state.step;
    std::span<T> b[3];
    for (std::size_t i = 0; i < state.buffers.size() && i < 3; ++i) b[i] = state.buffers[i];
    apply<T>(state.step, x, g, b[0], b[1], b[2]);
  }
  /// The kernel call on caller-owned buffers (the torch front end passes tensor memory).
  template <class T>
  void apply(std::int64_t t, std::span<T> x, std::span<const T> g, std::span<T> b0, std::span<T> b1,
             std::span<T> b2) const;

 private:
  std::string name_;
  Options options_;
};

}  // namespace descent::optim
