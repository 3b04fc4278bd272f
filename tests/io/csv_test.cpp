// Numeric CSV: exact round trips, header detection and malformed input.
#include "descent/io/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <zlib.h>

#include "descent/io/atomic_file.hpp"
#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::TempDir;

// Doubles that a lossy printer would not reproduce, plus random bit patterns.
Eigen::MatrixXd tricky_matrix(Eigen::Index rows, Eigen::Index cols) {
  const double specials[] = {0.1,
                             1.0 / 3.0,
                             -2.0 / 3.0,
                             1e-300,
                             5e-324,
                             -0.0,
                             1e308,
                             3.141592653589793,
                             123456789012345678.0,
                             2.2250738585072014e-308};
  Eigen::MatrixXd m(rows, cols);
  std::mt19937_64 rng(42);
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    if (static_cast<std::size_t>(i) < std::size(specials)) {
      m.data()[i] = specials[i];
      continue;
    }
    double v;
    do {
      const std::uint64_t bits = rng();
      std::memcpy(&v, &bits, sizeof v);
    } while (!std::isfinite(v));
    m.data()[i] = v;
  }
  return m;
}

void expect_bitwise_equal(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.cols(), b.cols());
  for (Eigen::Index i = 0; i < a.size(); ++i)
    EXPECT_EQ(std::memcmp(&a.data()[i], &b.data()[i], sizeof(double)), 0)
        << "entry " << i << ": " << a.data()[i] << " vs " << b.data()[i];
}

TEST(Csv, RoundTripWithHeaderIsExact) {
  TempDir dir;
  const std::string p = dir.file("t.csv");
  const Eigen::MatrixXd m = tricky_matrix(25, 4);
  write_csv(p, m, {"a", "b", "c", "d"});
  const CsvTable t = read_csv(p);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "b", "c", "d"}));
  expect_bitwise_equal(t.values, m);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"t.csv"});
}

TEST(Csv, RoundTripWithoutHeader) {
  TempDir dir;
  const std::string p = dir.file("t.csv");
  const Eigen::MatrixXd m = tricky_matrix(3, 5);
  write_csv(p, m);
  const CsvTable t = read_csv(p);
  EXPECT_TRUE(t.columns.empty());
  expect_bitwise_equal(t.values, m);
  expect_bitwise_equal(read_csv_matrix(p), m);
}

TEST(Csv, WrittenFormat) {
  TempDir dir;
  const std::string p = dir.file("t.csv");
  Eigen::MatrixXd m(2, 2);
  m << 1, 0.5, -3, 0.1;
  write_csv(p, m, {"x", "y"});
  EXPECT_EQ(read_file(p), "x,y\n1,0.5\n-3,0.10000000000000001\n");
}

TEST(Csv, NonFiniteValuesAreWrittenButRejectedUnlessAllowed) {
  TempDir dir;
  const std::string p = dir.file("nf.csv");
  Eigen::MatrixXd m(2, 3);
  m << 1, std::numeric_limits<double>::quiet_NaN(), 2, std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(), 3;
  write_csv(p, m, {"a", "b", "c"});
  EXPECT_INPUT_ERROR(read_csv(p), p, 2, "column 2 (b)", "not a finite number");
  CsvOptions o;
  o.allow_non_finite = true;
  const Eigen::MatrixXd back = read_csv_matrix(p, o);
  EXPECT_TRUE(std::isnan(back(0, 1)));
  EXPECT_EQ(back(1, 0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(back(1, 1), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(back(1, 2), 3.0);
}

TEST(Csv, HeaderAutoDetection) {
  TempDir dir;
  const std::string numeric = dir.write("n.csv", "1,2\n3,4\n");
  CsvTable t = read_csv(numeric);
  EXPECT_TRUE(t.columns.empty());
  EXPECT_EQ(t.values.rows(), 2);

  // One non-numeric name is enough to make the first row a header.
  const std::string mixed = dir.write("m.csv", "1,x\n3,4\n");
  t = read_csv(mixed);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"1", "x"}));
  EXPECT_EQ(t.values.rows(), 1);

  CsvOptions yes;
  yes.header = CsvOptions::Header::yes;
  t = read_csv(numeric, yes);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"1", "2"}));
  ASSERT_EQ(t.values.rows(), 1);
  EXPECT_EQ(t.values(0, 1), 4.0);

  CsvOptions no;
  no.header = CsvOptions::Header::no;
  EXPECT_INPUT_ERROR(read_csv(mixed, no), mixed, 1, "column 2", "'x' is not a number");
}

