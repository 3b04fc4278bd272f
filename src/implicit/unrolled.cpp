// Forward-mode unrolled differentiation through x ← x + αF(x, θ).
#include "descent/implicit/unrolled.hpp"

#include <chrono>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::implicit {

void UnrolledOptions::validate() const {
  check::finite("alpha", alpha);
  check::require(alpha != 0.0, "alpha", "must be non-zero");
  check::non_negative("tolerance", tolerance);
}

UnrolledResult unrolled(const Optimality& f, const Vec& x0, const Vec& theta, const Mat& dirs,
                        const UnrolledOptions& o,
                        const std::function<void(std::size_t, const Vec&, const Mat&)>& observer) {
  o.validate();
  f.validate();
  if (!f.jvp_theta) throw Error("unrolled: the optimality function has no jvp_theta");
  if (x0.size() != f.dim_x || theta.size() != f.dim_theta || dirs.rows() != f.dim_theta)
    throw Error("unrolled: x0, theta or directions have the wrong size");
  const auto t0 = std::chrono::steady_clock::now();
  UnrolledResult r;
  r.x = x0;
  r.tangents = Mat::Zero(f.dim_x, dirs.cols());
  r.summary.method = "unrolled";
  r.summary.status = Status::max_iterations;
  for (std::size_t k = 0; k < o.iterations; ++k) {
    const Vec fx = f.value(r.x, theta);
    r.summary.gradient_norm = fx.norm();
    if (!fx.allFinite()) {
      r.summary.status = Status::diverged;
      r.summary.message = "non-finite F";
      break;
    }
    if (o.tolerance > 0 && r.summary.gradient_norm <= o.tolerance) {
      r.summary.status = Status::converged;
      break;
    }
    const LinearOperator a = f.jacobian_x(r.x, theta);
    for (Eigen::Index c = 0; c < dirs.cols(); ++c) {
      const Vec jc = r.tangents.col(c);
      r.tangents.col(c) = jc + o.alpha * (a(jc) + f.jvp_theta(r.x, theta, dirs.col(c)));
    }
    r.x += o.alpha * fx;
    ++r.summary.iterations;
    if (!r.x.allFinite() || !r.tangents.allFinite()) {
      r.summary.status = Status::diverged;
      r.summary.message = "non-finite iterate or tangent";
      break;
    }
    if (observer) observer(r.summary.iterations, r.x, r.tangents);
  }
  r.summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace descent::implicit
