// LIBSVM / svmlight: round trips, accepted variants and malformed input.
#include "descent/io/libsvm.hpp"

#include <gtest/gtest.h>

#include <random>

#include "descent/io/atomic_file.hpp"
#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::TempDir;
using Csr = Eigen::SparseMatrix<double, Eigen::RowMajor>;

Csr random_csr(int rows, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Eigen::Triplet<double>> t;
  for (int i = 0; i < rows; ++i) {
    if (i == 2) continue;  // one sample without features
    for (int j = 0; j < cols; ++j)
      if (u(rng) < 0.3) t.emplace_back(i, j, (u(rng) - 0.5) * std::pow(10.0, 30 * u(rng) - 15));
  }
  Csr x(rows, cols);
  x.setFromTriplets(t.begin(), t.end());
  return x;
}

TEST(Libsvm, RoundTripIsExact) {
  TempDir dir;
  const std::string p = dir.file("d.svm");
  Csr x = random_csr(9, 12, 5);
  x.coeffRef(0, 11) = 0.1;  // make sure the last column is used, so the inferred width matches
  Eigen::VectorXd y(9);
  y << 1, -1, 0.5, 1.0 / 3.0, 2, 3, -7, 0, 1e-300;
  write_libsvm(p, x, y);
  const SvmlightData d = read_libsvm(p);
  EXPECT_EQ(d.labels, y);
  EXPECT_EQ(d.features.rows(), 9);
  EXPECT_EQ(d.features.cols(), 12);
  EXPECT_EQ(Eigen::MatrixXd(d.features), Eigen::MatrixXd(x));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"d.svm"});

  const SvmlightData wide = read_libsvm(p, 20);
  EXPECT_EQ(wide.features.cols(), 20);
  EXPECT_EQ(Eigen::MatrixXd(wide.features).leftCols(12), Eigen::MatrixXd(x));
}

TEST(Libsvm, WrittenFormat) {
  TempDir dir;
  Csr x(2, 3);
  x.insert(0, 0) = 0.5;
  x.insert(0, 2) = -2;
  x.insert(1, 1) = 0.1;
  Eigen::VectorXd y(2);
  y << 1, -1;
  write_libsvm(dir.file("w.svm"), x, y);
  EXPECT_EQ(read_file(dir.file("w.svm")), "1 1:0.5 3:-2\n-1 2:0.10000000000000001\n");
}

TEST(Libsvm, AcceptsCommentsQidBlankLinesTabsAndCrlf) {
  TempDir dir;
  const std::string p =
      dir.write("v.svm",
                "# header comment\r\n+1 qid:3 1:0.5\t4:2 # trailing comment\r\n\r\n"
                "-1 qid:3\r\n   \r\n2.5 2:1e-3 3:+4\r\n");
  const SvmlightData d = read_libsvm(p);
  Eigen::VectorXd y(3);
  y << 1, -1, 2.5;
  EXPECT_EQ(d.labels, y);
  Eigen::MatrixXd want = Eigen::MatrixXd::Zero(3, 4);
  want(0, 0) = 0.5;
  want(0, 3) = 2;
  want(2, 1) = 1e-3;
  want(2, 2) = 4;
  EXPECT_EQ(Eigen::MatrixXd(d.features), want);
}

TEST(Libsvm, EmptyFileGivesEmptyData) {
  TempDir dir;
  const SvmlightData d = read_libsvm(dir.write("e.svm", "# only a comment\n"), 5);
  EXPECT_EQ(d.features.rows(), 0);
  EXPECT_EQ(d.features.cols(), 5);
  EXPECT_EQ(d.labels.size(), 0);
}

TEST(Libsvm, LabelErrors) {
  TempDir dir;
  for (const char* label : {"abc", "1,2", "nan", "inf", "1x"}) {
    const std::string p = dir.write("l.svm", std::string("# c\n1 1:1\n") + label + " 2:1\n");
    EXPECT_INPUT_ERROR(read_libsvm(p), p, 3, "label", std::string("'") + label + "'");
  }
  const std::string only_feature = dir.write("f.svm", "1:2 3:4\n");
  EXPECT_INPUT_ERROR(read_libsvm(only_feature), only_feature, 1, "label", "'1:2'");
}

TEST(Libsvm, IndexErrors) {
  TempDir dir;
  struct Case {
    const char* line;
    const char* what;
  };
  const Case cases[] = {
      {"1 1:1 3\n", "token 3 '3' lacks ':'"},
      {"1 0:1\n", "1-based"},
      {"1 -2:1\n", "1-based"},
      {"1 2:1 2:3\n", "indices must increase (previous was 2)"},
      {"1 5:1 3:3\n", "indices must increase"},
      {"1 x:1\n", "not an integer"},
      {"1 1.5:1\n", "not an integer"},
      {"1 :1\n", "not an integer"},
      {"1 3000000000:1\n", "exceeds 2^31"},
      {"1 2147483649:1\n", "exceeds 2^31"},
      {"1 99999999999999999999:1\n", "exceeds 2^31"},
      {"1 qid:x 1:1\n", "not an integer"},
  };
  for (const Case& c : cases) {
    const std::string p = dir.write("i.svm", std::string("1 1:1\n\n") + c.line);
    const std::string field =
        std::string(c.line).find("qid") != std::string::npos ? "qid" : "index";
    EXPECT_INPUT_ERROR(read_libsvm(p), p, 3, field, c.what);
  }
  const std::string p = dir.write("n.svm", "1 1:1\n1 4:1 7:2\n");
  EXPECT_INPUT_ERROR(read_libsvm(p, 5), p, 2, "index",
                     "token 3 '7:2': index exceeds n_features = 5");
  EXPECT_EQ(read_libsvm(p, 7).features.cols(), 7);
  EXPECT_EQ(read_libsvm(p).features.cols(), 7);
}

TEST(Libsvm, ValueErrors) {
  TempDir dir;
  for (const char* value : {"nan", "inf", "-inf", "abc", "", "1e999", "2..5"}) {
    const std::string p = dir.write("v.svm", std::string("1 1:1\n-1 2:") + value + " 3:1\n");
    EXPECT_INPUT_ERROR(read_libsvm(p), p, 2, "value", "token 2");
  }
}

TEST(Libsvm, WriterMisuse) {
  TempDir dir;
  Csr x(2, 2);
  Eigen::VectorXd y(3);
  y.setZero();
  EXPECT_THROW(write_libsvm(dir.file("x.svm"), x, y), Error);
  Eigen::VectorXd y2(2);
  y2 << 1, std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(write_libsvm(dir.file("x.svm"), x, y2), Error);
  EXPECT_TRUE(dir.entries().empty());
  EXPECT_THROW(write_libsvm(dir.file("no/x.svm"), x, Eigen::VectorXd::Zero(2)), Error);
}

}  // namespace
}  // namespace descent::io
