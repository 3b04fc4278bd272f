// Oracle interfaces for bilevel problems, shared by LV-HBA, BO-REP/SOBA and BSVRB/RSVRB.
//
// Three shapes, one per family of methods:
//   ConstrainedBilevelProblem  min F(x,y) s.t. y ∈ argmin_{y∈Y} {f(x,y) : g(x,y) ≤ 0}   (LV-HBA)
//   BilevelProblem             min f(x, y*(x)), y*(x) = argmin_y g(x,y), g strongly convex
//                              in y (BO-REP, SOBA)
//   MultiBlockProblem          min (1/m) Σ_i f_i(x, y_i*(x)), y_i*(x) = argmin g_i(x, y_i)
//                              (BSVRB, RSVRB)
// Note the naming: LV-HBA's papers call the upper level F and the lower f; the other two call
// them f and g. Each interface keeps its paper's names.
//
// Stochastic oracles: a problem draws its minibatch/noise in sample(); every oracle call after
// that uses the same sample until the next draw. This gives the "same samples at the old and
// the new point" that STORM and MSVR need, without passing sample handles around.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/rng.hpp"

namespace descent::bilevel {

using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

/// LV-HBA's constrained bilevel problem. The LL constraint g: R^n × R^m -> R^l may couple x, y.
class ConstrainedBilevelProblem {
 public:
  virtual ~ConstrainedBilevelProblem() = default;
  virtual Eigen::Index dim_x() const = 0;
  virtual Eigen::Index dim_y() const = 0;
  /// Number of LL constraints l (0 allowed).
  virtual Eigen::Index num_constraints() const = 0;
  /// True if g = 0 are equalities: the multiplier λ is then free instead of ≥ 0.
  virtual bool equality_constraints() const { return false; }

  /// Upper objective F and its gradients.
  virtual double upper(const Vec& x, const Vec& y) const = 0;
  virtual void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const = 0;
  /// Lower objective f and its gradients.
  virtual double lower(const Vec& x, const Vec& y) const = 0;
  virtual void lower_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const = 0;
  /// Constraint values g(x,y) ∈ R^l.
  virtual Vec constraint(const Vec& x, const Vec& y) const = 0;
  /// Σ_i λ_i ∇g_i(x,y), split into its x and y parts.
  virtual void constraint_vjp(const Vec& x, const Vec& y, const Vec& lambda, Vec& gx,
                              Vec& gy) const = 0;
  /// Euclidean projection of (x, y) onto C = {(x,y) ∈ X×Y : g(x,y) ≤ 0} (in place).
  virtual void project_c(Vec& x, Vec& y) const = 0;
  /// Euclidean projection of θ onto Y (in place); Y = R^m by default.
  virtual void project_y(Vec& /*theta*/) const {}
};

/// BO-REP's bilevel problem: upper f(x,y), lower g(x,y) strongly convex in y.
class BilevelProblem {
 public:
  virtual ~BilevelProblem() = default;
  virtual Eigen::Index dim_x() const = 0;
  virtual Eigen::Index dim_y() const = 0;
  /// Draws the minibatch/noise the following oracle calls use. Deterministic problems: no-op.
  virtual void sample(Rng& /*rng*/) {}

  virtual double upper(const Vec& x, const Vec& y) const = 0;
  /// ∇_x f and ∇_y f.
  virtual void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const = 0;
  /// ∇_y g.
  virtual void lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const = 0;
  /// ∇²_yy g · v.
  virtual void lower_hvp_yy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const = 0;
  /// ∇²_xy g · v (an x-sized vector: the derivative in x of ⟨∇_y g, v⟩).
  virtual void lower_jvp_xy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const = 0;

  /// The exact hypergradient ∇Φ(x), when the problem knows it (toys). Returns false otherwise.
  virtual bool true_hypergradient(const Vec& /*x*/, Vec& /*out*/) const { return false; }
  /// y*(x), when known in closed form. Returns false otherwise.
  virtual bool lower_solution(const Vec& /*x*/, Vec& /*y*/) const { return false; }
};

/// BSVRB's multi-block problem: m blocks, shared x, block variables y_i of equal size.
class MultiBlockProblem {
 public:
  virtual ~MultiBlockProblem() = default;
  virtual std::size_t num_blocks() const = 0;
  virtual Eigen::Index dim_x() const = 0;
  virtual Eigen::Index dim_y() const = 0;  ///< size of each y_i
  /// Draws block i's minibatch of `batch` samples; used until the next draw for block i.
  virtual void sample(std::size_t /*block*/, std::size_t /*batch*/, Rng& /*rng*/) {}

  virtual double upper(std::size_t i, const Vec& x, const Vec& yi) const = 0;
  virtual void upper_grad(std::size_t i, const Vec& x, const Vec& yi, Vec& gx, Vec& gy) const = 0;
  virtual void lower_grad_y(std::size_t i, const Vec& x, const Vec& yi, Vec& gy) const = 0;
  /// Dense ∇²_yy g_i (BSVRB v1, RSVRB: y_i is small).
  virtual void lower_hessian_yy(std::size_t i, const Vec& x, const Vec& yi, Mat& h) const = 0;
  virtual void lower_hvp_yy(std::size_t i, const Vec& x, const Vec& yi, const Vec& v,
                            Vec& out) const = 0;
  /// ∇²_xy g_i · v.
  virtual void lower_jvp_xy(std::size_t i, const Vec& x, const Vec& yi, const Vec& v,
                            Vec& out) const = 0;
  /// x* when known in closed form. Returns false otherwise.
  virtual bool solution(Vec& /*x*/) const { return false; }
};

}  // namespace descent::bilevel
