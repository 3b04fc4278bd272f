// Test problems for the bilevel methods, shared by the tests, `descent bilevel` and the
// reproductions lv-hba, bo-rep and bsvrb (spec §1.3, §1.5, §3.5, §4.5).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "descent/bilevel/estimators.hpp"
#include "descent/bilevel/problem.hpp"

namespace descent::bilevel {

/// LV-HBA's LLC toy (non-singleton LL, coupled equality constraint), y = (y1, y2) ∈ R^{2n}:
///   F = ½‖x − y2‖² + ½‖y1 − 1‖²,  f = ½‖y1‖² − xᵀy1 + 1ᵀy2,  1ᵀx + 1ᵀy = 0.
/// Optimum x* = −0.3·1, y1* = 0.7·1, y2* = −0.4·1.
class LlcToy final : public ConstrainedBilevelProblem {
 public:
  explicit LlcToy(Eigen::Index n = 100) : n_(n) {}
  Eigen::Index dim_x() const override { return n_; }
  Eigen::Index dim_y() const override { return 2 * n_; }
  Eigen::Index num_constraints() const override { return 1; }
  bool equality_constraints() const override { return true; }
  double upper(const Vec& x, const Vec& y) const override;
  void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  double lower(const Vec& x, const Vec& y) const override;
  void lower_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  Vec constraint(const Vec& x, const Vec& y) const override;
  void constraint_vjp(const Vec& x, const Vec& y, const Vec& lambda, Vec& gx,
                      Vec& gy) const override;
  /// C = {1ᵀx + 1ᵀy = 0}: subtract the mean of the concatenated (x, y).
  void project_c(Vec& x, Vec& y) const override;
  Vec solution_x() const { return Vec::Constant(n_, -0.3); }
  /// x0 = y0 = 10·1 (projected onto C by LvHbaState::start).
  Vec start_x() const { return Vec::Constant(n_, 10.0); }
  Vec start_y() const { return Vec::Constant(2 * n_, 10.0); }

 private:
  Eigen::Index n_;
};

/// LV-HBA's LLSC toy with seeded data (the repo's .npy files are not vendored):
///   F = sin(cᵀx + dᵀy) + log(‖x + y‖² + 1),  f = ½‖x − y‖²,
///   LL constraint Ay + Hx = 0 (A: q × n, full row rank), UL constraint Bx = 0 (B: r × n).
/// y*(x) = x − A⁺(Ax + Hx).
class LlscToy final : public ConstrainedBilevelProblem {
 public:
  LlscToy(Eigen::Index n, Eigen::Index q, Eigen::Index r, std::uint64_t seed);
  Eigen::Index dim_x() const override { return n_; }
  Eigen::Index dim_y() const override { return n_; }
  Eigen::Index num_constraints() const override { return q_; }
  bool equality_constraints() const override { return true; }
  double upper(const Vec& x, const Vec& y) const override;
  void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  double lower(const Vec& x, const Vec& y) const override;
  void lower_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  Vec constraint(const Vec& x, const Vec& y) const override;
  void constraint_vjp(const Vec& x, const Vec& y, const Vec& lambda, Vec& gx,
                      Vec& gy) const override;
  /// Affine set {Bx = 0, Ay + Hx = 0} in (x, y).
  void project_c(Vec& x, Vec& y) const override;
  Vec lower_solution(const Vec& x) const;
  Vec start_x() const { return x0_; }
  Vec start_y() const { return y0_; }