TEST(Csv, CommentsBlankLinesCrlfAndQuotedHeader) {
  TempDir dir;
  const std::string p =
      dir.write("c.csv",
                "# produced by a tool\r\n\r\n\"sepal length\", \"petal_width\"\r\n  1.5 , 2\r\n"
                "# middle comment\r\n\r\n   \r\n-3e2,+4\r\n");
  const CsvTable t = read_csv(p);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"sepal length", "petal_width"}));
  Eigen::MatrixXd want(2, 2);
  want << 1.5, 2, -300, 4;
  EXPECT_EQ(t.values, want);
}

TEST(Csv, SkipRowsAndOtherDelimiters) {
  TempDir dir;
  const std::string p = dir.write("s.csv", "preamble, not, csv\nmore preamble\na;b\n1;2\n");
  CsvOptions o;
  o.skip_rows = 2;
  o.delimiter = ';';
  const CsvTable t = read_csv(p, o);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.values(0, 1), 2.0);

  const std::string tsv = dir.write("t.tsv", "x\ty\n1\t2\n3\tzz\n");
  CsvOptions tab;
  tab.delimiter = '\t';
  EXPECT_INPUT_ERROR(read_csv(tsv, tab), tsv, 3, "column 2 (y)", "'zz' is not a number");
  // A physical line skipped by skip_rows still counts for line numbers.
  o.skip_rows = 1;
  const std::string q = dir.write("q.csv", "junk\na;b\n1;x\n");
  EXPECT_INPUT_ERROR(read_csv(q, o), q, 3, "column 2 (b)", "'x'");
}

TEST(Csv, SingleColumnAndSingleRow) {
  TempDir dir;
  const std::string p = dir.write("one.csv", "v\n7\n");
  const CsvTable t = read_csv(p);
  EXPECT_EQ(t.values.rows(), 1);
  EXPECT_EQ(t.values.cols(), 1);
  EXPECT_EQ(t.values(0, 0), 7.0);
}

TEST(Csv, RaggedRows) {
  TempDir dir;
  const std::string few = dir.write("few.csv", "a,b,c\n1,2,3\n4,5\n");
  EXPECT_INPUT_ERROR(read_csv(few), few, 3, "column 3 (c)", "expected 3 fields, found 2");
  const std::string many = dir.write("many.csv", "1,2\n# c\n3,4,5\n");
  EXPECT_INPUT_ERROR(read_csv(many), many, 3, "column 3", "expected 2 fields, found 3");
  const std::string trailing = dir.write("tr.csv", "a,b\n1,2,\n");
  EXPECT_INPUT_ERROR(read_csv(trailing), trailing, 2, "column 3", "found 3");
}

