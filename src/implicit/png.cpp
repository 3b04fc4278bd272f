// A minimal 8-bit greyscale PNG writer (zlib for IDAT and CRCs), for the distilled images.
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "descent/core/error.hpp"
#include "descent/implicit/distill.hpp"
#include "descent/io/atomic_file.hpp"

namespace descent::implicit {
namespace {

void put_u32(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
}

void chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  std::string body(type, 4);
  body += data;
  out += body;
  put_u32(out, static_cast<std::uint32_t>(
                   crc32(0L, reinterpret_cast<const Bytef*>(body.data()), body.size())));
}

}  // namespace

void write_image_grid_png(const std::string& path, const Mat& images, int h, int w, int cols,
                          int scale) {
  if (h < 1 || w < 1 || cols < 1 || scale < 1 || images.cols() != Eigen::Index(h) * w ||
      images.rows() == 0)
    throw Error("write_image_grid_png: images must be non-empty with height*width columns");
  const int n = static_cast<int>(images.rows());
  const int rows = (n + cols - 1) / cols, pad = 1;
  const int width = cols * (w * scale + pad) + pad, height = rows * (h * scale + pad) + pad;
  const double lo = images.minCoeff(), hi = images.maxCoeff();
  const double span = hi > lo ? hi - lo : 1.0;
  std::string raw;  // filter byte 0 + one byte per pixel, row by row
  raw.reserve(static_cast<std::size_t>(height) * (width + 1));
  for (int y = 0; y < height; ++y) {
    raw.push_back(0);
    for (int x = 0; x < width; ++x) {
      int value = 255;  // white separators
      const int cx = (x - pad) / (w * scale + pad), ox = (x - pad) % (w * scale + pad);
      const int cy = (y - pad) / (h * scale + pad), oy = (y - pad) % (h * scale + pad);
      const int idx = cy * cols + cx;
      if (x >= pad && y >= pad && ox < w * scale && oy < h * scale && idx < n) {
        const double v = images(idx, (oy / scale) * w + ox / scale);
        // Dark strokes on white, like the digits themselves.
        value = 255 - static_cast<int>(std::lround(255.0 * (v - lo) / span));
      }
      raw.push_back(static_cast<char>(std::clamp(value, 0, 255)));
    }
  }
  uLongf zsize = compressBound(raw.size());
  std::string z(zsize, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &zsize,
                reinterpret_cast<const Bytef*>(raw.data()), raw.size(), 9) != Z_OK)
    throw Error("write_image_grid_png: zlib compression failed");
  z.resize(zsize);
  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(width));
  put_u32(ihdr, static_cast<std::uint32_t>(height));
  ihdr += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit greyscale, no interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", z);
  chunk(out, "IEND", "");
  io::write_file_atomic(path, out);
}

}  // namespace descent::implicit
