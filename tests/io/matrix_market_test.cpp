// Matrix Market: round trips, the format's variants and malformed input.
#include "descent/io/matrix_market.hpp"

#include <gtest/gtest.h>

#include <random>

#include "descent/io/atomic_file.hpp"
#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::TempDir;
using Sparse = Eigen::SparseMatrix<double>;

Sparse random_sparse(int rows, int cols, double density, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Eigen::Triplet<double>> t;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      if (u(rng) < density) t.emplace_back(i, j, (u(rng) - 0.5) * std::pow(10.0, 20 * u(rng) - 10));
  Sparse a(rows, cols);
  a.setFromTriplets(t.begin(), t.end());
  return a;
}

Eigen::MatrixXd dense(const Sparse& a) {
  return Eigen::MatrixXd(a);
}

TEST(MatrixMarket, SparseGeneralRoundTripIsExact) {
  TempDir dir;
  const std::string p = dir.file("a.mtx");
  const Sparse a = random_sparse(7, 5, 0.4, 1);
  write_matrix_market(p, a);
  const Sparse b = read_matrix_market_sparse(p);
  EXPECT_EQ(b.rows(), 7);
  EXPECT_EQ(b.cols(), 5);
  EXPECT_EQ(b.nonZeros(), a.nonZeros());
  EXPECT_EQ(dense(b), dense(a));
  EXPECT_EQ(read_matrix_market_dense(p), dense(a));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.mtx"});
  EXPECT_EQ(read_file(p).rfind("%%MatrixMarket matrix coordinate real general\n7 5 ", 0), 0u);
}

// The compressed columns are built directly (O(cols + entries)): a file claiming 1.3e8 rows and
// 12 columns with one entry (a fuzzer's timeout: Eigen's setFromTriplets spent O(rows)) reads
// as that matrix, and unsorted entries with duplicates match setFromTriplets exactly.
TEST(MatrixMarket, TallSparseFileAndUnsortedDuplicates) {
  TempDir dir;
  const std::string p = dir.file("tall.mtx");
  write_file_atomic(p, "%%MatrixMarket matrix coordinate real general\n130809977 12 1\n3 1 1\n");
  const Sparse a = read_matrix_market_sparse(p);
  EXPECT_EQ(a.rows(), 130809977);
  EXPECT_EQ(a.cols(), 12);
  ASSERT_EQ(a.nonZeros(), 1);
  EXPECT_EQ(a.coeff(2, 0), 1.0);
  // Read densely the same kind of file claims 2.6e8 entries (2 GiB, a fuzzer's out-of-memory):
  // above the 2^27-entry dense limit, refused before allocating.
  write_file_atomic(p, "%%MatrixMarket matrix coordinate real general\n130846416 2 1\n3 1 1\n");
  try {
    read_matrix_market_dense(p);
    FAIL() << "allocated a 2 GiB dense matrix for a 3-line file";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("too large for a dense matrix"), std::string::npos);
  }

  const std::string q = dir.file("dup.mtx");
  write_file_atomic(q,
                    "%%MatrixMarket matrix coordinate real symmetric\n4 4 6\n4 1 0.5\n2 2 1\n"
                    "4 1 0.25\n3 2 -2\n1 1 7\n4 4 0.1\n");
  const Sparse b = read_matrix_market_sparse(q);
  std::vector<Eigen::Triplet<double>> t = {{3, 0, 0.5},  {0, 3, 0.5},  {1, 1, 1},
                                           {3, 0, 0.25}, {0, 3, 0.25}, {2, 1, -2},
                                           {1, 2, -2},   {0, 0, 7},    {3, 3, 0.1}};
  Sparse ref(4, 4);
  ref.setFromTriplets(t.begin(), t.end());
  EXPECT_EQ(dense(b), dense(ref));
  EXPECT_EQ(b.nonZeros(), ref.nonZeros());
  EXPECT_TRUE(b.isCompressed());
}

TEST(MatrixMarket, SymmetricRoundTripWritesLowerTriangle) {
  TempDir dir;
  const std::string p = dir.file("s.mtx");
  const Sparse r = random_sparse(6, 6, 0.3, 2);
  const Sparse s = Sparse(r + Sparse(r.transpose()));
  write_matrix_market(p, s, true);
  const std::string text = read_file(p);
  EXPECT_NE(text.find("symmetric"), std::string::npos);
  const Eigen::Index lower = Sparse(s.triangularView<Eigen::Lower>()).nonZeros();
  EXPECT_NE(text.find("6 6 " + std::to_string(lower) + "\n"), std::string::npos) << text;
  EXPECT_EQ(dense(read_matrix_market_sparse(p)), dense(s));
  EXPECT_EQ(read_matrix_market_dense(p), dense(s));

  // A matrix storing only its lower triangle is written as is and read back full.
  const Sparse lower_only = s.triangularView<Eigen::Lower>();
  write_matrix_market(p, lower_only, true);
  EXPECT_EQ(dense(read_matrix_market_sparse(p)), dense(s));
}

