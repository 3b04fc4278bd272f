#include "descent/saliency/heatmap.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "descent/core/error.hpp"
#include "descent/saliency/saliency.hpp"

namespace descent::saliency {
namespace {

// Piecewise-linear colour ramp through five stops of an inferno-like scale.
std::array<double, 3> ramp(double t) {
  static constexpr double stops[5][3] = {{0.00, 0.00, 0.02},
                                         {0.34, 0.06, 0.43},
                                         {0.73, 0.21, 0.33},
                                         {0.98, 0.55, 0.04},
                                         {0.99, 1.00, 0.64}};
  t = std::clamp(t, 0.0, 1.0) * 4.0;
  const int i = std::min(3, static_cast<int>(t));
  const double f = t - i;
  return {stops[i][0] + f * (stops[i + 1][0] - stops[i][0]),
          stops[i][1] + f * (stops[i + 1][1] - stops[i][1]),
          stops[i][2] + f * (stops[i + 1][2] - stops[i][2])};
}

std::uint8_t byte(double v) {
  return static_cast<std::uint8_t>(std::lround(255.0 * std::clamp(v, 0.0, 1.0)));
}

torch::Tensor rgb_of(const torch::Tensor& image) {
  if (image.dim() != 3 || (image.size(0) != 1 && image.size(0) != 3))
    throw InvalidOption("image", "need a 1- or 3-channel C x H x W image");
  const torch::Tensor x = image.detach().to(torch::kFloat64).clamp(0.0, 1.0);
  return (x.size(0) == 1 ? x.expand({3, x.size(1), x.size(2)}) : x).contiguous();
}

}  // namespace

io::Image to_rgb_image(const torch::Tensor& image) {
  const torch::Tensor x = rgb_of(image);
  io::Image out{static_cast<int>(x.size(1)), static_cast<int>(x.size(2)), 3, {}};
  out.pixels.resize(static_cast<std::size_t>(out.height) * out.width * 3);
  const auto a = x.accessor<double, 3>();
  for (int r = 0; r < out.height; ++r)
    for (int c = 0; c < out.width; ++c)
      for (int k = 0; k < 3; ++k)
        out.pixels[(static_cast<std::size_t>(r) * out.width + c) * 3 + k] = byte(a[k][r][c]);
  return out;
}

io::Image heatmap_overlay(const torch::Tensor& image, const torch::Tensor& map, double alpha) {
  if (map.dim() != 2) throw InvalidOption("map", "need an h x w map");
  if (!(alpha >= 0 && alpha <= 1)) throw InvalidOption("alpha", "must be in [0, 1]");
  const torch::Tensor x = rgb_of(image);
  const torch::Tensor m =
      normalized(map.detach().to(torch::kFloat64).unsqueeze(0), x.size(1), x.size(2))[0]
          .contiguous();
  io::Image out = to_rgb_image(image);
  const auto a = x.accessor<double, 3>();
  const auto v = m.accessor<double, 2>();
  for (int r = 0; r < out.height; ++r)
    for (int c = 0; c < out.width; ++c) {
      const auto colour = ramp(v[r][c]);
      for (int k = 0; k < 3; ++k)
        out.pixels[(static_cast<std::size_t>(r) * out.width + c) * 3 + k] =
            byte((1 - alpha) * a[k][r][c] + alpha * colour[k]);
    }
  return out;
}

io::Image tile_grid(const std::vector<io::Image>& tiles, int columns) {
  if (tiles.empty() || columns < 1) throw InvalidOption("tiles", "need tiles and columns >= 1");
  const int h = tiles.front().height, w = tiles.front().width, gap = 2;
  for (const auto& t : tiles)
    if (t.height != h || t.width != w || t.channels != 3)
      throw InvalidOption("tiles", "all tiles must be RGB and of one size");
  const int n = static_cast<int>(tiles.size());
  const int cols = std::min(columns, n), rows = (n + cols - 1) / cols;
  io::Image out{rows * (h + gap) + gap, cols * (w + gap) + gap, 3, {}};
  out.pixels.assign(static_cast<std::size_t>(out.height) * out.width * 3, 255);
  for (int i = 0; i < n; ++i) {
    const int top = gap + (i / cols) * (h + gap), left = gap + (i % cols) * (w + gap);
    for (int r = 0; r < h; ++r)
      std::copy_n(
          tiles[i].pixels.begin() + static_cast<std::ptrdiff_t>(r) * w * 3, w * 3,
          out.pixels.begin() + (static_cast<std::ptrdiff_t>(top + r) * out.width + left) * 3);
  }
  return out;
}

}  // namespace descent::saliency
