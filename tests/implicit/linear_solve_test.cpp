// Every matrix-free solver on known systems, the ridge term, and the CG symmetry probe.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/implicit/linear_solve.hpp"

namespace {

using namespace descent::implicit;

Mat spd(int n, std::uint64_t seed) {
  auto rng = descent::make_rng(seed, {1});
  const Mat g = descent::normal_matrix(rng, n, n);
  return g * g.transpose() / n + Mat::Identity(n, n);
}

Mat nonsymmetric(int n, std::uint64_t seed) {
  auto rng = descent::make_rng(seed, {2});
  return 3.0 * Mat::Identity(n, n) + descent::normal_matrix(rng, n, n) / std::sqrt(double(n));
}

double rel_err(const Vec& a, const Vec& b) {
  return (a - b).norm() / b.norm();
}

TEST(LinearSolve, EverySolverSolvesAnSpdSystem) {
  const Mat a = spd(40, 3);
  auto rng = descent::make_rng(3, {3});
  const Vec b = descent::normal_vector(rng, 40);
  const Vec exact = a.ldlt().solve(b);
  for (const auto& name : solver_names()) {
    LinearSolveOptions o;
    o.solver = solver_from_string(name);
    const LinearSolveResult r = solve(dense_operator(a), b, o);
    EXPECT_TRUE(r.ok()) << name << ": " << r.message;
    EXPECT_FALSE(r.nonsymmetric) << name;
    EXPECT_LT(rel_err(r.x, exact), 1e-8) << name;
    EXPECT_LE(r.relative_residual, 1e-9) << name;
  }
}

TEST(LinearSolve, NonSymmetricSolversSolveANonSymmetricSystem) {
  const Mat a = nonsymmetric(50, 4);
  auto rng = descent::make_rng(4, {3});
  const Vec b = descent::normal_vector(rng, 50);
  const Vec exact = a.fullPivLu().solve(b);
  for (SolverKind k :
       {SolverKind::normal_cg, SolverKind::gmres, SolverKind::bicgstab, SolverKind::lu}) {
    LinearSolveOptions o;
    o.solver = k;
    o.restart = 10;  // exercise GMRES restarts
    const LinearSolveResult r = solve(dense_operator(a), b, o);
    EXPECT_TRUE(r.ok()) << to_string(k) << ": " << r.message;
    EXPECT_LT(rel_err(r.x, exact), 1e-8) << to_string(k);
  }
}

TEST(LinearSolve, CgOnANonSymmetricSystemIsFlagged) {
  const Mat a = nonsymmetric(50, 5);
  auto rng = descent::make_rng(5, {3});
  const Vec b = descent::normal_vector(rng, 50);
  LinearSolveOptions o;
  o.solver = SolverKind::cg;
  const LinearSolveResult r = solve(dense_operator(a), b, o);
  EXPECT_TRUE(r.nonsymmetric);
  EXPECT_GT(r.symmetry_defect, 1e-3);
  EXPECT_EQ(r.status, descent::Status::failed);
  EXPECT_NE(r.message.find("non-symmetric"), std::string::npos) << r.message;
  // A symmetric matrix passes the probe.
  const LinearSolveResult s = solve(dense_operator(spd(50, 5)), b, o);
  EXPECT_FALSE(s.nonsymmetric);
  EXPECT_LT(s.symmetry_defect, 1e-12);
}

TEST(LinearSolve, RidgeSolvesTheShiftedSystem) {
  const Mat a = spd(20, 6);
  const Vec b = Vec::Ones(20);
  const Vec exact = (a + 0.5 * Mat::Identity(20, 20)).ldlt().solve(b);
  for (SolverKind k :
       {SolverKind::cg, SolverKind::normal_cg, SolverKind::gmres, SolverKind::cholesky}) {
    LinearSolveOptions o;
    o.solver = k;
    o.ridge = 0.5;
    const LinearSolveResult r = solve(dense_operator(a), b, o);
    EXPECT_TRUE(r.ok()) << to_string(k);
    EXPECT_LT(rel_err(r.x, exact), 1e-8) << to_string(k);
  }
}

TEST(LinearSolve, DenseSolversReportSingularAndIndefiniteMatrices) {
  Mat singular = Mat::Zero(3, 3);
  singular(0, 0) = 1;
  LinearSolveOptions o;
  o.solver = SolverKind::lu;
  EXPECT_EQ(solve(dense_operator(singular), Vec::Ones(3), o).status, descent::Status::failed);
  o.solver = SolverKind::cholesky;
  EXPECT_EQ(solve(dense_operator(-Mat::Identity(3, 3)), Vec::Ones(3), o).status,
            descent::Status::failed);
  o.solver = SolverKind::cg;
  const LinearSolveResult r = solve(dense_operator(-Mat::Identity(3, 3)), Vec::Ones(3), o);
  EXPECT_EQ(r.status, descent::Status::failed);
}

TEST(LinearSolve, NonFiniteInputIsDiverged) {
  Vec b = Vec::Ones(3);
  b[1] = std::nan("");
  EXPECT_EQ(solve(dense_operator(Mat::Identity(3, 3)), b, {}).status, descent::Status::diverged);
}

TEST(LinearSolve, BadInputThrows) {
  EXPECT_THROW(solver_from_string("qr"), descent::InvalidOption);
  LinearSolveOptions o;
  o.tolerance = -1;
  EXPECT_THROW(solve(dense_operator(Mat::Identity(2, 2)), Vec::Ones(2), o), descent::InvalidOption);
  EXPECT_THROW(solve(dense_operator(Mat::Identity(2, 2)), Vec::Ones(3), {}), descent::Error);
  LinearOperator no_transpose = descent::make_operator(2, [](const Vec& v) { return v; });
  EXPECT_THROW(solve(no_transpose, Vec::Ones(2), {}), descent::Error);  // normal-cg needs Aᵀ
}

}  // namespace
