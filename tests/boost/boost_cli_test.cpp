// `descent boost fit|predict|cv` run as a user would on their own CSV: the round trip (fit,
// save, predict the same rows, staged scores, cv) and bad input (missing target column, a
// non-numeric cell, NaN features, a class not seen in fit, a wrong model file) refused with exit
// 2, file:line and field in the message, and no output file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "../support/cli_runner.hpp"
#include "../support/temp_dir.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;
using descent::test::CliResult;
using descent::test::CliStderr;

CliResult cli(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args, CliStderr::merge);
}

class BoostCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = descent::test::fresh_temp_dir("boost_cli");
    // Three classes labelled 10, 20, 30 in a column named "kind" between the features.
    std::ofstream out(dir_ / "train.csv");
    out << "width,kind,height,depth\n";
    for (int i = 0; i < 90; ++i) {
      const double a = std::sin(0.37 * i), b = std::cos(0.91 * i), c = 0.01 * i;
      const int k = a + b > 0.6 ? 30 : a - b > 0.2 ? 20 : 10;
      out << a << "," << k << "," << b << "," << c << "\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(BoostCli, FitPredictAndCvRoundTrip) {
  const CliResult fit =
      cli("boost fit --data " + p("train.csv") +
          " --target kind --task multiclass --rounds 20 --units 2 --eta 0.5 "
          "--subsample 1 --out " +
          p("m.json") + " --network " + p("net.json") + " --log " + p("log.csv") + " --quiet");
  ASSERT_EQ(fit.code, 0) << fit.out;
  EXPECT_NE(fit.out.find("40 hidden units"), std::string::npos) << fit.out;
  {
    std::ifstream log(p("log.csv"));
    std::string line;
    int rows = 0;
    while (std::getline(log, line)) rows += !line.empty();
    EXPECT_EQ(rows, 21);  // header + one row per round
  }

  // Predicting the training rows: labels come back as 10/20/30, probabilities sum to 1, and the
  // reported accuracy is the fraction of rows whose prediction equals the label.
  const CliResult pred =
      cli("boost predict --model " + p("m.json") + " --data " + p("train.csv") + " --out " +
          p("pred.csv") + " --staged " + p("staged.csv") + " --json");
  ASSERT_EQ(pred.code, 0) << pred.out;
  const auto table = descent::io::read_csv(p("pred.csv"));
  ASSERT_EQ(table.columns, (std::vector<std::string>{"prediction", "p_10", "p_20", "p_30"}));
  const auto train = descent::io::read_csv(p("train.csv"));
  double hits = 0;
  for (Eigen::Index i = 0; i < table.values.rows(); ++i) {
    const double label = table.values(i, 0);
    EXPECT_TRUE(label == 10 || label == 20 || label == 30);
    EXPECT_NEAR(table.values.row(i).tail(3).sum(), 1.0, 1e-12);
    hits += label == train.values(i, 1);
  }
  const auto j = nlohmann::json::parse(pred.out.substr(pred.out.find('{')));
  EXPECT_NEAR(j["accuracy"].get<double>(), hits / 90.0, 1e-12);
  EXPECT_GT(hits / 90.0, 0.8);
  const auto staged = descent::io::read_csv(p("staged.csv"));
  EXPECT_EQ(staged.values.rows(), 21);  // rounds 0..20
  EXPECT_NEAR(staged.values(20, 1), hits / 90.0, 1e-12);

  // The merged network, applied by hand to the standardised features, gives the same classes.
  const auto net = descent::io::read_json(p("net.json"));
  EXPECT_EQ(net["w1"].size(), 40u);
  EXPECT_EQ(net["output"], "softmax-logits");

  // Columns in another order, without the target: matched by name.
  {
    std::ofstream out(p("features.csv"));
    out << "depth,height,width\n";
    for (int i = 0; i < 90; ++i)
      out << train.values(i, 3) << "," << train.values(i, 2) << "," << train.values(i, 0) << "\n";
  }
  const CliResult reordered = cli("boost predict --model " + p("m.json") + " --data " +
                                  p("features.csv") + " --out " + p("pred2.csv"));
  ASSERT_EQ(reordered.code, 0) << reordered.out;
  const auto table2 = descent::io::read_csv(p("pred2.csv"));
  EXPECT_LT((table2.values - table.values).cwiseAbs().maxCoeff(), 1e-9);

  const CliResult cv = cli("boost cv --data " + p("train.csv") +
                           " --target kind --task multiclass --rounds 10 --folds 3 "
                           "--inner-folds 2 --grid eta=0.5,1 --out " +
                           p("cv.csv"));
  ASSERT_EQ(cv.code, 0) << cv.out;
  EXPECT_NE(cv.out.find("over 3 folds"), std::string::npos) << cv.out;
  EXPECT_EQ(descent::io::read_csv(p("cv.csv")).values.rows(), 3);

  // Regression on the same table (target = depth, the last column by default).
  const CliResult reg = cli("boost fit --data " + p("train.csv") +
                            " --task regress --rounds 10 --out " + p("r.json") + " --json");
  ASSERT_EQ(reg.code, 0) << reg.out;
}

