// How designs are presented to a surrogate: sequences as Design-Bench's logits (one-hot
// smoothed toward uniform, log-probabilities relative to the first letter: K − 1 numbers per
// position), then every input column z-scored; decoding takes the arg-max letter per position
// (the reference letter having logit 0).
#pragma once

#include <Eigen/Core>

#include "descent/data/datasets.hpp"
#include "descent/offline/task.hpp"

namespace descent::offline {

/// Design-Bench's soft interpolation toward the uniform distribution before taking logs.
inline constexpr double kSoftInterpolation = 0.6;

/// n × (L·(K−1)) logits of the letter codes (n × L).
Eigen::MatrixXd codes_to_logits(const Eigen::MatrixXd& codes, int letters,
                                double soft_interpolation = kSoftInterpolation);
/// The arg-max letter of each position (ties: the lowest code).
Eigen::MatrixXd logits_to_codes(const Eigen::MatrixXd& logits, Eigen::Index positions, int letters);

/// A task's designs as the surrogate sees them (logits for discrete spaces, then z-scored),
/// and back.
class InputEncoding {
 public:
  InputEncoding(const DesignSpace& space, const Eigen::MatrixXd& designs);
  Eigen::MatrixXd encode(const Eigen::MatrixXd& designs) const;
  /// Continuous: un-z-scores. Discrete: un-z-scores, then arg-max letters.
  Eigen::MatrixXd decode(const Eigen::MatrixXd& inputs) const;
  Eigen::Index input_dimension() const noexcept { return z_.mean().size(); }

 private:
  DesignSpace space_;
  data::Standardizer z_;  // population s.d.; constant columns get scale 1
};

}  // namespace descent::offline
