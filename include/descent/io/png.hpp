// PNG images through libpng's simplified API (libpng >= 1.6): read any PNG (greyscale, palette,
// RGB, with or without alpha, 8 or 16 bits) as 8-bit greyscale or RGB, and write 8-bit
// greyscale or RGB, atomically (io::write_file_atomic).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace descent::io {

/// An 8-bit image, row-major, channels interleaved (1 = greyscale, 3 = RGB).
struct Image {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;  ///< height * width * channels bytes
};

/// Reads a PNG file. A colour image (RGB or palette with colour) comes back with 3 channels,
/// anything else with 1; an alpha channel is composited onto black. Throws descent::Error if
/// the file cannot be opened and descent::InputError naming the file for anything that is not a
/// readable PNG (bad signature, truncated data, CRC errors).
Image read_png(const std::string& path);

/// Writes `image` (1 or 3 channels, pixels sized to match, else descent::Error) as a PNG,
/// atomically.
void write_png(const std::string& path, const Image& image);

}  // namespace descent::io
