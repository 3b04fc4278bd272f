// The distilled images as one greyscale PNG grid (encoding: io::write_png).
#include <algorithm>
#include <cmath>
#include <string>

#include "descent/core/error.hpp"
#include "descent/implicit/distill.hpp"
#include "descent/io/png.hpp"

namespace descent::implicit {

void write_image_grid_png(const std::string& path, const Mat& images, int h, int w, int cols,
                          int scale) {
  if (h < 1 || w < 1 || cols < 1 || scale < 1 || images.cols() != Eigen::Index(h) * w ||
      images.rows() == 0)
    throw Error("write_image_grid_png: images must be non-empty with height*width columns");
  const int n = static_cast<int>(images.rows());
  const int rows = (n + cols - 1) / cols, pad = 1;
  io::Image grid;
  grid.width = cols * (w * scale + pad) + pad;
  grid.height = rows * (h * scale + pad) + pad;
  grid.channels = 1;
  grid.pixels.assign(static_cast<std::size_t>(grid.height) * grid.width, 255);  // white gaps
  const double lo = images.minCoeff(), hi = images.maxCoeff();
  const double span = hi > lo ? hi - lo : 1.0;
  for (int y = pad; y < grid.height; ++y)
    for (int x = pad; x < grid.width; ++x) {
      const int cx = (x - pad) / (w * scale + pad), ox = (x - pad) % (w * scale + pad);
      const int cy = (y - pad) / (h * scale + pad), oy = (y - pad) % (h * scale + pad);
      const int idx = cy * cols + cx;
      if (ox >= w * scale || oy >= h * scale || idx >= n) continue;
      const double v = images(idx, (oy / scale) * w + ox / scale);
      // Dark strokes on white, like the digits themselves.
      const long value = 255 - std::lround(255.0 * (v - lo) / span);
      grid.pixels[static_cast<std::size_t>(y) * grid.width + x] =
          static_cast<std::uint8_t>(std::clamp(value, 0L, 255L));
    }
  io::write_png(path, grid);
}

}  // namespace descent::implicit
