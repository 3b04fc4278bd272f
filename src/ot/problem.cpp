#include "descent/ot/problem.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "weights.hpp"

namespace descent::ot {

namespace detail {

void check_weights(const Eigen::VectorXd& w, const char* name) {
  if (w.size() == 0) throw Error(std::string("OT problem: weight vector '") + name + "' is empty");
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i]))
      throw Error(std::string("OT problem: weight ") + name + "[" + std::to_string(i) +
                  "] is not finite (" + check::show(w[i]) + ")");
    if (w[i] < 0)
      throw Error(std::string("OT problem: weight ") + name + "[" + std::to_string(i) +
                  "] is negative (" + check::show(w[i]) + ")");
  }
}

Eigen::VectorXd uniform_or(const Eigen::VectorXd& w, Eigen::Index n, const char* name) {
  if (w.size() == 0) return Eigen::VectorXd::Constant(n, 1.0 / double(n));
  if (w.size() != n)
    throw Error(std::string("OT problem: ") + name + " has " + std::to_string(w.size()) +
                " weights but the cloud has " + std::to_string(n) + " points");
  return w;
}

double normalise_masses(Eigen::VectorXd& a, Eigen::VectorXd& b) {
  const double sa = a.sum(), sb = b.sum();
  if (!(sa > 0) || !(sb > 0))
    throw Error("OT problem: total mass is zero (sum a = " + check::show(sa) +
                ", sum b = " + check::show(sb) + ")");
  const double mismatch = std::abs(sa - sb) / std::max(sa, sb);
  if (mismatch > kMassTolerance)
    throw Error("OT problem: masses differ: sum a = " + check::show(sa) +
                ", sum b = " + check::show(sb) + " (relative mismatch " + check::show(mismatch) +
                " > " + check::show(kMassTolerance) + "); balanced OT needs equal masses");
  // Within tolerance the mismatch is rounding: work with probability vectors.
  a /= sa;
  b /= sb;
  return sa;
}

}  // namespace detail

using detail::check_weights;
using detail::uniform_or;

std::string_view to_string(GroundCost c) noexcept {
  switch (c) {
    case GroundCost::sqeuclidean:
      return "sqeuclidean";
    case GroundCost::euclidean:
      return "euclidean";
    case GroundCost::l1:
      return "l1";
  }
  return "?";
}

GroundCost ground_cost_from_string(std::string_view name) {
  if (name == "sqeuclidean" || name == "l2sq" || name == "sq") return GroundCost::sqeuclidean;
  if (name == "euclidean" || name == "l2") return GroundCost::euclidean;
  if (name == "l1" || name == "cityblock") return GroundCost::l1;
  throw Error("unknown ground cost '" + std::string(name) + "' (sqeuclidean, euclidean or l1)");
}

Problem::Problem(Eigen::VectorXd a, Eigen::VectorXd b, Eigen::MatrixXd cost)
    : a_(std::move(a)), b_(std::move(b)), cost_(std::move(cost)) {
  check_weights(a_, "a");
  check_weights(b_, "b");
  if (cost_.rows() != a_.size() || cost_.cols() != b_.size())
    throw Error("OT problem: cost matrix is " + std::to_string(cost_.rows()) + " x " +
                std::to_string(cost_.cols()) + " but the weights have sizes " +
                std::to_string(a_.size()) + " and " + std::to_string(b_.size()));
  max_cost_ = 0.0;
  for (Eigen::Index j = 0; j < cost_.cols(); ++j)
    for (Eigen::Index i = 0; i < cost_.rows(); ++i) {
      const double c = cost_(i, j);
      if (!std::isfinite(c) || c < 0)
        throw Error("OT problem: cost C[" + std::to_string(i) + ", " + std::to_string(j) +
                    "] = " + check::show(c) + " (costs must be finite and >= 0)");
      max_cost_ = std::max(max_cost_, c);
    }
  mass_ = detail::normalise_masses(a_, b_);
}

bool Problem::has_zero_weight() const noexcept {
  return (a_.array() == 0.0).any() || (b_.array() == 0.0).any();
}

Problem Problem::scaled_cost(double factor) const {
  check::positive("factor", factor);
  Problem p = *this;
  p.cost_ *= factor;
  p.max_cost_ *= factor;
  return p;
}

