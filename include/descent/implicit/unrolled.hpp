// The unrolled-differentiation baseline: forward-mode differentiation through the iterations
//   x_{k+1} = x_k + α F(x_k, θ),   J_{k+1} = J_k + α (∂₁F J_k + ∂₂F)
// (α = 1 for a fixed-point residual F = T − x; α = −η for gradient descent on F = ∇f). This is
// what unrolling computes (jaxopt's implicit_diff=False), in forward mode, which costs one JVP
// per hyper-parameter direction per iteration and no memory for the trajectory.
#pragma once

#include <cstddef>
#include <functional>

#include "descent/core/status.hpp"
#include "descent/implicit/root.hpp"

namespace descent::implicit {

struct UnrolledOptions {
  double alpha = 1.0;            ///< step multiplier α, default 1 (fixed-point maps)
  std::size_t iterations = 100;  ///< default 100
  double tolerance = 0.0;        ///< stop early when ||F|| <= tolerance, default 0 (never)
  void validate() const;
};

struct UnrolledResult {
  Vec x;
  Mat tangents;  ///< ∂x_K/∂θ · T for the seed directions T (dim_x × columns of T)
  Summary summary;
};

/// Runs the iteration from x0 with tangents seeded by `directions` (dim_theta × c; identity
/// for the full Jacobian). `observer(k, x_k, J_k)` is called after each iteration when set.
/// Needs jvp_x (or the FD fallback) and jvp_theta.
UnrolledResult unrolled(
    const Optimality& f, const Vec& x0, const Vec& theta, const Mat& directions,
    const UnrolledOptions& options = {},
    const std::function<void(std::size_t, const Vec&, const Mat&)>& observer = {});

}  // namespace descent::implicit