TEST(Csv, NonNumericFields) {
  TempDir dir;
  const std::string p =
      dir.write("iris.csv", "sepal,petal_length,petal_width\n1,2,3\n4,5,6\n7,8,abc\n");
  EXPECT_INPUT_ERROR(read_csv(p), p, 4, "column 3 (petal_width)", "'abc' is not a number");
  const auto e = test::catch_input_error([&] { read_csv(p); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line(), 4u);
  EXPECT_EQ(std::string(e->what()),
            p + ":4: field 'column 3 (petal_width)': 'abc' is not a number");

  const std::string junk = dir.write("junk.csv", "a,b\n1.5x,2\n");
  EXPECT_INPUT_ERROR(read_csv(junk), junk, 2, "column 1 (a)", "'1.5x' is not a number");
  const std::string empty_field = dir.write("ef.csv", "a,b,c\n1,,3\n");
  EXPECT_INPUT_ERROR(read_csv(empty_field), empty_field, 2, "column 2 (b)", "empty field");
  const std::string hex = dir.write("hex.csv", "1,2\n1,0x1F\n");
  EXPECT_INPUT_ERROR(read_csv(hex), hex, 2, "column 2", "not a number");
  const std::string big = dir.write("big.csv", "a\n1e999\n");
  EXPECT_INPUT_ERROR(read_csv(big), big, 2, "column 1 (a)", "out of range");
}

TEST(Csv, NanAndInfTextAreRejected) {
  TempDir dir;
  for (const char* bad : {"nan", "NaN", "inf", "-inf", "Infinity"}) {
    const std::string p = dir.write("bad.csv", std::string("a,b\n1,2\n3,") + bad + "\n");
    EXPECT_INPUT_ERROR(read_csv(p), p, 3, "column 2 (b)", "not a finite number");
  }
}

TEST(Csv, NanInTheFirstRowIsBadDataNotAHeader) {
  TempDir dir;
  const std::string p = dir.write("first.csv", "1,nan,3\n4,5,6\n");
  EXPECT_INPUT_ERROR(read_csv(p), p, 1, "column 2", "'nan' is not a finite number");
  const std::string big = dir.write("big.csv", "1e999,2\n");
  EXPECT_INPUT_ERROR(read_csv(big), big, 1, "column 1", "out of range");
  CsvOptions o;
  o.allow_non_finite = true;
  const CsvTable t = read_csv(p, o);
  EXPECT_TRUE(t.columns.empty());
  EXPECT_TRUE(std::isnan(t.values(0, 1)));
}

TEST(Csv, EmptyAndHeaderOnlyFiles) {
  TempDir dir;
  const std::string empty = dir.write("empty.csv", "");
  EXPECT_INPUT_ERROR(read_csv(empty), empty, 0, "", "empty file");
  const std::string comments = dir.write("comments.csv", "# nothing\n\n");
  EXPECT_INPUT_ERROR(read_csv(comments), comments, 0, "", "empty file");
  const std::string header = dir.write("header.csv", "a,b,c\n");
  EXPECT_INPUT_ERROR(read_csv(header), header, 0, "", "no data rows");
  CsvOptions o;
  o.skip_rows = 5;
  const std::string short_file = dir.write("short.csv", "1,2\n");
  EXPECT_INPUT_ERROR(read_csv(short_file, o), short_file, 0, "", "empty file");
}

TEST(Csv, MissingFileIsAPlainError) {
  TempDir dir;
  EXPECT_THROW(read_csv(dir.file("absent.csv")), Error);
}

TEST(Csv, WriterMisuse) {
  TempDir dir;
  const Eigen::MatrixXd m = Eigen::MatrixXd::Ones(2, 2);
  EXPECT_THROW(write_csv(dir.file("a.csv"), m, {"only_one"}), Error);
  EXPECT_THROW(write_csv(dir.file("a.csv"), m, {"a,b", "c"}), Error);
  EXPECT_THROW(write_csv(dir.file("a.csv"), m, {"a\nb", "c"}), Error);
  EXPECT_TRUE(dir.entries().empty());
  const std::string nodir = dir.file("missing/a.csv");
  try {
    write_csv(nodir, m);
    ADD_FAILURE() << "expected descent::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(nodir), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace descent::io

namespace descent::io {
namespace {

void write_gzip(const std::string& path, const std::string& text, std::size_t keep = SIZE_MAX) {
  const std::string tmp = path + ".full";
  gzFile f = gzopen(tmp.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  std::string bytes = read_file(tmp);
  if (keep < bytes.size()) bytes.resize(keep);  // simulate a truncated download
  write_file_atomic(path, bytes);
}

TEST(Csv, GzipCompressedFilesAreReadByContent) {
  TempDir dir;
  const std::string p = dir.file("digits.csv.gz");
  write_gzip(p, "a,b\n1,2\n3,4\n");
  const CsvTable t = read_csv(p);
  EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.values, (Eigen::MatrixXd(2, 2) << 1, 2, 3, 4).finished());
  const std::string odd = dir.file("no_extension");  // detected by magic, not by name
  write_gzip(odd, "5,6\n");
  EXPECT_EQ(read_csv_matrix(odd)(0, 1), 6.0);
  const std::string bad = dir.file("bad.csv.gz");
  write_gzip(bad, "1,2\n3,x\n");
  EXPECT_INPUT_ERROR(read_csv(bad), bad, 2, "column 2", "not a number");
  std::string big = "a\n";
  for (int i = 0; i < 20000; ++i) big += std::to_string(i) + "\n";
  const std::string cut = dir.file("cut.csv.gz");
  write_gzip(cut, big, 200);
  EXPECT_THROW(read_csv(cut), InputError);
}

}  // namespace
}  // namespace descent::io