Eigen::MatrixXd cost_matrix(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, GroundCost cost) {
  if (X.cols() != Y.cols())
    throw Error("OT problem: the clouds have dimensions " + std::to_string(X.cols()) + " and " +
                std::to_string(Y.cols()));
  if (!X.allFinite() || !Y.allFinite()) throw Error("OT problem: point coordinates not finite");
  Eigen::MatrixXd C(X.rows(), Y.rows());
  for (Eigen::Index j = 0; j < Y.rows(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
      const auto d = (X.row(i) - Y.row(j)).array();
      switch (cost) {
        case GroundCost::sqeuclidean:
          C(i, j) = d.square().sum();
          break;
        case GroundCost::euclidean:
          C(i, j) = std::sqrt(d.square().sum());
          break;
        case GroundCost::l1:
          C(i, j) = d.abs().sum();
          break;
      }
    }
  return C;
}

Eigen::MatrixXd cost_matrix(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                            const CostFunction& cost) {
  if (!cost) throw Error("OT problem: empty cost function");
  if (X.cols() != Y.cols())
    throw Error("OT problem: the clouds have dimensions " + std::to_string(X.cols()) + " and " +
                std::to_string(Y.cols()));
  // Row-major copies so each point is a contiguous span.
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> xr = X, yr = Y;
  const std::size_t d = std::size_t(X.cols());
  Eigen::MatrixXd C(X.rows(), Y.rows());
  for (Eigen::Index j = 0; j < Y.rows(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i)
      C(i, j) = cost(std::span<const double>(xr.row(i).data(), d),
                     std::span<const double>(yr.row(j).data(), d));
  return C;
}

Problem from_point_clouds(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, GroundCost cost,
                          const Eigen::VectorXd& wx, const Eigen::VectorXd& wy) {
  Eigen::VectorXd a = uniform_or(wx, X.rows(), "source"), b = uniform_or(wy, Y.rows(), "target");
  return Problem(std::move(a), std::move(b), cost_matrix(X, Y, cost));
}

Problem from_point_clouds(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                          const CostFunction& cost, const Eigen::VectorXd& wx,
                          const Eigen::VectorXd& wy) {
  Eigen::VectorXd a = uniform_or(wx, X.rows(), "source"), b = uniform_or(wy, Y.rows(), "target");
  return Problem(std::move(a), std::move(b), cost_matrix(X, Y, cost));
}

Eigen::MatrixXd image_grid(Eigen::Index height, Eigen::Index width) {
  if (height < 1 || width < 1) throw Error("OT problem: empty image");
  Eigen::MatrixXd g(height * width, 2);
  for (Eigen::Index r = 0; r < height; ++r)
    for (Eigen::Index c = 0; c < width; ++c) {
      g(r * width + c, 0) = width > 1 ? double(c) / double(width - 1) : 0.0;
      g(r * width + c, 1) = height > 1 ? double(r) / double(height - 1) : 0.0;
    }
  return g;
}

Problem from_images(const Eigen::MatrixXd& source, const Eigen::MatrixXd& target, GroundCost cost,
                    const ImageOptions& options) {
  check::non_negative("intensity_floor", options.intensity_floor);
  auto weights = [&](const Eigen::MatrixXd& img, const char* name) {
    if (img.size() == 0) throw Error(std::string("OT problem: ") + name + " image is empty");
    Eigen::VectorXd w(img.size());
    for (Eigen::Index r = 0; r < img.rows(); ++r)
      for (Eigen::Index c = 0; c < img.cols(); ++c) {
        const double v = img(r, c);
        if (!std::isfinite(v) || v < 0)
          throw Error(std::string("OT problem: ") + name + " image pixel (" + std::to_string(r) +
                      ", " + std::to_string(c) + ") = " + check::show(v) +
                      " (intensities must be finite and >= 0)");
        w[r * img.cols() + c] = v + options.intensity_floor;
      }
    const double s = w.sum();
    if (!(s > 0)) throw Error(std::string("OT problem: ") + name + " image has no mass");
    return Eigen::VectorXd(w / s);
  };
  Eigen::MatrixXd C = cost_matrix(image_grid(source.rows(), source.cols()),
                                  image_grid(target.rows(), target.cols()), cost);
  if (options.normalize_cost && C.maxCoeff() > 0) C /= C.maxCoeff();
  return Problem(weights(source, "source"), weights(target, "target"), std::move(C));
}

}  // namespace descent::ot
