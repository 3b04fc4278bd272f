#include "sparse_newton.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "descent/core/krylov.hpp"

namespace descent::ot::detail {

namespace {
constexpr int kKeyShift = 49;  // 64 - 49 = 15 bits, the sign bit is 0: 2^14 buckets
constexpr std::size_t kBuckets = std::size_t{1} << 14;

inline std::uint64_t key(double v) {
  return std::bit_cast<std::uint64_t>(v) >> kKeyShift;
}
}  // namespace

void top_k(const double* P, std::size_t n, std::size_t m, std::size_t keep, const double* row_scale,
           const double* col_scale, SparseRows& out, TopKScratch& scratch) {
  const std::size_t total = n * m;
  keep = std::min(keep, total);
  auto& hist = scratch.histogram;
  auto& cand = scratch.candidates;
  cand.clear();
  auto rank = [&](std::size_t i, std::size_t j) {
    double v = P[i * m + j];
    if (row_scale) v *= row_scale[i] * col_scale[j];
    return v;
  };
  if (keep == total) {
    cand.resize(total);
    for (std::size_t k = 0; k < total; ++k) cand[k] = {0.0, k};
  } else if (keep > 0) {
    hist.assign(kBuckets, 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < m; ++j) ++hist[key(rank(i, j))];
    // The bucket where the count from the top reaches `keep`.
    std::size_t above = 0, bucket = kBuckets;
    while (bucket > 0 && above + hist[bucket - 1] < keep) above += hist[--bucket];
    const std::uint64_t threshold = bucket > 0 ? bucket - 1 : 0;
    cand.reserve(above + (bucket > 0 ? hist[bucket - 1] : 0));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < m; ++j) {
        const double v = rank(i, j);
        if (key(v) >= threshold) cand.emplace_back(v, i * m + j);
      }
    if (cand.size() > keep) {
      // Larger value first; equal values by position.
      auto before = [](const auto& u, const auto& v) {
        return u.first != v.first ? u.first > v.first : u.second < v.second;
      };
      std::nth_element(cand.begin(), cand.begin() + std::ptrdiff_t(keep), cand.end(), before);
      cand.resize(keep);
    }
    std::sort(cand.begin(), cand.end(),
              [](const auto& u, const auto& v) { return u.second < v.second; });
  }
  out.start.assign(n + 1, 0);
  out.col.resize(cand.size());
  out.val.resize(cand.size());
  for (std::size_t t = 0; t < cand.size(); ++t) {
    const std::size_t idx = cand[t].second, i = idx / m, j = idx % m;
    ++out.start[i + 1];
    out.col[t] = static_cast<std::uint32_t>(j);
    out.val[t] = P[idx];
  }
  for (std::size_t i = 0; i < n; ++i) out.start[i + 1] += out.start[i];
}

CgOutcome solve_newton_system(const SparseRows& S, const Eigen::VectorXd& d1,
                              const Eigen::VectorXd& d2, const Eigen::VectorXd& g,
                              std::size_t gauge, bool jacobi, double tolerance,
                              std::size_t max_iterations, Eigen::VectorXd& z) {
  const Eigen::Index n = d1.size(), m = d2.size(), fixed = n + Eigen::Index(gauge);
  // [diag(d1) S; Sᵀ diag(d2)] with the gauge row and column fixed to zero, as a Krylov operator.
  auto apply = [&](const double* v, double* out) {
    for (Eigen::Index i = 0; i < n; ++i) out[i] = d1[i] * v[i];
    for (Eigen::Index j = 0; j < m; ++j) out[n + j] = d2[j] * v[n + j];
    for (Eigen::Index i = 0; i < n; ++i) {
      double acc = 0.0;
      const double vi = v[i];
      for (std::size_t k = S.start[std::size_t(i)]; k < S.start[std::size_t(i) + 1]; ++k) {
        const Eigen::Index j = n + Eigen::Index(S.col[k]);
        acc += S.val[k] * v[j];
        out[j] += S.val[k] * vi;
      }
      out[i] += acc;
    }
    out[fixed] = 0.0;
  };
  auto op = krylov::product(n + m, apply);
  // Jacobi (the diagonal; 1 where it is not positive) or none; 0 on the gauge.
  struct Diagonal {
    Eigen::VectorXd inv;
    double apply_dot(const double* r, double* y) const noexcept {
      double s = 0.0;
      for (Eigen::Index i = 0; i < inv.size(); ++i) {
        y[i] = inv[i] * r[i];
        s += r[i] * y[i];
      }
      return s;
    }
  } precond{Eigen::VectorXd(n + m)};
  for (Eigen::Index i = 0; i < n + m; ++i) {
    const double d = i < n ? d1[i] : d2[i - n];
    precond.inv[i] = jacobi && d > 0 && std::isfinite(d) ? 1.0 / d : 1.0;
  }
  precond.inv[fixed] = 0.0;

  CgOutcome out;
  z.setZero(n + m);
  Eigen::VectorXd rhs = g;
  rhs[fixed] = 0.0;
  const double bnorm = rhs.norm();
  if (!(bnorm > 0)) {
    out.converged = std::isfinite(bnorm);
    return out;
  }
  krylov::CgControl control;
  control.threshold = tolerance * bnorm;
  control.max_iterations = max_iterations;
  control.verify_residual = false;  // an inexact Newton step: the recursive residual suffices
  control.zero_start = true;
  krylov::CgWorkspace work;
  const krylov::CgOutcome r = krylov::conjugate_gradient(
      op, precond, rhs.data(), z.data(), n + m, control,
      [](std::size_t, double, double) { return false; }, work);
  out.iterations = r.iterations;
  out.relative_residual = r.residual / bnorm;
  out.converged = r.status == Status::converged;
  return out;
}

}  // namespace descent::ot::detail
