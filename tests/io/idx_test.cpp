// IDX (MNIST) files: round trips, fixtures, the real Fashion-MNIST files, malformed input.
#include "descent/io/idx.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <numeric>

#include "descent/io/atomic_file.hpp"
#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::fixture;
using test::TempDir;

const std::string kFashion = "/usr/share/datasets/fashion-mnist/";

// A raw IDX header: 0, 0, type, ndims, then big-endian u32 dims.
std::string idx_header(std::uint8_t type, const std::vector<std::uint32_t>& dims) {
  std::string h = {'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) h += static_cast<char>((d >> s) & 0xff);
  return h;
}

std::string gzip(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(Idx, RoundTripGzipAndRaw) {
  TempDir dir;
  std::vector<std::uint8_t> data(2 * 3 * 4);
  std::iota(data.begin(), data.end(), std::uint8_t{240});  // wraps past 255
  for (bool gz : {true, false}) {
    const std::string p = dir.file(gz ? "a.idx.gz" : "a.idx");
    write_idx_u8(p, data, {2, 3, 4}, gz);
    const std::string bytes = read_file(p);
    EXPECT_EQ(bytes.substr(0, 2) == "\x1f\x8b", gz);
    const IdxArray a = read_idx(p);
    EXPECT_EQ(a.dims, (std::vector<std::size_t>{2, 3, 4}));
    EXPECT_EQ(a.type_code, 0x08);
    ASSERT_EQ(a.values.size(), data.size());
    for (std::size_t i = 0; i < data.size(); ++i) EXPECT_EQ(a.values[i], float(data[i]));
  }
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"a.idx", "a.idx.gz"}));
}

TEST(Idx, GzipDetectedByMagicNotExtension) {
  TempDir dir;
  const std::vector<std::uint8_t> data = {1, 2, 3};
  write_idx_u8(dir.file("looks_raw.idx"), data, {3}, true);
  write_idx_u8(dir.file("looks_compressed.gz"), data, {3}, false);
  EXPECT_EQ(read_idx(dir.file("looks_raw.idx")).values, (std::vector<float>{1, 2, 3}));
  EXPECT_EQ(read_idx(dir.file("looks_compressed.gz")).values, (std::vector<float>{1, 2, 3}));
}

TEST(Idx, LargeRoundTripAcrossChunks) {
  TempDir dir;
  std::vector<std::uint8_t> data(3'000'017);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + i / 13);
  write_idx_u8(dir.file("big.gz"), data, {data.size()});
  const IdxArray a = read_idx(dir.file("big.gz"));
  ASSERT_EQ(a.values.size(), data.size());
  for (std::size_t i = 0; i < data.size(); i += 997) ASSERT_EQ(a.values[i], float(data[i]));
  EXPECT_EQ(a.values.back(), float(data.back()));
}

TEST(Idx, AllTypes) {
  TempDir dir;
  auto be = [](std::uint64_t v, int bytes) {
    std::string s;
    for (int i = bytes - 1; i >= 0; --i) s += static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
  };
  const std::string i8 = dir.write("i8", idx_header(0x09, {3}) + "\x80\xff\x7f");
  EXPECT_EQ(read_idx(i8).values, (std::vector<float>{-128, -1, 127}));
  EXPECT_EQ(read_idx(i8).type_code, 0x09);
  const std::string i32 =
      dir.write("i32", idx_header(0x0C, {2}) + be(0xFFFFFFFEu, 4) + be(100000, 4));
  EXPECT_EQ(read_idx(i32).values, (std::vector<float>{-2, 100000}));
  double d = -0.375;
  std::uint64_t bits;
  std::memcpy(&bits, &d, 8);
  const std::string f64 = dir.write("f64", idx_header(0x0E, {1, 1}) + be(bits, 8));
  EXPECT_EQ(read_idx(f64).values, (std::vector<float>{-0.375f}));
  EXPECT_EQ(read_idx(f64).dims, (std::vector<std::size_t>{1, 1}));
  const std::string four = dir.write("four", idx_header(0x08, {1, 2, 1, 2}) + "abcd");
  EXPECT_EQ(read_idx(four).dims.size(), 4u);
  const std::string zero = dir.write("zero", idx_header(0x08, {0, 28}));
  EXPECT_TRUE(read_idx(zero).values.empty());
}

