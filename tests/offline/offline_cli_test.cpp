// `descent offline propose|eval` as a user runs them: proposals from a continuous CSV, from
// letters in columns and from a column of sequences; bad input (a constant or missing target,
// missing values with and without --strict, letters outside the alphabet) refused with exit 2,
// file:line and field in the message, and no output written.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "../support/cli_runner.hpp"
#include "../support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using descent::test::CliResult;
using descent::test::CliStderr;

CliResult cli(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args, CliStderr::merge);
}

const std::string kFast = " --hidden 16,16 --epochs 3 --steps 10 --quiet";

class OfflineCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = descent::test::fresh_temp_dir("offline_cli");
    std::ofstream c(dir_ / "cont.csv");
    c << "temperature,pressure,yield\n";
    for (int i = 0; i < 60; ++i) {
      const double a = std::sin(0.7 * i), b = std::cos(0.3 * i);
      c << a << "," << b << "," << -(a - 0.5) * (a - 0.5) - b * b << "\n";
    }
    std::ofstream l(dir_ / "letters.csv"), s(dir_ / "seqs.csv");
    l << "p1,p2,p3,activity\n";
    s << "sequence,activity\n";
    const char* abc = "ACGT";
    for (int i = 0; i < 64; ++i) {
      const int a = i % 4, b = (i / 4) % 4, d = (i / 16) % 4;
      const double y = (a == 2) + 0.5 * (b == 1) - 0.25 * d;
      l << abc[a] << "," << abc[b] << "," << abc[d] << "," << y << "\n";
      s << abc[a] << abc[b] << abc[d] << "," << y << "\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string p(const std::string& name) const { return (dir_ / name).string(); }
  std::string read(const std::string& name) const {
    std::ifstream in(p(name));
    return {std::istreambuf_iterator<char>(in), {}};
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(p(name)) << text;
    return p(name);
  }
  fs::path dir_;
};

TEST_F(OfflineCli, ProposesFromContinuousLettersAndSequences) {
  const CliResult c = cli("offline propose --data " + p("cont.csv") +
                          " --target yield --regularizer ignite --count 5 --out " + p("c.csv") +
                          " --log " + p("log.csv") + kFast);
  ASSERT_EQ(c.code, 0) << c.out;
  EXPECT_NE(c.out.find("proposed 5 designs"), std::string::npos) << c.out;
  EXPECT_EQ(read("c.csv").substr(0, 51), "temperature,pressure,predicted_yield,predicted_std\n");
  EXPECT_NE(read("log.csv").find("lambda"), std::string::npos);

  const CliResult l = cli("offline propose --data " + p("letters.csv") +
                          " --discrete A,C,G,T --method cmaes --cmaes-iterations 5 --count 4 "
                          "--out " +
                          p("l.csv") + kFast);
  ASSERT_EQ(l.code, 0) << l.out;
  const std::string lt = read("l.csv");
  EXPECT_EQ(lt.substr(0, lt.find('\n')), "p1,p2,p3,predicted_activity,predicted_std");
  // Every proposed design is made of the alphabet's letters, one per column.
  std::istringstream rows(lt);
  std::string row;
  std::getline(rows, row);
  int n = 0;
  while (std::getline(rows, row)) {
    ++n;
    for (int k = 0; k < 3; ++k)
      EXPECT_NE(std::string("ACGT").find(row[std::size_t(2 * k)]), std::string::npos) << row;
  }
  EXPECT_EQ(n, 4);

  const CliResult s =
      cli("offline propose --data " + p("seqs.csv") +
          " --discrete A,C,G,T --method coms --count 3 --out " + p("s.csv") + kFast);
  ASSERT_EQ(s.code, 0) << s.out;
  EXPECT_EQ(read("s.csv").substr(0, 9), "sequence,");
  EXPECT_EQ(read("s.csv").find('\n', 0),
            std::string("sequence,predicted_activity,predicted_std").size());

  const CliResult e =
      cli("offline eval --task rosenbrock10 --samples 400 --count 8 --json" + kFast);
  ASSERT_EQ(e.code, 0) << e.out;
  EXPECT_NE(e.out.find("\"p100\""), std::string::npos) << e.out;
}

TEST_F(OfflineCli, BadInputIsRefusedWithFileLineAndField) {
  const std::string constant = write("constant.csv", "a,y\n1,3\n2,3\n4,3\n");
  CliResult r = cli("offline propose --data " + constant + " --out " + p("o.csv") + kFast);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("constant.csv:2: field 'column 2 (y)': the target is constant"),
            std::string::npos)
      << r.out;

  r = cli("offline propose --data " + p("cont.csv") + " --target output --out " + p("o.csv") +
          kFast);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("no column named 'output'"), std::string::npos) << r.out;

  const std::string holes = write("holes.csv", "a,b,y\n1,2,3\n2,,4\n3,1,nan\n4,4,1\n5,0,2\n");
  r = cli("offline propose --data " + holes + " --count 2 --out " + p("h.csv") + kFast);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2 row(s) of " + holes + " have missing values and were skipped"),
            std::string::npos)
      << r.out;
  r = cli("offline propose --data " + holes + " --strict --out " + p("h2.csv") + kFast);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("holes.csv:3: field 'column 2 (b)': missing value"), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(p("h2.csv")));

  r = cli("offline propose --data " + p("letters.csv") + " --discrete A,C,G --out " + p("x.csv") +
          kFast);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("letter 'T' is not in the alphabet A,C,G"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(p("x.csv")));

  r = cli("offline propose --data " + p("cont.csv") + " --discrete A,C,G,T --out " + p("x.csv") +
          kFast);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("cont.csv:2"), std::string::npos) << r.out;

  // Letters with blanks around them are the letters.
  r = cli("offline propose --data " + p("letters.csv") +
          " --discrete 'A, C, G, T' --count 2 --out " + p("blank.csv") + kFast);
  EXPECT_EQ(r.code, 0) << r.out;

  r = cli("offline propose --data " + p("cont.csv") + " --lambda nan --out " + p("x.csv") + kFast);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--lambda"), std::string::npos) << r.out;

  r = cli("offline propose --data " + p("cont.csv") + " --hidden 16,x --out " + p("x.csv") + kFast);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("--hidden"), std::string::npos) << r.out;
}

}  // namespace