TEST(MatrixMarket, SymmetricWriterMisuse) {
  TempDir dir;
  EXPECT_THROW(write_matrix_market(dir.file("x.mtx"), random_sparse(3, 4, 0.5, 3), true), Error);
  Sparse a(2, 2);
  a.insert(0, 1) = 1.0;
  a.insert(1, 0) = 2.0;  // stores both triangles but is not symmetric
  EXPECT_THROW(write_matrix_market(dir.file("x.mtx"), a, true), Error);
  a.coeffRef(1, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(write_matrix_market(dir.file("x.mtx"), a), Error);
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(2, 2);
  d(1, 1) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(write_matrix_market(dir.file("x.mtx"), d), Error);
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_THROW(write_matrix_market(dir.file("none/x.mtx"), Eigen::MatrixXd(1, 1)), Error);
}

TEST(MatrixMarket, DenseArrayRoundTripIsColumnMajor) {
  TempDir dir;
  const std::string p = dir.file("d.mtx");
  Eigen::MatrixXd m(2, 3);
  m << 1, 0.1, 1.0 / 3.0, -4e-300, 0, 6;
  write_matrix_market(p, m);
  EXPECT_EQ(read_file(p),
            "%%MatrixMarket matrix array real general\n2 3\n1\n-4.0000000000000001e-300\n"
            "0.10000000000000001\n0\n0.33333333333333331\n6\n");
  EXPECT_EQ(read_matrix_market_dense(p), m);
  const Sparse s = read_matrix_market_sparse(p);
  EXPECT_EQ(s.nonZeros(), 5) << "an array's zeros are not stored in the sparse result";
  EXPECT_EQ(dense(s), m);
}

TEST(MatrixMarket, FormatVariants) {
  TempDir dir;
  const std::string pattern =
      dir.write("p.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 2\n1 2\n3 1\n");
  Eigen::MatrixXd want = Eigen::MatrixXd::Zero(3, 3);
  want(0, 1) = 1;
  want(2, 0) = 1;
  EXPECT_EQ(read_matrix_market_dense(pattern), want);

  const std::string integer = dir.write(
      "i.mtx", "%%MATRIXMARKET Matrix Coordinate Integer Symmetric\n2 2 2\n1 1 -3\n2 1 7\n");
  want = Eigen::MatrixXd(2, 2);
  want << -3, 7, 7, 0;
  EXPECT_EQ(read_matrix_market_dense(integer), want);

  const std::string skew =
      dir.write("k.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 1\n3 1 2.5\n");
  want = Eigen::MatrixXd::Zero(3, 3);
  want(2, 0) = 2.5;
  want(0, 2) = -2.5;
  EXPECT_EQ(read_matrix_market_dense(skew), want);
  EXPECT_EQ(dense(read_matrix_market_sparse(skew)), want);

  const std::string sym_array =
      dir.write("sa.mtx", "%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n6\n");
  want = Eigen::MatrixXd(3, 3);
  want << 1, 2, 3, 2, 4, 5, 3, 5, 6;
  EXPECT_EQ(read_matrix_market_dense(sym_array), want);
  EXPECT_EQ(dense(read_matrix_market_sparse(sym_array)), want);

  const std::string skew_array =
      dir.write("ka.mtx", "%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n");
  want = Eigen::MatrixXd(3, 3);
  want << 0, -1, -2, 1, 0, -3, 2, 3, 0;
  EXPECT_EQ(read_matrix_market_dense(skew_array), want);

  // Duplicates are summed; comments and blank lines may appear anywhere; CRLF is fine.
  const std::string dup = dir.write(
      "dup.mtx",
      "%%MatrixMarket matrix coordinate real general\r\n% a comment\r\n\r\n2 2 3\r\n1 1 1.5\r\n"
      "% between entries\r\n1 1 2\r\n  2   2\t-1e-3  \r\n");
  want = Eigen::MatrixXd(2, 2);
  want << 3.5, 0, 0, -1e-3;
  EXPECT_EQ(read_matrix_market_dense(dup), want);
  EXPECT_EQ(dense(read_matrix_market_sparse(dup)), want);

  const std::string empty =
      dir.write("e.mtx", "%%MatrixMarket matrix coordinate real general\n0 0 0\n");
  EXPECT_EQ(read_matrix_market_sparse(empty).rows(), 0);
  EXPECT_EQ(read_matrix_market_dense(empty).size(), 0);
}

TEST(MatrixMarket, BannerErrors) {
  TempDir dir;
  struct Case {
    const char* text;
    const char* what;
  };
  const Case cases[] = {
      {"3 3 1\n1 1 1\n", "missing '%%MatrixMarket' banner"},
      {"%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1\n", "missing"},
      {"%%MatrixMarket matrix coordinate real\n1 1 1\n1 1 1\n", "found 4 words"},
      {"%%MatrixMarket vector coordinate real general\n1 1 1\n1 1 1\n", "unsupported object"},
      {"%%MatrixMarket matrix sparse real general\n1 1 1\n1 1 1\n", "unknown format"},
      {"%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", "complex"},
      {"%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n", "hermitian"},
      {"%%MatrixMarket matrix coordinate quaternion general\n1 1 1\n1 1 1\n", "unknown field"},
      {"%%MatrixMarket matrix coordinate real diagonal\n1 1 1\n1 1 1\n", "unknown symmetry"},
      {"%%MatrixMarket matrix array pattern general\n1 1\n1\n", "pattern"},
  };
  for (const Case& c : cases) {
    const std::string p = dir.write("b.mtx", c.text);
    EXPECT_INPUT_ERROR(read_matrix_market_sparse(p), p, 1, "banner", c.what);
    EXPECT_INPUT_ERROR(read_matrix_market_dense(p), p, 1, "banner", c.what);
  }
  const std::string empty = dir.write("empty.mtx", "");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(empty), empty, 0, "banner", "empty file");
}

