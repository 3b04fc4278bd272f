#include "descent/curvature/lanczos.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>

#include "descent/core/krylov.hpp"
#include "descent/core/options.hpp"
#include "descent/core/rng.hpp"

namespace descent::curvature {

void LanczosOptions::validate() const {
  check::at_least("steps", static_cast<long long>(steps), 1);
  check::non_negative("breakdown_tolerance", breakdown_tolerance);
}

namespace {

std::span<const double> view(const Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

LanczosResult diverged(std::size_t steps) {
  LanczosResult r;
  r.status = Status::diverged;
  r.steps = steps;
  r.ritz_values = Eigen::VectorXd::Constant(1, std::numeric_limits<double>::quiet_NaN());
  r.weights = Eigen::VectorXd::Ones(1);
  r.residuals = r.ritz_values;
  return r;
}

}  // namespace

LanczosResult lanczos(const SymmetricOperator& a, const LanczosOptions& options,
                      const std::optional<Eigen::VectorXd>& start) {
  options.validate();
  const Eigen::Index n = a.dim;
  check::require(n > 0, "dim", "operator dimension must be positive");
  const Eigen::Index m = std::min<Eigen::Index>(static_cast<Eigen::Index>(options.steps), n);

  Eigen::VectorXd q;
  if (start) {
    check::require(start->size() == n, "start", "size must equal the operator dimension");
    q = *start;
  } else {
    Rng rng = make_rng(options.seed, {0x1a4c205ULL});
    q = rademacher_vector(rng, n);
  }
  const double qn = q.norm();
  check::require(std::isfinite(qn) && qn > 0, "start", "must be a finite non-zero vector");
  q /= qn;

  krylov::LanczosControl control;
  control.reorthogonalize = options.full_reorthogonalization;
  control.keep_basis = options.ritz_vectors;
  control.breakdown_tolerance = options.breakdown_tolerance;
  const krylov::Tridiagonal t = krylov::lanczos(
      [&](const Eigen::VectorXd& v, Eigen::VectorXd& w) {
        a.apply(view(v), {w.data(), std::size_t(n)});
      },
      std::move(q), static_cast<std::size_t>(m), control, krylov::RunAllSteps{});
  if (!t.finite) return diverged(t.steps());
  const auto k = static_cast<Eigen::Index>(t.steps());
  const double last_beta = t.last_beta;

  LanczosResult r;
  r.steps = t.steps();
  r.alpha = Eigen::Map<const Eigen::VectorXd>(t.alpha.data(), k);
  r.beta = t.beta.empty()
               ? Eigen::VectorXd()
               : Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(t.beta.data(), k - 1));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
  es.computeFromTridiagonal(r.alpha, r.beta, Eigen::ComputeEigenvectors);
  if (es.info() != Eigen::Success) return diverged(r.steps);
  const Eigen::MatrixXd& y = es.eigenvectors();
  r.ritz_values = es.eigenvalues();
  r.weights = y.row(0).transpose().array().square();
  r.residuals = (last_beta * y.row(k - 1).transpose()).cwiseAbs();
  if (options.ritz_vectors) r.ritz_vectors = t.basis.leftCols(k) * y;
  r.status = Status::converged;
  return r;
}

}  // namespace descent::curvature
