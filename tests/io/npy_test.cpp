// NumPy .npy: round trips, numpy-written fixtures, numpy reading our files, malformed input.
#include "descent/io/npy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "descent/io/atomic_file.hpp"
#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::fixture;
using test::TempDir;

// Builds a .npy file by hand: magic, version, little-endian header length, header, payload.
std::string make_npy(const std::string& dict, const std::string& payload, int major = 1) {
  std::string header = dict;
  const std::size_t prefix = 6 + 2 + (major == 1 ? 2 : 4);
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const auto len = static_cast<std::uint32_t>(header.size());
  for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i)
    out += static_cast<char>((len >> (8 * i)) & 0xff);
  return out + header + payload;
}

std::string f8_payload(std::initializer_list<double> values) {
  std::string p;
  for (double v : values) p.append(reinterpret_cast<const char*>(&v), sizeof v);
  return p;
}

const std::string kDict23 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";

TEST(Npy, MatrixRoundTripIsExactAndCOrder) {
  TempDir dir;
  const std::string p = dir.file("m.npy");
  Eigen::MatrixXd m(3, 4);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = std::sqrt(double(i) + 0.1) - 1.0;
  m(2, 3) = 5e-324;
  write_npy(p, m);
  EXPECT_EQ(read_npy_matrix(p), m);
  const NpyArray a = read_npy(p);
  EXPECT_EQ(a.dtype, "<f8");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{3, 4}));
  EXPECT_EQ(a.data[1], m(0, 1)) << "data is in C (row-major) order";
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"m.npy"});
  // The data starts on a 64-byte boundary, as numpy writes it.
  const std::string bytes = read_file(p);
  EXPECT_EQ((bytes.size() - 12 * 8) % 64, 0u);
}

TEST(Npy, SpanWritersRoundTrip) {
  TempDir dir;
  const std::vector<double> d = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  write_npy(dir.file("d.npy"), d, {2, 3, 2});
  NpyArray a = read_npy(dir.file("d.npy"));
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 3, 2}));
  EXPECT_EQ(a.data, d);
  const std::string p3 = dir.file("d.npy");
  EXPECT_INPUT_ERROR(read_npy_matrix(p3), p3, 0, "shape", "1-D or 2-D");

  const std::vector<float> f = {0.5f, -1.25f, 3.0e38f};
  write_npy_f32(dir.file("f.npy"), f, {3});
  a = read_npy(dir.file("f.npy"));
  EXPECT_EQ(a.dtype, "<f4");
  EXPECT_EQ(a.data, (std::vector<double>{0.5, -1.25, double(3.0e38f)}));
  const Eigen::MatrixXd col = read_npy_matrix(dir.file("f.npy"));
  EXPECT_EQ(col.rows(), 3);
  EXPECT_EQ(col.cols(), 1);

  const std::vector<std::int64_t> i = {-5, 0, std::int64_t{1} << 52};
  write_npy_i64(dir.file("i.npy"), i, {1, 3});
  a = read_npy(dir.file("i.npy"));
  EXPECT_EQ(a.dtype, "<i8");
  EXPECT_EQ(a.data, (std::vector<double>{-5, 0, double(std::int64_t{1} << 52)}));
}

TEST(Npy, ScalarAndEmptyArrays) {
  TempDir dir;
  const std::vector<double> one = {2.5};
  write_npy(dir.file("s.npy"), one, {});
  NpyArray a = read_npy(dir.file("s.npy"));
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.data, one);
  EXPECT_EQ(read_npy_matrix(dir.file("s.npy")), Eigen::MatrixXd::Constant(1, 1, 2.5));

  write_npy(dir.file("e.npy"), Eigen::MatrixXd(0, 3));
  a = read_npy(dir.file("e.npy"));
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{0, 3}));
  EXPECT_TRUE(a.data.empty());
  EXPECT_EQ(read_npy_matrix(dir.file("e.npy")).cols(), 3);
}

TEST(Npy, LongHeaderUsesVersion2) {
  TempDir dir;
  const std::vector<std::size_t> shape(40000, 1);  // header longer than 65535 bytes
  const std::vector<double> one = {7.0};
  write_npy(dir.file("v2.npy"), one, shape);
  EXPECT_EQ(read_file(dir.file("v2.npy"))[6], '\2');
  const NpyArray a = read_npy(dir.file("v2.npy"));
  EXPECT_EQ(a.shape.size(), 40000u);
  EXPECT_EQ(a.data, one);
}

TEST(Npy, WriterRejectsShapeMismatch) {
  TempDir dir;
  const std::vector<double> d = {1, 2, 3};
  EXPECT_THROW(write_npy(dir.file("x.npy"), d, {2, 2}), Error);
  EXPECT_THROW(write_npy(dir.file("x.npy"), d, {std::size_t{1} << 63, 4}), Error);
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_THROW(write_npy(dir.file("no/x.npy"), Eigen::MatrixXd(1, 1)), Error);
}