TEST(MatrixMarket, SizeLineErrors) {
  TempDir dir;
  const std::string h = "%%MatrixMarket matrix coordinate real general\n% comment\n";
  struct Case {
    std::string body;
    const char* field;
    const char* what;
  };
  const Case cases[] = {
      {"3 3\n", "size", "ROWS COLUMNS ENTRIES"},
      {"3 3 1 4\n", "size", "ROWS COLUMNS ENTRIES"},
      {"three 3 1\n1 1 1\n", "rows", "'three' is not an integer"},
      {"3 3.5 1\n1 1 1\n", "columns", "not an integer"},
      {"-3 3 1\n1 1 1\n", "rows", "negative"},
      {"3 3 -1\n", "entries", "negative"},
      {"3 3 x\n", "entries", "not an integer"},
  };
  for (const Case& c : cases) {
    const std::string p = dir.write("s.mtx", h + c.body);
    EXPECT_INPUT_ERROR(read_matrix_market_sparse(p), p, 3, c.field, c.what);
  }
  const std::string missing = dir.write("m.mtx", h);
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(missing), missing, 3, "size", "missing size line");
  const std::string arr = dir.write("a.mtx", "%%MatrixMarket matrix array real general\n2 2 4\n");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(arr), arr, 2, "size", "ROWS COLUMNS'");
  const std::string sym =
      dir.write("ns.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n1 1 1\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(sym), sym, 2, "size", "must be square");
}