 private:
  Eigen::Index n_, q_;
  Mat A_, H_, B_, Apinv_;
  Vec c_, d_, x0_, y0_;
  AffineProjector proj_;
};

/// LV-HBA's linear-SVM hyper-parameter problem (spec §1.1): x = C ∈ R^N (per-sample log
/// weights), y = (w ∈ R^d, b, ξ ∈ R^N).
///   LL: min ½‖w‖² + ½Σ e^{C_i}ξ_i²  s.t. 1 − ξ_i − y_i(wᵀz_i + b) ≤ 0
///   UL: Σ_val LeakyReLU(2σ(−5·y(wᵀz + b)/‖w‖) − 1), negative slope 0.01
/// Proj_C is Hildreth's method over the N half-spaces, warm-started from the last call.
class SvmHoProblem final : public ConstrainedBilevelProblem {
 public:
  /// Labels in {−1, +1}.
  SvmHoProblem(Mat z_train, Vec y_train, Mat z_val, Vec y_val, HildrethOptions projection = {});
  Eigen::Index dim_x() const override { return n_; }
  Eigen::Index dim_y() const override { return d_ + 1 + n_; }
  Eigen::Index num_constraints() const override { return n_; }
  double upper(const Vec& x, const Vec& y) const override;
  void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  double lower(const Vec& x, const Vec& y) const override;
  void lower_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  Vec constraint(const Vec& x, const Vec& y) const override;
  void constraint_vjp(const Vec& x, const Vec& y, const Vec& lambda, Vec& gx,
                      Vec& gy) const override;
  void project_c(Vec& x, Vec& y) const override;
  /// Accuracy of sign(wᵀz + b) on (z, labels).
  static double accuracy(const Vec& y, const Mat& z, const Vec& labels);
  Eigen::Index features() const { return d_; }

 private:
  Mat zt_, zv_, a_;  // a_: the constraint rows (−y_i z_i, −y_i, −e_i)
  Vec yt_, yv_, b_;
  Eigen::Index n_, d_;
  HildrethOptions proj_options_;
  mutable Vec mu_;  // Hildreth duals, kept to warm-start the next projection
};

/// BO-REP's unbounded-smoothness toy: f = Σcosh(x_j) + ½‖x − y‖², g = ½‖y − cx‖² (C = cI).
/// y*(x) = cx,  ∇Φ = sinh(x) + (1 − c)²x.
class CoshToy final : public BilevelProblem {
 public:
  explicit CoshToy(Eigen::Index d = 5, double c = 0.5) : d_(d), c_(c) {}
  Eigen::Index dim_x() const override { return d_; }
  Eigen::Index dim_y() const override { return d_; }
  double upper(const Vec& x, const Vec& y) const override;
  void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  void lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const override;
  void lower_hvp_yy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override;
  void lower_jvp_xy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override;
  bool true_hypergradient(const Vec& x, Vec& out) const override;
  bool lower_solution(const Vec& x, Vec& y) const override;

 private:
  Eigen::Index d_;
  double c_;
};

/// The shared quadratic bilevel block (spec §5.1, item 6): g = ½yᵀAy − yᵀBx,
/// f = ½‖y − t‖² + ρ/2‖x‖². y* = A⁻¹Bx = Mx, ∇Φ = Mᵀ(Mx − t) + ρx.
/// Data: A = QQᵀ/dy + I, B ~ N(0, 1/10), t ~ N(0, 1).
class QuadraticBilevel final : public BilevelProblem {
 public:
  QuadraticBilevel(Eigen::Index dx, Eigen::Index dy, double rho, std::uint64_t seed);
  Eigen::Index dim_x() const override { return B_.cols(); }
  Eigen::Index dim_y() const override { return A_.rows(); }
  double upper(const Vec& x, const Vec& y) const override;
  void upper_grad(const Vec& x, const Vec& y, Vec& gx, Vec& gy) const override;
  void lower_grad_y(const Vec& x, const Vec& y, Vec& gy) const override;
  void lower_hvp_yy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override;
  void lower_jvp_xy(const Vec& x, const Vec& y, const Vec& v, Vec& out) const override;
  bool true_hypergradient(const Vec& x, Vec& out) const override;
  bool lower_solution(const Vec& x, Vec& y) const override;
  Vec solution() const;