TEST(Npy, AllFinite) {
  NpyArray a;
  a.data = {1.0, -2.0};
  EXPECT_TRUE(all_finite(a));
  a.data.push_back(std::numeric_limits<double>::quiet_NaN());
  EXPECT_FALSE(all_finite(a));
  a.data.back() = -std::numeric_limits<double>::infinity();
  EXPECT_FALSE(all_finite(a));
}

TEST(Npy, NonFiniteValuesAreKept) {
  TempDir dir;
  Eigen::MatrixXd m(1, 2);
  m << std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN();
  write_npy(dir.file("nf.npy"), m);
  const NpyArray a = read_npy(dir.file("nf.npy"));
  EXPECT_TRUE(std::isinf(a.data[0]));
  EXPECT_TRUE(std::isnan(a.data[1]));
  EXPECT_FALSE(all_finite(a));
}

// Golden: files written by numpy itself (tests/io/data/make_fixtures.py).
TEST(Npy, ReadsNumpyWrittenFixtures) {
  NpyArray a = read_npy(fixture("f32_2x3.npy"));
  EXPECT_EQ(a.dtype, "<f4");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(a.data, (std::vector<double>{1.5, -2.25, 3.0, 4.0, 5.5, double(-0.006f)}));

  a = read_npy(fixture("i64_4.npy"));
  EXPECT_EQ(a.dtype, "<i8");
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{4}));
  EXPECT_EQ(a.data, (std::vector<double>{-3, 0, 7, double(std::int64_t{1} << 40)}));

  const Eigen::MatrixXd m = read_npy_matrix(fixture("f64_3x2.npy"));
  Eigen::MatrixXd want(3, 2);
  want << 0.1, 1e-300, -2.5, std::numbers::pi, 1e300, -0.0;
  EXPECT_EQ(m, want);
  EXPECT_TRUE(std::signbit(m(2, 1)));

  a = read_npy(fixture("u8_5.npy"));
  EXPECT_EQ(a.dtype, "|u1");
  EXPECT_EQ(a.data, (std::vector<double>{0, 1, 127, 128, 255}));

  a = read_npy(fixture("i4_2x2.npy"));
  EXPECT_EQ(a.dtype, "<i4");
  EXPECT_EQ(a.data, (std::vector<double>{-2147483648.0, -1, 0, 2147483647.0}));

  Eigen::MatrixXd v2(2, 2);
  v2 << 1, -1, 0.5, 2;
  EXPECT_EQ(read_npy_matrix(fixture("f64_v2_2x2.npy")), v2);
}

TEST(Npy, RejectsFortranOrderAndBigEndianFixtures) {
  const std::string f = fixture("f8_fortran_2x2.npy");
  EXPECT_INPUT_ERROR(read_npy(f), f, 0, "fortran_order", "fortran_order True");
  const std::string b = fixture("f8_bigendian_2.npy");
  EXPECT_INPUT_ERROR(read_npy(b), b, 0, "descr", "big-endian dtype '>f8'");
}

TEST(Npy, NumpyReadsOurFiles) {
  if (!test::have_numpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  TempDir dir;
  Eigen::MatrixXd m(2, 3);
  m << 0.1, -2, 3e-310, 4, 1.0 / 3.0, -0.0;
  write_npy(dir.file("m.npy"), m);
  write_npy_f32(dir.file("f.npy"), std::vector<float>{1.5f, -2.0f}, {2, 1});
  write_npy_i64(dir.file("i.npy"), std::vector<std::int64_t>{-7, 1LL << 60}, {2});
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "m = np.load(d + '/m.npy')\n"
      "assert m.dtype == np.float64 and m.shape == (2, 3) and m.flags['C_CONTIGUOUS']\n"
      "assert (m == np.array([[0.1, -2, 3e-310], [4, 1/3, -0.0]])).all()\n"
      "assert np.signbit(m[1, 2])\n"
      "f = np.load(d + '/f.npy')\n"
      "assert f.dtype == np.float32 and f.shape == (2, 1) and f[0, 0] == 1.5 and f[1, 0] == -2\n"
      "i = np.load(d + '/i.npy')\n"
      "assert i.dtype == np.int64 and i.tolist() == [-7, 1 << 60]\n";
  std::ofstream(dir.file("check.py")) << script;
  const std::string cmd =
      "/usr/bin/python3 " + dir.file("check.py") + " " + dir.path().string() + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "numpy rejected our files";
}

TEST(Npy, BadMagicAndVersion) {
  TempDir dir;
  const std::string bad = dir.write("bad.npy", "PK\x03\x04 this is a zip, not npy");
  EXPECT_INPUT_ERROR(read_npy(bad), bad, 0, "magic", "byte offset 0");
  const std::string empty = dir.write("empty.npy", "");
  EXPECT_INPUT_ERROR(read_npy(empty), empty, 0, "magic", "missing");
  std::string v9 = make_npy(kDict23, f8_payload({1, 2, 3, 4, 5, 6}));
  v9[6] = 9;
  const std::string pv9 = dir.write("v9.npy", v9);
  EXPECT_INPUT_ERROR(read_npy(pv9), pv9, 0, "version", "version 9");
}

TEST(Npy, BadHeaderDictionary) {
  TempDir dir;
  const std::string payload = f8_payload({1, 2, 3, 4, 5, 6});
  const std::pair<const char*, const char*> cases[] = {
      {"{'descr': '<f8', 'fortran_order': False, }", "lacks"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "unexpected key"},
      {"not a dict at all", "expected '{'"},
      {"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2, 3), }", "True or False"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, -3), }", "non-negative integer"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3}", "expected ',' or ')'"},
      {"{'descr: '<f8', 'fortran_order': False, 'shape': (2, 3), }", "expected ':'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
       "overflows"},
  };
  for (const auto& [dict, what] : cases) {
    const std::string p = dir.write("h.npy", make_npy(dict, payload));
    EXPECT_INPUT_ERROR(read_npy(p), p, 0, "header", what);
    EXPECT_INPUT_ERROR(read_npy(p), p, 0, "header", "byte offset");
  }
}

