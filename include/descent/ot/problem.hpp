// Optimal-transport problems: two weight vectors and a cost matrix, validated once.
//
// Every solver in descent::ot takes a Problem, so the checks live here and nowhere else:
//  - weights must be finite and >= 0, costs finite and >= 0 (descent::Error otherwise);
//  - the cost matrix must be n x m for weights of sizes n and m;
//  - the two total masses must agree to kMassTolerance (relative); a smaller mismatch is
//    rounding and both sides are renormalised to probability vectors.
// Problems can be built from weights + cost, from two point clouds with a ground cost (built in
// or a callable), or from two greyscale images (pixel grid in [0,1]^2 as support).
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include <Eigen/Core>

namespace descent::ot {

/// Ground costs between points x, y in R^d.
enum class GroundCost {
  sqeuclidean,  ///< |x - y|_2^2
  euclidean,    ///< |x - y|_2
  l1,           ///< |x - y|_1
};
std::string_view to_string(GroundCost c) noexcept;
/// Parses "sqeuclidean" (also "l2sq", "sq"), "euclidean" (also "l2"), "l1"; throws descent::Error.
GroundCost ground_cost_from_string(std::string_view name);

/// A user-supplied ground cost c(x, y) >= 0 (the spans are rows of the point clouds).
using CostFunction = std::function<double(std::span<const double> x, std::span<const double> y)>;

/// Relative mismatch of total masses beyond which a problem is rejected.
inline constexpr double kMassTolerance = 1e-9;

/// A balanced OT problem: minimise <C, P> over plans P >= 0 with P 1 = a and P^T 1 = b.
/// Invariants after construction: a, b are probability vectors (sum 1, entries >= 0), C is
/// finite, >= 0 and a.size() x b.size().
class Problem {
 public:
  /// Validates and normalises. Throws descent::Error naming the bad entry for: empty weights,
  /// negative or non-finite weights or costs, a cost of the wrong shape, zero total mass, or a
  /// relative mass mismatch above kMassTolerance.
  Problem(Eigen::VectorXd a, Eigen::VectorXd b, Eigen::MatrixXd cost);

  const Eigen::VectorXd& a() const noexcept { return a_; }
  const Eigen::VectorXd& b() const noexcept { return b_; }
  /// Column-major n x m (column j is contiguous; solvers stream it for the column half-step).
  const Eigen::MatrixXd& cost() const noexcept { return cost_; }
  Eigen::Index rows() const noexcept { return a_.size(); }
  Eigen::Index cols() const noexcept { return b_.size(); }
  /// Total mass of `a` as given, before normalisation (plans are for unit mass).
  double mass() const noexcept { return mass_; }
  double max_cost() const noexcept { return max_cost_; }
  /// True if some weight is exactly 0 (entropic solvers need strictly positive weights).
  bool has_zero_weight() const noexcept;

  /// The same problem with every cost multiplied by `factor` > 0 (e.g. 1 / max_cost()).
  Problem scaled_cost(double factor) const;

 private:
  Eigen::VectorXd a_, b_;
  Eigen::MatrixXd cost_;
  double mass_ = 1.0;
  double max_cost_ = 0.0;
};

/// C_ij = cost(row i of X, row j of Y). X is n x d, Y is m x d (same d, else descent::Error).
Eigen::MatrixXd cost_matrix(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, GroundCost cost);
Eigen::MatrixXd cost_matrix(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                            const CostFunction& cost);

/// OT between two point clouds (one point per row). Empty weight vectors mean uniform weights.
Problem from_point_clouds(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, GroundCost cost,
                          const Eigen::VectorXd& wx = {}, const Eigen::VectorXd& wy = {});
Problem from_point_clouds(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                          const CostFunction& cost, const Eigen::VectorXd& wx = {},
                          const Eigen::VectorXd& wy = {});

struct ImageOptions {
  /// Added to every intensity before normalising, so that black pixels keep a tiny mass and
  /// entropic solvers see strictly positive weights (the spec's 1e-6).
  double intensity_floor = 1e-6;
  /// Divide the cost by its maximum (so C lies in [0, 1] whatever the ground cost).
  bool normalize_cost = false;
};

/// OT between two greyscale images given as h x w matrices of intensities >= 0 (the shapes may
/// differ). Pixel (r, c) sits at (c / (w - 1), r / (h - 1)) in [0,1]^2; its weight is
/// intensity + intensity_floor, renormalised. Pixels are numbered row-major (r * w + c).
Problem from_images(const Eigen::MatrixXd& source, const Eigen::MatrixXd& target, GroundCost cost,
                    const ImageOptions& options = {});

/// The pixel-grid support used by from_images: (h * w) x 2 coordinates, row-major pixels.
Eigen::MatrixXd image_grid(Eigen::Index height, Eigen::Index width);

}  // namespace descent::ot
