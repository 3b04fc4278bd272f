// Composable gradient transforms and learning-rate schedules, shared by the Eigen and torch
// front ends. Transforms act on a gradient span before the update rule; a schedule maps the step
// number to a multiplier of the base learning rate.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace descent::optim {

/// g += weight_decay * x (L2 regularisation as a transform, for rules without their own).
template <class T>
void add_weight_decay(std::span<T> g, std::span<const T> x, double weight_decay);

/// Scales g so that |g|_2 <= max_norm; returns the norm before clipping (non-finite when g is).
template <class T>
double clip_by_norm(std::span<T> g, double max_norm);

/// Clamps every entry of g into [-max_value, max_value].
template <class T>
void clip_by_value(std::span<T> g, double max_value);

/// Learning-rate multiplier as a function of the (1-based) step. Specs, combinable with '+'
/// (the factors multiply):
///   constant                 1
///   step:S:G                 G^floor((t-1)/S)                (StepLR every S steps, gamma G)
///   multistep:A,B,..:G       G^(number of milestones < t)
///   cosine:T[:M]             M + (1-M)(1+cos(pi*min(t-1,T)/T))/2   (min factor M, default 0)
///   warmup:W                 min(1, t/W)                     (linear warm-up over W steps)
/// e.g. "warmup:100+cosine:5000". Reduce-on-plateau depends on measured losses, so it is a
/// separate stateful object (ReduceOnPlateau).
class Schedule {
 public:
  Schedule() = default;  ///< constant
  /// Throws descent::InvalidOption (field "schedule") for a malformed spec.
  static Schedule parse(const std::string& spec);
  double factor(std::int64_t step) const;
  const std::string& spec() const noexcept { return spec_; }

 private:
  struct Part {
    enum Kind { constant, step, multistep, cosine, warmup } kind = constant;
    double a = 0, b = 0;
    std::vector<double> milestones;
  };
  std::string spec_ = "constant";
  std::vector<Part> parts_;
};

/// Multiplies the learning rate by `factor` when the observed metric has not improved by more
/// than `threshold` (relative) for `patience` observations (torch.optim.lr_scheduler semantics,
/// mode "min", threshold_mode "rel", cooldown 0).
class ReduceOnPlateau {
 public:
  explicit ReduceOnPlateau(double factor = 0.1, int patience = 10, double threshold = 1e-4,
                           double min_factor = 0.0);
  /// Records one metric value; returns the current multiplier of the base learning rate.
  double observe(double metric);
  double multiplier() const noexcept { return multiplier_; }

 private:
  double factor_, threshold_, min_factor_;
  int patience_, bad_ = 0;
  double best_ = std::numeric_limits<double>::infinity();
  double multiplier_ = 1.0;
};

}  // namespace descent::optim
