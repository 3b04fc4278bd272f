#include "descent/optim/rule.hpp"

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::optim {
namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

[[noreturn]] void unknown(const std::string& rule, std::string_view hp) {
  throw InvalidOption(std::string(hp),
                      "optimizer '" + rule + "' has no hyper-parameter '" + std::string(hp) + "'");
}

// A pointer to the named field, or null.
double* field(UpdateRule::Options& o, std::string_view hp) {
  return std::visit(Overload{
                        [&](SgdOptions& s) -> double* {
                          if (hp == "lr") return &s.lr;
                          if (hp == "momentum") return &s.momentum;
                          if (hp == "dampening") return &s.dampening;
                          if (hp == "weight_decay") return &s.weight_decay;
                          return nullptr;
                        },
                        [&](AdamOptions& s) -> double* {
                          if (hp == "lr") return &s.lr;
                          if (hp == "beta1") return &s.beta1;
                          if (hp == "beta2") return &s.beta2;
                          if (hp == "eps") return &s.eps;
                          if (hp == "weight_decay") return &s.weight_decay;
                          return nullptr;
                        },
                        [&](DiffGradOptions& s) -> double* {
                          if (hp == "lr") return &s.lr;
                          if (hp == "beta1") return &s.beta1;
                          if (hp == "beta2") return &s.beta2;
                          if (hp == "eps") return &s.eps;
                          if (hp == "weight_decay") return &s.weight_decay;
                          return nullptr;
                        },
                        [&](NormalizedMomentumOptions& s) -> double* {
                          if (hp == "lr") return &s.lr;
                          if (hp == "beta") return &s.beta;
                          if (hp == "weight_decay") return &s.weight_decay;
                          if (hp == "eps") return &s.eps;
                          return nullptr;
                        },
                    },
                    o);
}

}  // namespace

UpdateRule::UpdateRule(std::string name, Options options)
    : name_(std::move(name)), options_(std::move(options)) {
  validate();
}

UpdateRule UpdateRule::make(const std::string& name) {
  if (name == "sgd") return {name, SgdOptions{}};
  if (name == "momentum") return {name, SgdOptions{.momentum = 0.9}};
  if (name == "nesterov") return {name, SgdOptions{.momentum = 0.9, .nesterov = true}};
  if (name == "adam") return {name, AdamOptions{}};
  if (name == "adamw") return {name, AdamOptions{.weight_decay = 1e-2, .decoupled = true}};
  if (name == "diffgrad") return {name, DiffGradOptions{}};
  if (name == "diffgrad-legacy") return {name, DiffGradOptions{.legacy_alias_bug = true}};
  if (name.size() == 9 && name.rfind("diffgrad", 0) == 0 && name[8] >= '1' && name[8] <= '5')
    return {name, DiffGradOptions{.dfc = static_cast<Dfc>(name[8] - '0')}};
  if (name == "normalized-momentum") return {name, NormalizedMomentumOptions{}};
  throw InvalidOption("optimizer", "unknown optimizer '" + name + "' (expected one of sgd, " +
                                       "momentum, nesterov, adam, adamw, diffgrad, " +
                                       "diffgrad-legacy, diffgrad1..5, normalized-momentum)");
}

std::vector<std::string> UpdateRule::names() {
  return {"sgd",       "momentum",        "nesterov",           "adam",      "adamw",
          "diffgrad",  "diffgrad-legacy", "diffgrad1",          "diffgrad2", "diffgrad3",
          "diffgrad4", "diffgrad5",       "normalized-momentum"};
}

int UpdateRule::buffers() const noexcept {
  return std::visit(
      Overload{[](const SgdOptions& s) { return s.momentum > 0 ? 1 : 0; },
               [](const AdamOptions&) { return 2; }, [](const DiffGradOptions&) { return 3; },
               [](const NormalizedMomentumOptions&) { return 1; }},
      options_);
}

std::vector<std::string> UpdateRule::hyperparameters() const {
  return std::visit(Overload{[](const SgdOptions&) -> std::vector<std::string> {
                               return {"lr", "momentum", "dampening", "weight_decay"};
                             },
                             [](const AdamOptions&) -> std::vector<std::string> {
                               return {"lr", "beta1", "beta2", "eps", "weight_decay"};
                             },
                             [](const DiffGradOptions&) -> std::vector<std::string> {
                               return {"lr", "beta1", "beta2", "eps", "weight_decay"};
                             },
                             [](const NormalizedMomentumOptions&) -> std::vector<std::string> {
                               return {"lr", "beta", "weight_decay", "eps"};
                             }},
                    options_);
}

double UpdateRule::get(std::string_view hp) const {
  auto copy = options_;
  const double* p = field(copy, hp);
  if (!p) unknown(name_, hp);
  return *p;
}

void UpdateRule::set(std::string_view hp, double value) {
  double* p = field(options_, hp);
  if (!p) unknown(name_, hp);
  const double old = *p;
  *p = value;
  try {
    validate();
  } catch (...) {
    *p = old;
    throw;
  }
}

void UpdateRule::validate() const {
  std::visit([](const auto& o) { o.validate(); }, options_);
}

template <class T>
void UpdateRule::apply(std::int64_t t, std::span<T> x, std::span<const T> g, std::span<T> b0,
                       std::span<T> b1, std::span<T> b2) const {
  std::visit(Overload{[&](const SgdOptions& o) { sgd_step<T>(o, t, x, g, b0); },
                      [&](const AdamOptions& o) { adam_step<T>(o, t, x, g, b0, b1); },
                      [&](const DiffGradOptions& o) { diffgrad_step<T>(o, t, x, g, b0, b1, b2); },
                      [&](const NormalizedMomentumOptions& o) {
                        normalized_momentum_step<T>(o, t, x, g, b0);
                      }},
             options_);
}

template void UpdateRule::apply<float>(std::int64_t, std::span<float>, std::span<const float>,
                                       std::span<float>, std::span<float>, std::span<float>) const;
template void UpdateRule::apply<double>(std::int64_t, std::span<double>, std::span<const double>,
                                        std::span<double>, std::span<double>,
                                        std::span<double>) const;

}  // namespace descent::optim
