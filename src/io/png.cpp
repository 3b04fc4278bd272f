#include "descent/io/png.hpp"

#include <png.h>

#include <string>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"

namespace descent::io {

Image read_png(const std::string& path) {
  const std::string bytes = read_file(path);
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  // png_image_* never longjmp: failures come back as 0 with png.message filled.
  const auto fail = [&](const char* stage) {
    const std::string why = png.message[0] ? png.message : "unknown libpng error";
    png_image_free(&png);
    return InputError(path, 0, "png", std::string(stage) + ": " + why);
  };
  if (bytes.size() < 8 || png_sig_cmp(reinterpret_cast<png_const_bytep>(bytes.data()), 0, 8))
    throw InputError(path, 0, "png", "not a PNG file (bad signature)");
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size()))
    throw fail("unreadable header");
  const bool colour = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  png.format = colour ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  Image image;
  image.height = static_cast<int>(png.height);
  image.width = static_cast<int>(png.width);
  image.channels = colour ? 3 : 1;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  const png_color black{0, 0, 0};
  if (!png_image_finish_read(&png, &black, image.pixels.data(), 0, nullptr))
    throw fail("unreadable image data");
  return image;
}

void write_png(const std::string& path, const Image& image) {
  if ((image.channels != 1 && image.channels != 3) || image.height < 1 || image.width < 1 ||
      image.pixels.size() != static_cast<std::size_t>(image.height) * image.width * image.channels)
    throw Error("write_png(" + path + "): need 1 or 3 channels and height*width*channels bytes");
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (!png_image_write_get_memory_size(png, size, 0, image.pixels.data(), 0, nullptr))
    throw Error("write_png(" + path + "): " + png.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, image.pixels.data(), 0, nullptr))
    throw Error("write_png(" + path + "): " + png.message);
  out.resize(size);
  write_file_atomic(path, out);
}

}  // namespace descent::io