TEST_F(BoostCli, BadInputExitsTwoWithFileLineFieldAndWritesNothing) {
  ASSERT_EQ(cli("boost fit --data " + p("train.csv") +
                " --target kind --task multiclass --rounds 5 --out " + p("m.json") + " --quiet")
                .code,
            0);
  struct Case {
    std::string name, contents, args, expect;
  };
  const std::vector<Case> cases = {
      {"missing_target.csv", "a,b\n1,2\n3,4\n", "boost fit --task binary --target label --out OUT",
       "no column named 'label'"},
      {"text_cell.csv", "a,label\n1,0\nabc,1\n", "boost fit --task binary --out OUT",
       "text_cell.csv:3: field 'column 1 (a)'"},
      {"nan_feature.csv", "a,label\n1,0\nnan,1\n", "boost fit --task binary --out OUT",
       "nan_feature.csv:3"},
      {"one_class.csv", "a,label\n1,0\n2,0\n", "boost fit --task binary --out OUT",
       "classification needs at least two classes"},
      {"three_classes.csv", "a,label\n1,0\n2,1\n3,2\n", "boost fit --task binary --out OUT",
       "exactly 2 classes"},
      {"fractional.csv", "a,label\n1,0\n2,0.5\n", "boost fit --task multiclass --out OUT",
       "fractional.csv:3: field 'target column 2 (label)': class label 0.5 is not an integer"},
      {"new_class.csv", "width,kind,height,depth\n1,10,2,3\n1,40,2,3\n",
       "boost predict --model " + p("m.json") + " --out OUT",
       "new_class.csv:3: field 'target column 2 (kind)': class 40 did not occur"},
      {"missing_feature.csv", "width,kind,height\n1,10,2\n",
       "boost predict --model " + p("m.json") + " --out OUT", "field 'depth'"},
      {"not_a_model.json", "{\"format\": \"other\"}",
       "boost predict --model NOT_A_MODEL --data " + p("train.csv") + " --out OUT",
       "not a descent GBNN model"},
  };
  for (const Case& c : cases) {
    { std::ofstream(p(c.name)) << c.contents; }
    std::string args = c.args;
    const std::string out = p(c.name + ".out");
    args.replace(args.find("OUT"), 3, out);
    if (const auto at = args.find("NOT_A_MODEL"); at != std::string::npos)
      args.replace(at, 11, p(c.name));
    else
      args += " --data " + p(c.name);
    const CliResult r = cli(args);
    EXPECT_EQ(r.code, 2) << c.name << ": " << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.name << ": " << r.out;
    EXPECT_FALSE(fs::exists(out)) << c.name;
  }
  // Option errors are refused before any work.
  EXPECT_EQ(cli("boost fit --data iris --task multiclass --subsample 0 --out " + p("x.json")).code,
            2);
  EXPECT_EQ(cli("boost fit --data iris --task multiclass --eta nan --out " + p("x.json")).code, 2);
  EXPECT_EQ(cli("boost fit --data diabetes --task binary --out " + p("x.json")).code, 2);
  EXPECT_FALSE(fs::exists(p("x.json")));
}

}  // namespace