// Golden: fixtures written by python (tests/io/data/make_fixtures.py).
TEST(Idx, ReadsPythonWrittenFixtures) {
  IdxArray a = read_idx(fixture("i16_2x3.idx"));
  EXPECT_EQ(a.type_code, 0x0B);
  EXPECT_EQ(a.dims, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(a.values, (std::vector<float>{-32768, -1, 0, 1, 300, 32767}));
  a = read_idx(fixture("u8_2x2x2.idx.gz"));
  EXPECT_EQ(a.dims, (std::vector<std::size_t>{2, 2, 2}));
  EXPECT_EQ(a.values, (std::vector<float>{0, 32, 64, 96, 128, 160, 192, 224}));
  a = read_idx(fixture("f32_3.idx"));
  EXPECT_EQ(a.type_code, 0x0D);
  EXPECT_EQ(a.values, (std::vector<float>{0.5f, -1.25f, 1e10f}));
}

// Golden: statistics of the real Fashion-MNIST test set, computed independently with numpy.
TEST(Idx, FashionMnistTestImages) {
  const std::string p = kFashion + "t10k-images-idx3-ubyte.gz";
  if (!std::filesystem::exists(p)) GTEST_SKIP() << p << " not found";
  const IdxArray a = read_idx(p);
  EXPECT_EQ(a.type_code, 0x08);
  ASSERT_EQ(a.dims, (std::vector<std::size_t>{10000, 28, 28}));
  ASSERT_EQ(a.values.size(), 10000u * 784u);
  double image0 = 0.0, last = 0.0, total = 0.0;
  for (std::size_t i = 0; i < 784; ++i) image0 += a.values[i];
  for (std::size_t i = 9999 * 784; i < a.values.size(); ++i) last += a.values[i];
  for (float v : a.values) total += v;
  EXPECT_EQ(image0, 33456.0);
  EXPECT_EQ(last, 24390.0);
  EXPECT_EQ(total, 573469082.0);
  EXPECT_NEAR(total / double(a.values.size()), 73.14656658163265, 1e-9);
  EXPECT_EQ(a.values[14 * 28 + 14], 110.0f);  // image 0, pixel (14, 14)
}

TEST(Idx, FashionMnistTestLabels) {
  const std::string p = kFashion + "t10k-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(p)) GTEST_SKIP() << p << " not found";
  const IdxArray a = read_idx(p);
  ASSERT_EQ(a.dims, (std::vector<std::size_t>{10000}));
  EXPECT_EQ(std::vector<float>(a.values.begin(), a.values.begin() + 10),
            (std::vector<float>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  std::vector<int> counts(10, 0);
  for (float v : a.values) counts.at(static_cast<std::size_t>(v))++;
  EXPECT_EQ(counts, std::vector<int>(10, 1000));
}

// Golden sums from numpy. (Read speed is not asserted here: timing belongs in benchmarks.)
TEST(Idx, FashionMnistTrainImagesGolden) {
  const std::string p = kFashion + "train-images-idx3-ubyte.gz";
  if (!std::filesystem::exists(p)) GTEST_SKIP() << p << " not found";
  const IdxArray a = read_idx(p);
  ASSERT_EQ(a.dims, (std::vector<std::size_t>{60000, 28, 28}));
  double total = 0.0, image0 = 0.0;
  for (float v : a.values) total += v;
  for (std::size_t i = 0; i < 784; ++i) image0 += a.values[i];
  EXPECT_EQ(total, 3431114169.0);
  EXPECT_EQ(image0, 76247.0);
}

TEST(Idx, HeaderErrors) {
  TempDir dir;
  const std::string magic = dir.write("m", std::string("\x01\x00\x08\x01", 4) + "\0\0\0\1x");
  EXPECT_INPUT_ERROR(read_idx(magic), magic, 0, "magic", "first two bytes must be 0");
  const std::string magic2 = dir.write("m2", std::string("\x00\x02\x08\x01\0\0\0\1x", 9));
  EXPECT_INPUT_ERROR(read_idx(magic2), magic2, 0, "magic", "byte offset 0");
  const std::string type = dir.write("t", idx_header(0x0A, {1}) + "x");
  EXPECT_INPUT_ERROR(read_idx(type), type, 0, "type", "unknown IDX type code 0x0A");
  const std::string zero = dir.write("z", idx_header(0x08, {}));
  EXPECT_INPUT_ERROR(read_idx(zero), zero, 0, "dims", "0 dimensions");
  const std::string five = dir.write("f", idx_header(0x08, {1, 1, 1, 1, 1}) + "x");
  EXPECT_INPUT_ERROR(read_idx(five), five, 0, "dims", "5 dimensions");
  const std::string tiny = dir.write("tiny", std::string("\0\0", 2));
  EXPECT_INPUT_ERROR(read_idx(tiny), tiny, 0, "magic", "too short");
  const std::string empty = dir.write("empty", "");
  EXPECT_INPUT_ERROR(read_idx(empty), empty, 0, "magic", "too short");
  const std::string dims = dir.write("d", idx_header(0x08, {1, 2}).substr(0, 9));
  EXPECT_INPUT_ERROR(read_idx(dims), dims, 0, "dims", "inside the dimension sizes");
  const std::string gz_magic = dir.write("gm", gzip(std::string("\x00\x09\x08\x01", 4)));
  EXPECT_INPUT_ERROR(read_idx(gz_magic), gz_magic, 0, "magic", "first two bytes");
}

TEST(Idx, AbsurdDimensionsFailWithoutAllocating) {
  TempDir dir;
  test::reset_largest_allocation();
  const std::string huge = dir.write("h", idx_header(0x08, {65536, 65536, 65536}) + "xyz");
  EXPECT_INPUT_ERROR(read_idx(huge), huge, 0, "dims", "more than 2^31 elements");
  const std::string huge_gz =
      dir.write("hg", gzip(idx_header(0x0E, {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 2})));
  EXPECT_INPUT_ERROR(read_idx(huge_gz), huge_gz, 0, "dims", "more than 2^31");
  // Below the cap but far more than the file could hold, raw and compressed.
  const std::string big = dir.write("b", idx_header(0x0E, {60000, 28, 28}) + "12345678");
  EXPECT_INPUT_ERROR(read_idx(big), big, 0, "dims", "truncated");
  const std::string big_gz = dir.write("bg", gzip(idx_header(0x0E, {60000, 28, 28}) + "12345678"));
  EXPECT_INPUT_ERROR(read_idx(big_gz), big_gz, 0, "dims", "bytes of data but the file is only");
  EXPECT_LT(test::largest_allocation(), test::kSmallAllocation);
}

TEST(Idx, TruncatedAndTrailingPayloadRaw) {
  TempDir dir;
  const std::string good = idx_header(0x08, {2, 3}) + "abcdef";
  const std::string cut = dir.write("cut", good.substr(0, good.size() - 1));
  EXPECT_INPUT_ERROR(read_idx(cut), cut, 0, "dims", "truncated");
  const std::string extra = dir.write("extra", good + "g");
  EXPECT_INPUT_ERROR(read_idx(extra), extra, 0, "data", "trailing bytes after the data");
  EXPECT_INPUT_ERROR(read_idx(extra), extra, 0, "data", "byte offset 18");
}

TEST(Idx, TruncatedAndTrailingPayloadGzip) {
  TempDir dir;
  std::vector<std::uint8_t> pixels(20000);
  for (std::size_t i = 0; i < pixels.size(); ++i)
    pixels[i] = static_cast<std::uint8_t>(i * 31 % 251);
  write_idx_u8(dir.file("good.gz"), pixels, {20, 1000});
  const std::string good = read_file(dir.file("good.gz"));

  // The compressed stream cut in half, and cut just before its 8-byte CRC/length trailer.
  const std::string half = dir.write("half.gz", good.substr(0, good.size() / 2));
  EXPECT_INPUT_ERROR(read_idx(half), half, 0, "gzip", "truncated gzip stream");
  const std::string no_trailer = dir.write("nt.gz", good.substr(0, good.size() - 4));
  EXPECT_INPUT_ERROR(read_idx(no_trailer), no_trailer, 0, "gzip", "truncated gzip stream");

  // A complete gzip stream whose content is shorter or longer than the dims say.
  const std::string header = idx_header(0x08, {2, 3});
  const std::string short_payload = dir.write("sp.gz", gzip(header + "abcde"));
  EXPECT_INPUT_ERROR(read_idx(short_payload), short_payload, 0, "data", "truncated payload");
  const std::string long_payload = dir.write("lp.gz", gzip(header + "abcdefg"));
  EXPECT_INPUT_ERROR(read_idx(long_payload), long_payload, 0, "data", "trailing bytes");

  // Garbage after the gzip stream; a second gzip member is valid and continues the data.
  const std::string garbage = dir.write("g.gz", gzip(header + "abcdef") + "junk");
  EXPECT_INPUT_ERROR(read_idx(garbage), garbage, 0, "gzip", "trailing bytes after the gzip stream");
  const std::string one_byte = dir.write("g1.gz", gzip(header + "abcdef") + "j");
  EXPECT_INPUT_ERROR(read_idx(one_byte), one_byte, 0, "gzip", "trailing bytes");
  const std::string members = dir.write("two.gz", gzip(header + "abc") + gzip("def"));
  EXPECT_EQ(read_idx(members).values, (std::vector<float>{'a', 'b', 'c', 'd', 'e', 'f'}));

  // Corrupted compressed bytes are caught by inflate or by the CRC check.
  std::string corrupt = good;
  for (std::size_t i = 30; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  const std::string bad = dir.write("bad.gz", corrupt);
  EXPECT_INPUT_ERROR(read_idx(bad), bad, 0, "", "gzip stream");
  std::string crc = good;
  crc[crc.size() - 6] = static_cast<char>(crc[crc.size() - 6] ^ 1);
  const std::string bad_crc = dir.write("crc.gz", crc);
  EXPECT_INPUT_ERROR(read_idx(bad_crc), bad_crc, 0, "gzip", "corrupt gzip stream");
}

TEST(Idx, WriterMisuse) {
  TempDir dir;
  const std::vector<std::uint8_t> data = {1, 2, 3, 4};
  EXPECT_THROW(write_idx_u8(dir.file("x"), data, {3}), Error);
  EXPECT_THROW(write_idx_u8(dir.file("x"), data, {}), Error);
  EXPECT_THROW(write_idx_u8(dir.file("x"), data, {1, 1, 1, 1, 4}), Error);
  EXPECT_THROW(write_idx_u8(dir.file("x"), data, {std::size_t{1} << 32, 0}), Error);
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_THROW(write_idx_u8(dir.file("no/x"), data, {4}), Error);
}

TEST(Idx, MissingFileIsAPlainError) {
  TempDir dir;
  EXPECT_THROW(read_idx(dir.file("absent.gz")), Error);
}

}  // namespace
}  // namespace descent::io