TEST(Npy, UnsupportedDtypes) {
  TempDir dir;
  for (const char* dtype : {"<c16", "<U3", "|b1", "<f2", "|O", "<u8"}) {
    const std::string p = dir.write(
        "d.npy",
        make_npy(std::string("{'descr': '") + dtype + "', 'fortran_order': False, 'shape': (1,), }",
                 std::string(16, '\0')));
    EXPECT_INPUT_ERROR(read_npy(p), p, 0, "descr", std::string("unsupported dtype '") + dtype);
  }
}

TEST(Npy, TruncatedFiles) {
  TempDir dir;
  const std::string good = make_npy(kDict23, f8_payload({1, 2, 3, 4, 5, 6}));
  // Cut in the payload: size mismatch, reported at the data offset.
  const std::string cut = dir.write("cut.npy", good.substr(0, good.size() - 1));
  EXPECT_INPUT_ERROR(read_npy(cut), cut, 0, "shape", "truncated payload");
  EXPECT_INPUT_ERROR(read_npy(cut), cut, 0, "shape", "byte offset 128");
  // Cut inside the header.
  const std::string in_header = dir.write("hdr.npy", good.substr(0, 30));
  EXPECT_INPUT_ERROR(read_npy(in_header), in_header, 0, "header", "runs past the end");
  // Cut inside the header length field.
  const std::string in_len = dir.write("len.npy", good.substr(0, 9));
  EXPECT_INPUT_ERROR(read_npy(in_len), in_len, 0, "header", "header length");
  // Extra bytes after the payload are a size mismatch too.
  const std::string extra = dir.write("extra.npy", good + "xyz");
  EXPECT_INPUT_ERROR(read_npy(extra), extra, 0, "shape", "trailing bytes");
}

TEST(Npy, AbsurdShapesFailFastWithoutAllocating) {
  TempDir dir;
  test::reset_largest_allocation();
  const std::string huge = dir.write(
      "huge.npy",
      make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }",
               f8_payload({1, 2})));
  EXPECT_INPUT_ERROR(read_npy(huge), huge, 0, "shape", "needs more than 2^64 bytes");
  const std::string big = dir.write(
      "big.npy", make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }",
                          f8_payload({1})));
  EXPECT_INPUT_ERROR(read_npy(big), big, 0, "shape", "1000000000 x 8 bytes");
  const std::string wrap = dir.write(
      "wrap.npy",
      make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952, 8), }",
               f8_payload({1})));  // 2^61 * 8 elements = 2^64: wraps to 0 without a check
  EXPECT_INPUT_ERROR(read_npy(wrap), wrap, 0, "shape", "more than 2^64");
  const std::string wrap_bytes = dir.write(
      "wrapb.npy",
      make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }",
               ""));  // 2^61 elements * 8 bytes = 2^64 bytes
  EXPECT_INPUT_ERROR(read_npy(wrap_bytes), wrap_bytes, 0, "shape", "more than 2^64");
  EXPECT_LT(test::largest_allocation(), test::kSmallAllocation);
}

TEST(Npy, VersionTwoHeaderByHand) {
  TempDir dir;
  const std::string p = dir.write("v2.npy", make_npy(kDict23, f8_payload({1, 2, 3, 4, 5, 6}), 2));
  Eigen::MatrixXd want(2, 3);
  want << 1, 2, 3, 4, 5, 6;
  EXPECT_EQ(read_npy_matrix(p), want);
}

}  // namespace
}  // namespace descent::io
