// descent::offline (Eigen only): the synthetic tasks' oracles at their known optima and their
// lower-half data, percentiles against numpy's definition, the logits encoding, users' design
// tables (continuous, one letter per column, a sequence column; bad input refused with file,
// line and field), and CMA-ES.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "../support/temp_dir.hpp"
#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/offline/cmaes.hpp"
#include "descent/offline/design_table.hpp"
#include "descent/offline/encoding.hpp"
#include "descent/offline/task.hpp"

namespace {

using namespace descent::offline;
namespace fs = std::filesystem;

SyntheticOptions small() {
  SyntheticOptions o;
  o.samples = 2000;
  o.normalisation_samples = 20000;
  o.seed = 3;
  return o;
}

TEST(SyntheticTasks, OraclesAttainTheirOptimaAndDataIsTheLowerHalf) {
  for (const auto& name : synthetic_task_names()) {
    const Task t = make_synthetic_task(name, small());
    ASSERT_TRUE(t.has_oracle()) << name;
    const double at_best = t.oracle(t.best_x)[0];
    EXPECT_NEAR(at_best, t.optimum, 1e-6) << name;
    EXPECT_DOUBLE_EQ(t.y_max, t.optimum) << name;
    EXPECT_LT(t.y_min, t.data.y.minCoeff() + 1e-12) << name;
    // The data are the oracle's values of the data's designs.
    EXPECT_LT((t.oracle(t.data.x) - t.data.y).cwiseAbs().maxCoeff(), 1e-12) << name;
    // Nothing in the data comes close to the optimum: the optimiser must extrapolate.
    EXPECT_LT(t.normalise(t.data.y.maxCoeff()), 0.999) << name;
    EXPECT_EQ(t.data.columns.size(), std::size_t(t.space.dimension)) << name;
  }
}

TEST(SyntheticTasks, ContinuousOptimaAreTheTextbookOnes) {
  // Ackley's optimum 0 at the shift, Rosenbrock's 0 at ones, Branin's 0.397887 at (π, 2.275).
  const Task a = make_synthetic_task("ackley20", small());
  EXPECT_NEAR(a.oracle(a.best_x)[0], 0.0, 1e-12);
  Eigen::RowVectorXd off = a.best_x;
  off[0] += 0.5;
  EXPECT_LT(a.oracle(off)[0], -0.5);
  const Task r = make_synthetic_task("rosenbrock10", small());
  EXPECT_EQ(r.oracle(Eigen::RowVectorXd::Ones(10))[0], 0.0);
  EXPECT_NEAR(r.oracle(Eigen::RowVectorXd::Zero(10))[0], -9.0, 1e-12);
  const Task b = make_synthetic_task("branin20", small());
  EXPECT_NEAR(b.oracle(b.best_x)[0], -0.397887357729738, 1e-9);
  // The 18 distractors do not matter.
  Eigen::RowVectorXd moved = b.best_x;
  int changed = 0;
  for (Eigen::Index j = 0; j < 20; ++j) {
    Eigen::RowVectorXd m = b.best_x;
    m[j] = 0.9;
    if (std::abs(b.oracle(m)[0] - b.optimum) > 1e-9) ++changed;
  }
  EXPECT_EQ(changed, 2);
}

TEST(SyntheticTasks, Tfbind8IsExhaustive) {
  const Task t = make_synthetic_task("tfbind8", small());
  EXPECT_TRUE(t.space.discrete);
  EXPECT_EQ(t.data.x.rows(), 32768);
  EXPECT_EQ(t.space.letters(), 4);
  // The data are exactly the lower half of all 65,536 sequences: the other half scores above
  // the data's best.
  Eigen::MatrixXd all(65536, 8);
  for (int n = 0; n < 65536; ++n)
    for (int i = 0, v = n; i < 8; ++i, v /= 4) all(n, i) = double(v % 4);
  const Eigen::VectorXd y = t.oracle(all);
  EXPECT_EQ((y.array() > t.data.y.maxCoeff()).count(), 32768);
  EXPECT_DOUBLE_EQ(y.maxCoeff(), t.optimum);
  EXPECT_DOUBLE_EQ(y.minCoeff(), t.y_min);
  const Task again = make_synthetic_task("tfbind8", small());
  EXPECT_EQ(t.data.x, again.data.x);  // seeded
  SyntheticOptions other = small();
  other.seed = 4;
  EXPECT_NE(make_synthetic_task("tfbind8", other).optimum, t.optimum);
  EXPECT_THROW(make_synthetic_task("nope", small()), descent::InvalidOption);
}

TEST(Percentiles, MatchNumpyLinearInterpolation) {
  // numpy.percentile([1, 2, 3, 4, 10], [100, 80, 50]) = [10, 5.2, 3].
  const std::vector<double> v{4, 1, 10, 3, 2};
  EXPECT_DOUBLE_EQ(percentile(v, 100), 10.0);
  EXPECT_NEAR(percentile(v, 80), 5.2, 1e-12);
  EXPECT_DOUBLE_EQ(percentile(v, 50), 3.0);
  EXPECT_DOUBLE_EQ(percentile(v, 0), 1.0);
  EXPECT_TRUE(std::isnan(percentile({1.0, NAN, 2.0}, 50)));
  Task t;
  t.y_min = 0;
  t.y_max = 10;
  Eigen::VectorXd y(5);
  y << 4, 1, 10, 3, 2;
  const PercentileScores s = percentile_scores(t, y);
  EXPECT_DOUBLE_EQ(s.p100, 1.0);
  EXPECT_NEAR(s.p80, 0.52, 1e-12);
  const auto [m, se] = mean_and_se({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(m, 2.0);
  EXPECT_NEAR(se, 1.0 / std::sqrt(3.0), 1e-12);
}

TEST(Encoding, LogitsAreDesignBenchsAndDecodeBack) {
  Eigen::MatrixXd codes(3, 2);
  codes << 0, 3, 2, 1, 1, 0;
  const Eigen::MatrixXd l = codes_to_logits(codes, 4);
  ASSERT_EQ(l.cols(), 6);
  // p = 0.6·onehot + 0.1: the chosen letter log(0.7), others log(0.1), relative to letter 0.
  const double up = std::log(0.7 / 0.1);
  EXPECT_NEAR(l(0, 0), -up, 1e-12);  // letter 0 chosen: every other letter below it
  EXPECT_NEAR(l(0, 5), up, 1e-12);   // position 2, letter 3
  EXPECT_NEAR(l(0, 3), 0.0, 1e-12);
  EXPECT_EQ(logits_to_codes(l, 2, 4), codes);
  const InputEncoding enc(DesignSpace{true, 2, {"A", "C", "G", "T"}}, codes);
  const Eigen::MatrixXd z = enc.encode(codes);
  EXPECT_NEAR(z.colwise().mean().cwiseAbs().maxCoeff(), 0.0, 1e-12);
  EXPECT_EQ(enc.decode(z), codes);
  const descent::data::Standardizer zs(l);
  EXPECT_LT((zs.inverse_transform(zs.transform(l)) - l).cwiseAbs().maxCoeff(), 1e-12);
}

class DesignTable : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = descent::test::fresh_temp_dir("offline_table"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p) << text;
    return p;
  }
  // The InputError's message for reading `text` with `o`.
  std::string error_of(const std::string& text, const DesignTableOptions& o) {
    const std::string p = write("bad.csv", text);
    try {
      read_design_table(p, o);
    } catch (const descent::InputError& e) {
      return e.what();
    }
    return "no error";
  }
  fs::path dir_;
};

TEST_F(DesignTable, ContinuousLettersAndSequences) {
  const std::string c = write("c.csv", "a,y,b\n1,0.5,2\n3,1.5,4\n# comment\n\n5,NaN,6\n7,2.5,8\n");
  DesignTableOptions o;
  o.target = "y";
  const Task t = read_design_table(c, o);
  EXPECT_FALSE(t.space.discrete);
  EXPECT_EQ(t.data.x.rows(), 3);
  EXPECT_EQ(t.data.skipped_rows, 1u);
  EXPECT_EQ(t.data.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.data.x(2, 1), 8.0);
  EXPECT_EQ(t.data.y[2], 2.5);
  EXPECT_FALSE(t.has_oracle());

  DesignTableOptions d;
  d.alphabet = {"A", "C", "G", "T"};
  const std::string letters = write("l.csv", "p1,p2,p3,score\nA,C,G,1\nT,T,A,2\nG,A,C,0.5\n");
  const Task tl = read_design_table(letters, d);
  EXPECT_TRUE(tl.space.discrete);
  EXPECT_EQ(tl.space.dimension, 3);
  EXPECT_EQ(tl.data.x(1, 0), 3.0);
  const std::string seqs = write("s.csv", "seq,score\nACGT,1\nTTAA,2\n\"GACA\",0.5\n");
  const Task ts = read_design_table(seqs, d);
  EXPECT_EQ(ts.space.dimension, 4);
  EXPECT_EQ(ts.data.x(2, 0), 2.0);
  EXPECT_EQ(ts.data.columns, (std::vector<std::string>{"seq"}));
  // "NA" is a sequence over {A, N}, not a missing value; an empty cell is.
  DesignTableOptions an;
  an.alphabet = {"A", "N"};
  const Task na = read_design_table(write("na.csv", "seq,y\nNA,1\nAN,2\n,3\nAA,4\n"), an);
  EXPECT_EQ(na.data.x.rows(), 3);
  EXPECT_EQ(na.data.skipped_rows, 1u);

  // Proposals round-trip through the same reader.
  const std::string out = (dir_ / "out.csv").string();
  write_designs(out, ts, ts.data.x, {"score"}, ts.data.y);
  const Task back = read_design_table(out, d);
  EXPECT_EQ(back.data.x, ts.data.x);
  EXPECT_EQ(back.data.y, ts.data.y);
  write_designs(out, t, t.data.x, {"y"}, t.data.y);
  const Task cback = read_design_table(out, o);
  EXPECT_EQ(cback.data.x, t.data.x);
}

TEST_F(DesignTable, BadInputNamesFileLineAndField) {
  DesignTableOptions o;
  EXPECT_NE(error_of("a,y\n1,2\n2,2\n3,2\n", o).find("the target is constant"), std::string::npos);
  EXPECT_NE(error_of("a,y\n1,2\n2,2\n3,2\n", o).find("bad.csv:2"), std::string::npos);
  o.target = "z";
  EXPECT_NE(error_of("a,y\n1,2\n2,3\n", o).find("no column named 'z'"), std::string::npos);
  o.target = "9";
  EXPECT_NE(error_of("a,y\n1,2\n2,3\n", o).find("column 9 does not exist"), std::string::npos);
  o.target.clear();
  EXPECT_NE(error_of("1,2\n3,4\n", o).find("must name the columns"), std::string::npos);
  EXPECT_NE(error_of("a,y\n1,2\n2\n", o).find("bad.csv:3"), std::string::npos);
  EXPECT_NE(error_of("a,y\n1,2\nx,3\n", o).find("column 1 (a)"), std::string::npos);
  EXPECT_NE(error_of("a,y\n1,2\n,3\n", o).find("fewer than 2 usable rows"), std::string::npos);
  o.strict = true;
  const std::string strict = error_of("a,y\n1,2\n2,nan\n3,4\n", o);
  EXPECT_NE(strict.find("bad.csv:3"), std::string::npos) << strict;
  EXPECT_NE(strict.find("column 2 (y)"), std::string::npos) << strict;
  EXPECT_NE(strict.find("missing value"), std::string::npos) << strict;
  DesignTableOptions d;
  d.alphabet = {"A", "C", "G", "T"};
  const std::string letter = error_of("p1,p2,y\nA,C,1\nA,U,2\n", d);
  EXPECT_NE(letter.find("bad.csv:3"), std::string::npos) << letter;
  EXPECT_NE(letter.find("letter 'U' is not in the alphabet A,C,G,T"), std::string::npos) << letter;
  const std::string length = error_of("s,y\nACGT,1\nACG,2\n", d);
  EXPECT_NE(length.find("sequence of length 3"), std::string::npos) << length;
  // A first row of letters and a number is data, not a header.
  const std::string headless = error_of("ACGT,1\nACGA,2\nTTTT,3\n", d);
  EXPECT_NE(headless.find("looks like data"), std::string::npos) << headless;
  // Values whose squares overflow cannot be standardised: named, not a NaN later.
  const std::string huge = error_of("a,y\n1e200,1\n-1e200,2\n", DesignTableOptions{});
  EXPECT_NE(huge.find("column 1 (a)"), std::string::npos) << huge;
  EXPECT_NE(huge.find("too large"), std::string::npos) << huge;
  d.alphabet = {"A", "A"};
  EXPECT_THROW(read_design_table(write("x.csv", "s,y\nA,1\nA,2\n"), d), descent::InvalidOption);
}

TEST(Cmaes, MaximisesQuadraticsAndRosenbrock) {
  CmaesOptions o;
  o.seed = 1;
  o.sigma = 0.5;
  Eigen::VectorXd target(6);
  target << 1, -2, 0.5, 3, 0, -1;
  Cmaes es(Eigen::VectorXd::Zero(6), o);
  for (int g = 0; g < 300; ++g) {
    const Eigen::MatrixXd& x = es.ask();
    Eigen::VectorXd f(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      f[i] = -(x.row(i).transpose() - target)
                  .cwiseProduct(Eigen::VectorXd::LinSpaced(6, 1, 100))
                  .squaredNorm();
    es.tell(f);
  }
  EXPECT_LT((es.mean() - target).norm(), 1e-4);
  EXPECT_EQ(es.population(), 4 + int(std::floor(3 * std::log(6.0))));
  // Rosenbrock in 5-D (a curved valley: needs the covariance adaptation).
  Cmaes rb(Eigen::VectorXd::Zero(5), o);
  for (int g = 0; g < 1500; ++g) {
    const Eigen::MatrixXd& x = rb.ask();
    Eigen::VectorXd f(x.rows());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      double s = 0;
      for (int j = 0; j < 4; ++j)
        s += 100 * std::pow(x(i, j + 1) - x(i, j) * x(i, j), 2) + std::pow(1 - x(i, j), 2);
      f[i] = -s;
    }
    rb.tell(f);
  }
  EXPECT_LT((rb.best() - Eigen::VectorXd::Ones(5)).norm(), 1e-3);
  // Deterministic for a seed.
  Cmaes a(Eigen::VectorXd::Zero(3), o), b(Eigen::VectorXd::Zero(3), o);
  EXPECT_EQ(a.ask(), b.ask());
  EXPECT_THROW(Cmaes(Eigen::VectorXd::Zero(3), CmaesOptions{.sigma = -1}), descent::InvalidOption);
  Cmaes c(Eigen::VectorXd::Zero(3), o);
  EXPECT_THROW(c.tell(Eigen::VectorXd::Zero(c.population())), descent::Error);  // before ask
  // Hansen's weights: ln((λ + 1)/2) − ln i, positive and summing to 1 (λ odd here: 7).
  EXPECT_EQ(c.population(), 7);
}

}  // namespace
