// Dataset distillation by implicit differentiation (Blondel et al., NeurIPS 2022, §4.2; jaxopt's
// dataset-distillation notebook): learn one synthetic image per class such that L2-regularised
// softmax regression trained on those images alone does well on the real training set.
//   inner:  W*(θ) = argmin_W CE(softmax(θW), labels) + ½λ||W||²  (θ = the m images, λ = 0.1)
//   outer:  min_θ CE(softmax(X_train W*(θ)), y_train)
// The hypergradient is root_vjp of the stationarity mapping (CG: ∇²f is SPD). The outer step is
// gradient descent with Armijo backtracking (jaxopt's GradientDescent uses a line search), so
// the outer loss decreases monotonically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "descent/core/callbacks.hpp"
#include "descent/core/status.hpp"
#include "descent/implicit/linear_solve.hpp"

namespace descent::implicit {

struct DistillOptions {
  int images_per_class = 1;       ///< default 1
  std::size_t outer_steps = 50;   ///< default 50
  double lambda = 0.1;            ///< inner L2 regularisation, default 0.1 (the notebook's)
  double init_scale = 0.1;        ///< images start as init_scale · N(0, 1), default 0.1
  double initial_step = 1.0;      ///< first outer trial step, default 1
  std::size_t random_draws = 10;  ///< draws of random real images for the baseline, default 10
  std::uint64_t seed = 0;
  bool record_history = false;     ///< a Summary row per outer step (loss, |hypergradient|, step)
  std::size_t history_stride = 1;  ///< keep every k-th row (the last is always kept)
  void validate() const;
};

struct DistillResult {
  Mat images;                      ///< m × p, one image per row (row-major pixels)
  Eigen::VectorXi labels;          ///< class of each image
  std::vector<double> outer_loss;  ///< training loss before each step, then the final one
  double acc_distilled = 0;        ///< test accuracy of the model trained on the images
  double acc_random_real = 0;      ///< mean test accuracy over random real images, one per class
  double acc_random_real_std = 0;
  double acc_random_real_best = 0;
  /// max_iterations (all steps ran), stalled (line search), diverged or stopped (callback)
  Summary summary;
};

/// x_train/x_test rows are samples; labels in 0..classes−1. Throws descent::Error for
/// mismatched shapes, InvalidOption for bad options.
DistillResult distill(const Mat& x_train, const Eigen::VectorXi& y_train, const Mat& x_test,
                      const Eigen::VectorXi& y_test, int classes, const DistillOptions& options,
                      Callbacks callbacks = {});

/// Writes images (one per row, `height`×`width` row-major pixels) as an 8-bit grey PNG grid
/// with `columns` images per row, each pixel drawn as a `scale`×`scale` block; values are
/// mapped linearly from [min, max] of all images to [0, 255]. Atomic write.
void write_image_grid_png(const std::string& path, const Mat& images, int height, int width,
                          int columns, int scale = 4);

}  // namespace descent::implicit
