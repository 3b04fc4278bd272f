// PNG files: round trips through libpng, a fixture written by an independent encoder
// (tests/io/data/make_fixtures.py: palette + transparency), malformed input.
#include "descent/io/png.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "descent/io/atomic_file.hpp"
#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::fixture;
using test::TempDir;

Image ramp(int h, int w, int channels) {
  Image im{h, w, channels, {}};
  im.pixels.resize(static_cast<std::size_t>(h) * w * channels);
  for (std::size_t i = 0; i < im.pixels.size(); ++i)
    im.pixels[i] = static_cast<std::uint8_t>((i * 37) % 256);
  return im;
}

TEST(Png, GreyAndRgbRoundTripExactly) {
  TempDir dir;
  for (int channels : {1, 3}) {
    const Image in = ramp(5, 7, channels);
    const std::string path = dir.file("ramp" + std::to_string(channels) + ".png");
    write_png(path, in);
    const Image out = read_png(path);
    EXPECT_EQ(out.height, 5);
    EXPECT_EQ(out.width, 7);
    EXPECT_EQ(out.channels, channels);
    EXPECT_EQ(out.pixels, in.pixels);
  }
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"ramp1.png", "ramp3.png"}));
}

TEST(Png, PaletteWithTransparencyIsCompositedOntoBlack) {
  // Rows: [red, half-white, clear green], [clear green, half-white, red]. libpng composites in
  // linear light: half-transparent white over black is 0.5 linear, 186 after sRGB encoding
  // (128 would be compositing the encoded values).
  const Image im = read_png(fixture("palette_alpha_2x3.png"));
  ASSERT_EQ(im.channels, 3);
  ASSERT_EQ(im.height, 2);
  ASSERT_EQ(im.width, 3);
  const int h = 186;
  const std::vector<int> want = {255, 0, 0, h, h, h, 0, 0, 0, 0, 0, 0, h, h, h, 255, 0, 0};
  for (std::size_t i = 0; i < want.size(); ++i)
    EXPECT_NEAR(im.pixels[i], want[i], 2) << "byte " << i;
}

TEST(Png, MalformedFilesAreInputErrorsNamingTheFile) {
  TempDir dir;
  const std::string text = dir.write("text.png", "hello, not a png at all");
  EXPECT_INPUT_ERROR(read_png(text), text, 0, "png", "signature");
  const std::string good = dir.file("good.png");
  write_png(good, ramp(16, 16, 3));
  const std::string bytes = read_file(good);
  const std::string cut = dir.write("cut.png", bytes.substr(0, bytes.size() / 2));
  EXPECT_INPUT_ERROR(read_png(cut), cut, 0, "png", "");
  std::string flipped = bytes;
  flipped[40] = static_cast<char>(flipped[40] ^ 0x55);  // inside IDAT: CRC or zlib error
  const std::string bad = dir.write("crc.png", flipped);
  EXPECT_INPUT_ERROR(read_png(bad), bad, 0, "png", "");
  EXPECT_THROW(read_png(dir.file("absent.png")), Error);
}

TEST(Png, WriterRefusesInconsistentImagesAndKeepsNoFile) {
  TempDir dir;
  Image im = ramp(4, 4, 2);
  EXPECT_THROW(write_png(dir.file("x.png"), im), Error);
  im = ramp(4, 4, 1);
  im.pixels.pop_back();
  EXPECT_THROW(write_png(dir.file("x.png"), im), Error);
  EXPECT_TRUE(dir.entries().empty());
}

}  // namespace
}  // namespace descent::io
