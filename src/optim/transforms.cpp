#include "descent/optim/transforms.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"
#include "descent/core/options.hpp"

namespace descent::optim {

template <class T>
void add_weight_decay(std::span<T> g, std::span<const T> x, double weight_decay) {
  if (g.size() != x.size()) throw Error("add_weight_decay: g and x differ in length");
  const T wd = T(weight_decay);
  for (std::size_t i = 0; i < g.size(); ++i) g[i] += wd * x[i];
}

template <class T>
double clip_by_norm(std::span<T> g, double max_norm) {
  check::positive("clip_norm", max_norm);
  return project_to_ball(g, max_norm);
}

template <class T>
void clip_by_value(std::span<T> g, double max_value) {
  check::positive("clip_value", max_value);
  const T c = T(max_value);
  for (T& v : g) v = std::clamp(v, -c, c);
}

template void add_weight_decay<float>(std::span<float>, std::span<const float>, double);
template void add_weight_decay<double>(std::span<double>, std::span<const double>, double);
template double clip_by_norm<float>(std::span<float>, double);
template double clip_by_norm<double>(std::span<double>, double);
template void clip_by_value<float>(std::span<float>, double);
template void clip_by_value<double>(std::span<double>, double);

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

double number(const std::string& text, const std::string& spec) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw InvalidOption("schedule", "'" + spec + "': '" + text + "' is not a number");
}

}  // namespace

Schedule Schedule::parse(const std::string& spec) {
  Schedule s;
  s.spec_ = spec.empty() ? "constant" : spec;
  for (const std::string& piece : split(s.spec_, '+')) {
    const auto f = split(piece, ':');
    if (f.empty()) throw InvalidOption("schedule", "'" + spec + "' has an empty part");
    Part p;
    const std::string& kind = f[0];
    auto need = [&](std::size_t lo, std::size_t hi) {
      if (f.size() < lo || f.size() > hi)
        throw InvalidOption("schedule",
                            "'" + piece + "': wrong number of ':' fields (see " + "docs/optim.md)");
    };
    if (kind == "constant") {
      need(1, 1);
      p.kind = Part::constant;
    } else if (kind == "step") {
      need(3, 3);
      p.kind = Part::step;
      p.a = number(f[1], spec);
      p.b = number(f[2], spec);
      check::require(p.a >= 1, "schedule", "step size must be >= 1 in '" + piece + "'");
      check::require(p.b > 0, "schedule", "gamma must be > 0 in '" + piece + "'");
    } else if (kind == "multistep") {
      need(3, 3);
      p.kind = Part::multistep;
      for (const auto& m : split(f[1], ',')) p.milestones.push_back(number(m, spec));
      p.b = number(f[2], spec);
      check::require(p.b > 0, "schedule", "gamma must be > 0 in '" + piece + "'");
    } else if (kind == "cosine") {
      need(2, 3);
      p.kind = Part::cosine;
      p.a = number(f[1], spec);
      p.b = f.size() == 3 ? number(f[2], spec) : 0.0;
      check::require(p.a >= 1, "schedule", "cosine length must be >= 1 in '" + piece + "'");
      check::require(p.b >= 0 && p.b <= 1, "schedule", "min factor must lie in [0, 1]");
    } else if (kind == "warmup") {
      need(2, 2);
      p.kind = Part::warmup;
      p.a = number(f[1], spec);
      check::require(p.a >= 1, "schedule", "warm-up length must be >= 1 in '" + piece + "'");
    } else {
      throw InvalidOption("schedule", "unknown schedule '" + kind +
                                          "' (expected constant, step, multistep, cosine, warmup)");
    }
    s.parts_.push_back(p);
  }
  return s;
}

double Schedule::factor(std::int64_t step) const {
  const double t = static_cast<double>(std::max<std::int64_t>(step, 1));
  double f = 1.0;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::constant:
        break;
      case Part::step:
        f *= std::pow(p.b, std::floor((t - 1) / p.a));
        break;
      case Part::multistep: {
        int k = 0;
        for (double m : p.milestones) k += m < t ? 1 : 0;
        f *= std::pow(p.b, k);
        break;
      }
      case Part::cosine: {
        const double u = std::min(t - 1, p.a) / p.a;
        f *= p.b + (1 - p.b) * 0.5 * (1 + std::cos(std::numbers::pi * u));
        break;
      }
      case Part::warmup:
        f *= std::min(1.0, t / p.a);
        break;
    }
  }
  return f;
}

ReduceOnPlateau::ReduceOnPlateau(double factor, int patience, double threshold, double min_factor)
    : factor_(factor), threshold_(threshold), min_factor_(min_factor), patience_(patience) {
  check::in_half_open("factor", factor, 0.0, 1.0);
  check::at_least("patience", patience, 0);
  check::non_negative("threshold", threshold);
  check::non_negative("min_factor", min_factor);
}

double ReduceOnPlateau::observe(double metric) {
  if (metric < best_ * (1 - threshold_) || !std::isfinite(best_)) {
    best_ = metric;
    bad_ = 0;
  } else if (++bad_ > patience_) {
    multiplier_ = std::max(min_factor_, multiplier_ * factor_);
    bad_ = 0;
  }
  return multiplier_;
}

}  // namespace descent::optim
