// Scalar numerics shared by the families: overflow-safe logistic functions. One definition,
// so that every loss and problem rounds the same way.
#pragma once

#include <algorithm>
#include <cmath>

namespace descent {

/// 1 / (1 + e^{-t}). Safe as written in IEEE arithmetic: for t << 0, e^{-t} overflows to inf
/// and the result is 0; relative error about 1 ulp everywhere. (The two-branch form
/// e^t / (1 + e^t) for t < 0 rounds differently; one formula keeps every family's numbers, and
/// the reproductions', identical.)
inline double sigmoid(double t) {
  return 1.0 / (1.0 + std::exp(-t));
}

/// log(1 + e^t) without overflow.
inline double softplus(double t) {
  return std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t)));
}

}  // namespace descent
