// Saliency maps as pictures: a map blended over its image with a colour ramp, and grids of such
// tiles (written with io::write_png).
#pragma once

#include <vector>

#include <torch/torch.h>

#include "descent/io/png.hpp"

namespace descent::saliency {

/// `image` (C × H × W, C = 1 or 3, values clamped to [0, 1]) under `map` (h × w; upsampled
/// bilinearly to H × W and min-max scaled): (1 - alpha)·image + alpha·ramp(map), where the ramp
/// runs black, purple, red, orange, yellow (an "inferno"-like scale). Throws
/// descent::InvalidOption for other shapes.
io::Image heatmap_overlay(const torch::Tensor& image, const torch::Tensor& map, double alpha = 0.5);

/// An image as an RGB tile (grey images repeated over the channels), values clamped to [0, 1].
io::Image to_rgb_image(const torch::Tensor& image);

/// Tiles of one size in rows of `columns`, separated by 2-pixel white gaps.
io::Image tile_grid(const std::vector<io::Image>& tiles, int columns);

}  // namespace descent::saliency