 private:
  Mat A_, B_, M_;
  Vec t_;
  double rho_;
};

/// BSVRB's multi-block quadratic (BS-1/BS-2): m blocks of QuadraticBilevel data sharing x and
/// ρ, x* = (Σ M_iᵀM_i/m + ρI)⁻¹ Σ M_iᵀt_i/m. With sigma > 0, sample() perturbs A_i (symmetric),
/// B_i and ∇_y f_i by sigma·N(0,1)/√B; the draw is kept until the block's next sample.
class MultiBlockQuadratic final : public MultiBlockProblem {
 public:
  MultiBlockQuadratic(std::size_t blocks, Eigen::Index dx, Eigen::Index dy, double rho,
                      double sigma, std::uint64_t seed);
  std::size_t num_blocks() const override { return A_.size(); }
  Eigen::Index dim_x() const override { return B_[0].cols(); }
  Eigen::Index dim_y() const override { return A_[0].rows(); }
  void sample(std::size_t block, std::size_t batch, Rng& rng) override;
  double upper(std::size_t i, const Vec& x, const Vec& yi) const override;
  void upper_grad(std::size_t i, const Vec& x, const Vec& yi, Vec& gx, Vec& gy) const override;
  void lower_grad_y(std::size_t i, const Vec& x, const Vec& yi, Vec& gy) const override;
  void lower_hessian_yy(std::size_t i, const Vec& x, const Vec& yi, Mat& h) const override;
  void lower_hvp_yy(std::size_t i, const Vec& x, const Vec& yi, const Vec& v,
                    Vec& out) const override;
  void lower_jvp_xy(std::size_t i, const Vec& x, const Vec& yi, const Vec& v,
                    Vec& out) const override;
  bool solution(Vec& x) const override;
  /// ∇F(x) with exact y_i*(x).
  Vec hypergradient(const Vec& x) const;
  double sigma() const { return sigma_; }

 private:
  std::vector<Mat> A_, B_, EA_, EB_;
  std::vector<Vec> t_, Ef_;
  double rho_, sigma_;
};

/// BSVRB's multi-task hyper-parameter problem (spec §4.1, reduced BS-3): UL x = p ∈ R^{n_tr}
/// (per-sample weights σ(p_j)), block i = a logistic model w_i ∈ R^{d+1} with temperature τ_i:
///   g_i = (1/n_tr) Σ_j σ(p_j) ℓ_i(w_i; z_j, y_j) + (λ/2)‖w_i‖²,  f_i = mean_val ℓ_i(w_i),
///   ℓ_i = log(1 + exp(−y wᵀ[1; z]/τ_i)).
/// sample(i, B) draws B training and B validation rows for block i (with replacement).
class MultiTaskLogistic final : public MultiBlockProblem {
 public:
  /// Labels in {−1, +1}; rows of z are samples (a bias column is added here).
  MultiTaskLogistic(const Mat& z_train, Vec y_train, const Mat& z_val, Vec y_val,
                    std::vector<double> temperatures, double lambda);
  std::size_t num_blocks() const override { return tau_.size(); }
  Eigen::Index dim_x() const override { return zt_.rows(); }
  Eigen::Index dim_y() const override { return zt_.cols(); }
  void sample(std::size_t block, std::size_t batch, Rng& rng) override;
  /// Full validation loss of block i (not the minibatch).
  double upper(std::size_t i, const Vec& x, const Vec& yi) const override;
  void upper_grad(std::size_t i, const Vec& x, const Vec& yi, Vec& gx, Vec& gy) const override;
  void lower_grad_y(std::size_t i, const Vec& x, const Vec& yi, Vec& gy) const override;
  void lower_hessian_yy(std::size_t i, const Vec& x, const Vec& yi, Mat& h) const override;
  void lower_hvp_yy(std::size_t i, const Vec& x, const Vec& yi, const Vec& v,
                    Vec& out) const override;
  void lower_jvp_xy(std::size_t i, const Vec& x, const Vec& yi, const Vec& v,
                    Vec& out) const override;
  /// F(x) = (1/m) Σ_i f_i(w_i*(x)) with each w_i* from Newton's method on the full data.
  double value_at_solution(const Vec& x) const;

 private:
  Mat zt_, zv_;  // with a leading column of ones
  Vec yt_, yv_;
  std::vector<double> tau_;
  double lambda_;
  std::vector<std::vector<Eigen::Index>> tb_, vb_;  // current minibatches per block
};

}  // namespace descent::bilevel
