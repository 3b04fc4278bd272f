// Numerics shared by the families: overflow-safe logistic functions and the Euclidean-ball
// projection. One definition, so that every loss, problem and clipping rule rounds the same way.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

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

/// Projects v onto the Euclidean ball of radius `radius` about 0, in place: v *= radius / ||v||
/// when ||v|| > radius (radius 0 gives 0; an infinite radius changes nothing). A non-finite
/// norm leaves v as it is (the caller's divergence check sees it). Returns ||v|| before, summed
/// in order in double precision. One definition for gradient clipping (optim), DP clipping
/// (privacy) and the ball constraints of the bilevel methods.
template <class T>
double project_to_ball(std::span<T> v, double radius) noexcept {
  double sq = 0.0;
  for (const T x : v) sq += double(x) * double(x);
  const double norm = std::sqrt(sq);
  if (std::isfinite(norm) && norm > radius) {
    const T s = T(radius / norm);
    for (T& x : v) x *= s;
  }
  return norm;
}

}  // namespace descent
