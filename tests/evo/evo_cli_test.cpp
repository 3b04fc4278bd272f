// `descent hv` end to end: the printed hypervolume equals the library's, columns are chosen by
// name and negated by --maximize, and bad input exits 2 naming the problem.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "../support/cli_runner.hpp"
#include "../support/temp_dir.hpp"
#include "descent/evo/hypervolume.hpp"

namespace {

descent::test::CliResult hv(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, "--json hv " + args);
}

}  // namespace

TEST(HvCli, MatchesTheLibraryAndNamesColumns) {
  const std::string front = (descent::test::fresh_temp_dir("hv_ok") / "front.csv").string();
  std::ofstream(front) << "latency,accuracy,params\n10,75,1\n12,76,2\n20,77.5,3\n15,75.5,4\n";
  const auto r = hv("--front " + front +
                    " --columns latency,accuracy --maximize accuracy "
                    "--ref 30,-70");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  Eigen::MatrixXd f(4, 2);
  f << 10, -75, 12, -76, 20, -77.5, 15, -75.5;
  EXPECT_DOUBLE_EQ(j["hypervolume"].get<double>(),
                   descent::evo::hypervolume(f, Eigen::Vector2d(30, -70)));
  EXPECT_EQ(j["non_dominated"].get<int>(), 3);  // (15, 75.5) is dominated by (12, 76)
}

TEST(HvCli, BadInputExitsTwoWithAClearMessage) {
  const std::string front = (descent::test::fresh_temp_dir("hv_bad") / "front.csv").string();
  std::ofstream(front) << "a,b\n1,2\n3,inf\n";
  auto r = hv("--front " + front + " --ref 10,10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("front.csv:3"), std::string::npos) << r.out;
  std::ofstream(front) << "a,b\n1,2\n3,1\n";
  r = hv("--front " + front + " --ref 2,10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("reference point"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("front.csv:3"), std::string::npos) << r.out;
  r = hv("--front " + front + " --ref 10,10,10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'ref'"), std::string::npos) << r.out;
  r = hv("--front " + front + " --ref 10,,10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'ref'"), std::string::npos) << r.out;
  r = hv("--front " + front + " --ref 10,10 --maximize a,a");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("twice"), std::string::npos) << r.out;
  r = hv("--front " + front + " --ref 10,10 --columns a,z");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'z'"), std::string::npos) << r.out;
}