TEST(MatrixMarket, EntryCountErrors) {
  TempDir dir;
  const std::string h = "%%MatrixMarket matrix coordinate real general\n%c1\n%c2\n";
  // Too few: the file ends after 2 of 3 entries (lines 5 and 6); line 7 is missing. (Long
  // values, so that the remaining bytes could hold 3 entries and the size check passes.)
  const std::string few =
      dir.write("few.mtx", h + "3 3 3\n1 1 1.2345678901234567\n2 2 2.2345678901234567\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(few), few, 7, "entries", "2 of 3 entries");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(few), few, 7, "entries", "truncated");
  // Too many: the extra entry is on line 7.
  const std::string many = dir.write("many.mtx", h + "3 3 2\n1 1 1\n2 2 2\n3 3 3\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(many), many, 7, "entries", "more entries");
  const std::string arr_few =
      dir.write("af.mtx", "%%MatrixMarket matrix array real general\n2 2\n1.25\n2.25\n3.25\n");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(arr_few), arr_few, 6, "entries", "3 of 4");
  const std::string arr_many =
      dir.write("am.mtx", "%%MatrixMarket matrix array real general\n1 2\n1\n2\n3\n");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(arr_many), arr_many, 5, "entries", "more entries");
  const std::string fields = dir.write("fc.mtx", h + "3 3 2\n1 2\n2 2 2.5\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(fields), fields, 5, "entry 1",
                     "expected 3 fields, found 2");
  // A file too short for its declared entries fails at the size line, before any allocation.
  const std::string short_file = dir.write("sf.mtx", h + "3 3 3\n1 1 1\n2 2 2\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(short_file), short_file, 4, "entries",
                     "declares 3 entries but only 12 bytes follow");
  const std::string pat =
      dir.write("pf.mtx", "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(pat), pat, 3, "entry 1", "expected 2 fields");
}

TEST(MatrixMarket, IndexErrors) {
  TempDir dir;
  const std::string h = "%%MatrixMarket matrix coordinate real general\n% comment\n3 4 2\n1 1 1\n";
  struct Case {
    const char* entry;
    const char* field;
    const char* what;
  };
  const Case cases[] = {
      {"0 1 1\n", "row index", "0 is outside 1..3"},
      {"4 1 1\n", "row index", "4 is outside 1..3"},
      {"-1 1 1\n", "row index", "outside"},
      {"1 0 1\n", "column index", "0 is outside 1..4"},
      {"1 5 1\n", "column index", "5 is outside 1..4"},
      {"1.5 1 1\n", "row index", "not an integer"},
      {"a 1 1\n", "row index", "not an integer"},
      {"99999999999999999999 1 1\n", "row index", "out of range"},
  };
  for (const Case& c : cases) {
    const std::string p = dir.write("i.mtx", h + c.entry);
    EXPECT_INPUT_ERROR(read_matrix_market_sparse(p), p, 5, c.field, c.what);
    EXPECT_INPUT_ERROR(read_matrix_market_dense(p), p, 5, c.field, c.what);
  }
}

TEST(MatrixMarket, ValueErrors) {
  TempDir dir;
  const std::string h = "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n";
  for (const char* v : {"abc", "nan", "inf", "-Inf", "1.5e", "1e999", "0x1p3"}) {
    const std::string p = dir.write("v.mtx", h + "2 2 " + v + "\n");
    EXPECT_INPUT_ERROR(read_matrix_market_sparse(p), p, 4, "value", std::string("'") + v + "'");
  }
  const std::string arr =
      dir.write("a.mtx", "%%MatrixMarket matrix array real general\n2 1\n1\nNaN\n");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(arr), arr, 4, "value", "not a finite number");
  const std::string integer =
      dir.write("int.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(integer), integer, 3, "value", "not an integer");
}

TEST(MatrixMarket, SymmetricUpperTriangleEntry) {
  TempDir dir;
  const std::string p = dir.write(
      "u.mtx", "%%MatrixMarket matrix coordinate real symmetric\n%\n3 3 2\n2 1 1\n1 3 5\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(p), p, 5, "row index", "upper triangle");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(p), p, 5, "row index", "(1, 3)");
  const std::string skew =
      dir.write("k.mtx", "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 1\n2 2 1\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(skew), skew, 3, "row index", "strictly below");
}

TEST(MatrixMarket, AbsurdDeclaredSizesFailBeforeAllocating) {
  TempDir dir;
  test::reset_largest_allocation();
  const std::string nnz = dir.write(
      "nnz.mtx",
      "%%MatrixMarket matrix coordinate real general\n1000 1000 1000000000000000\n1 1 1\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(nnz), nnz, 2, "entries",
                     "declares 1000000000000000 entries but only 6 bytes follow");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(nnz), nnz, 2, "entries", "truncated");
  const std::string arr =
      dir.write("arr.mtx", "%%MatrixMarket matrix array real general\n1000000000 1000000000\n1\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(arr), arr, 2, "size", "declares");
  EXPECT_INPUT_ERROR(read_matrix_market_dense(arr), arr, 2, "size", "declares");
  const std::string huge =
      dir.write("huge.mtx",
                "%%MatrixMarket matrix array real symmetric\n9000000000000000000 "
                "9000000000000000000\n1\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(huge), huge, 2, "size", "over 2^64");
  // A legitimately declared but huge sparse matrix cannot be read densely.
  const std::string wide = dir.write(
      "wide.mtx", "%%MatrixMarket matrix coordinate real general\n100000 100000 1\n5 7 1\n");
  EXPECT_EQ(read_matrix_market_sparse(wide).nonZeros(), 1);
  EXPECT_INPUT_ERROR(read_matrix_market_dense(wide), wide, 2, "size", "too large");
  const std::string tall = dir.write(
      "tall.mtx", "%%MatrixMarket matrix coordinate real general\n3000000000 1 1\n5 1 1\n");
  EXPECT_INPUT_ERROR(read_matrix_market_sparse(tall), tall, 2, "size", "2^31-1");
  EXPECT_LT(test::largest_allocation(), test::kSmallAllocation);
}

}  // namespace
}  // namespace descent::io
