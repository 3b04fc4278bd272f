#include "descent/curvature/lanczos.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Eigenvalues>

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

  Eigen::MatrixXd basis(n, m);
  std::vector<double> alpha, beta;
  Eigen::VectorXd w(n);
  double last_beta = 0;
  Eigen::Index k = 0;
  for (; k < m; ++k) {
    basis.col(k) = q;
    a.apply(view(q), {w.data(), static_cast<std::size_t>(n)});
    if (!w.allFinite()) return diverged(static_cast<std::size_t>(k + 1));
    const double ak = q.dot(w);
    alpha.push_back(ak);
    w -= ak * q;
    if (k > 0) w -= beta.back() * basis.col(k - 1);
    if (options.full_reorthogonalization) {
      // Classical Gram–Schmidt twice against the whole basis keeps Q orthonormal to rounding.
      for (int pass = 0; pass < 2; ++pass) {
        const auto qk = basis.leftCols(k + 1);
        w -= qk * (qk.transpose() * w);
      }
    }
    const double bk = w.norm();
    last_beta = bk;
    double scale = 0;
    for (double x : alpha) scale = std::max(scale, std::abs(x));
    for (double x : beta) scale = std::max(scale, std::abs(x));
    if (k + 1 == m || bk <= options.breakdown_tolerance * std::max(scale, 1e-300)) {
      ++k;
      break;
    }
    beta.push_back(bk);
    q = w / bk;
  }

  LanczosResult r;
  r.steps = static_cast<std::size_t>(k);
  r.alpha = Eigen::Map<const Eigen::VectorXd>(alpha.data(), k);
  r.beta = beta.empty() ? Eigen::VectorXd()
                        : Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(beta.data(), k - 1));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
  es.computeFromTridiagonal(r.alpha, r.beta, Eigen::ComputeEigenvectors);
  if (es.info() != Eigen::Success) return diverged(r.steps);
  const Eigen::MatrixXd& y = es.eigenvectors();
  r.ritz_values = es.eigenvalues();
  r.weights = y.row(0).transpose().array().square();
  r.residuals = (last_beta * y.row(k - 1).transpose()).cwiseAbs();
  if (options.ritz_vectors) r.ritz_vectors = basis.leftCols(k) * y;
  r.status = Status::converged;
  return r;
}

}  // namespace descent::curvature
