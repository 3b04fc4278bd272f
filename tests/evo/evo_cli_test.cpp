// `descent hv` end to end: the printed hypervolume equals the library's, columns are chosen by
// name and negated by --maximize, and bad input exits 2 naming the problem.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

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
  EXPECT_NE(r.out.find("'--ref'"), std::string::npos) << r.out;
  r = hv("--front " + front + " --ref 10,,10");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'--ref'"), std::string::npos) << r.out;
  r = hv("--front " + front + " --ref 10,10 --maximize a,a");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("twice"), std::string::npos) << r.out;
  r = hv("--front " + front + " --ref 10,10 --columns a,z");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'z'"), std::string::npos) << r.out;
}

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::size_t lines_in(const std::string& path) {
  const std::string s = slurp(path);
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

// A user's space evaluated by a user's command; the search killed with SIGKILL part-way and
// resumed: no recorded validation is evaluated again and the files equal an uninterrupted run.
TEST(SearchCli, KilledSearchResumesWithoutRepeatingValidations) {
  const auto dir = descent::test::fresh_temp_dir("search_kill");
  const std::string space = (dir / "space.json").string();
  std::ofstream(space) << R"({"variables": [{"name": "d", "count": 3, "choices": [1, 2, 3]},
                                            {"name": "w", "count": 3, "choices": [8, 16, 24]}]})";
  // The evaluator counts its calls in calls.txt and takes 50 ms per configuration.
  const std::string eval = (dir / "eval.sh").string();
  std::ofstream(eval) << "#!/bin/sh\necho x >> " << (dir / "calls.txt").string()
                      << "\nsleep 0.05\nawk -F, 'NR==1{print \"accuracy,latency\"; next}"
                         "{print $1+$2+$3*$6/8 \",\" $1*$4+$2*$5+$3*$6}'\n";
  const std::string common = "search --space " + space + " --evaluator 'sh " + eval +
                             "' --objectives accuracy,latency --method nsga2 --population 10 "
                             "--evals 60 --quiet ";
  const std::string full = (dir / "full.csv").string(), part = (dir / "part.csv").string();
  auto r = descent::test::run_cli(DESCENT_CLI, common + "--out " + full);
  ASSERT_EQ(r.code, 0) << r.out;
  ASSERT_EQ(lines_in((dir / "full.results.csv").string()), 62u);  // signature, header, 60 rows
  std::filesystem::remove(dir / "calls.txt");
  // SIGKILL once the results file holds 12 lines (10 validations), not after a fixed time: on a
  // loaded machine a timer could fire before the first row was written.
  const std::string part_results = (dir / "part.results.csv").string();
  const std::string killer = (dir / "kill_after_rows.sh").string();
  std::ofstream(killer) << "#!/bin/sh\nf=$1; n=$2; shift 2\n\"$@\" & pid=$!\n"
                           "while kill -0 $pid 2>/dev/null; do\n"
                           "  if [ -f \"$f\" ] && [ \"$(wc -l < \"$f\")\" -ge \"$n\" ]; then\n"
                           "    kill -9 $pid; wait $pid; exit 137\n  fi\n  sleep 0.02\ndone\n"
                           "wait $pid\n";
  r = descent::test::run_cli("sh " + killer + " " + part_results + " 12 " + DESCENT_CLI,
                             common + "--out " + part);
  ASSERT_NE(r.code, 0) << "the search finished before it was killed: " << r.out;
  const std::size_t recorded = lines_in(part_results) - 2;
  ASSERT_GT(recorded, 0u);
  ASSERT_LT(recorded, 60u);
  const std::size_t calls_before = lines_in((dir / "calls.txt").string());
  r = descent::test::run_cli(DESCENT_CLI, common + "--out " + part + " --resume --json");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["replayed"].get<std::size_t>(), recorded);
  EXPECT_EQ(j["new_validations"].get<std::size_t>(), 60 - recorded);
  EXPECT_EQ(lines_in((dir / "calls.txt").string()) - calls_before, 60 - recorded);
  EXPECT_EQ(slurp(part_results), slurp((dir / "full.results.csv").string()));
  EXPECT_EQ(slurp(part), slurp(full));
}

TEST(SearchCli, TierAAndBadInput) {
  const auto dir = descent::test::fresh_temp_dir("search_bad");
  const std::string out = (dir / "front.csv").string();
  auto r = descent::test::run_cli(
      DESCENT_CLI, "--json search --evals 20 --population 10 --inner-evals 200 --out " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["validations"].get<int>(), 20);
  EXPECT_GT(j["hypervolume"].get<double>(), 0.0);
  EXPECT_EQ(lines_in(out), j["front_size"].get<std::size_t>() + 1);
  // Again without --resume: the results are never overwritten.
  r = descent::test::run_cli(DESCENT_CLI, "search --evals 20 --population 10 --out " + out);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("--resume"), std::string::npos) << r.out;
  const std::string space = (dir / "empty.json").string();
  std::ofstream(space) << "{\"variables\": [\n  {\"name\": \"k\", \"choices\": []}\n]}";
  r = descent::test::run_cli(DESCENT_CLI, "search --space " + space +
                                              " --evaluator cat --objectives a,b --out " +
                                              (dir / "x.csv").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("empty.json:2: field 'variables[0].choices'"), std::string::npos) << r.out;
  r = descent::test::run_cli(DESCENT_CLI,
                             "search --space ofa-mbv3-tier-a --objectives "
                             "accuracy,latency --out " +
                                 (dir / "y.csv").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("latency"), std::string::npos) << r.out;
}

TEST(PredictFitCli, ReportsTheGridChoiceAndHeldOutScores) {
  const auto dir = descent::test::fresh_temp_dir("predict_fit");
  const std::string data = (dir / "rows.csv").string();
  {
    std::ofstream f(data);
    f << "a,b,c,y\n";
    for (int i = 0; i < 60; ++i)
      f << i % 3 << "," << (i * 7) % 5 << "," << (i * 3) % 4 << ","
        << 10 + (i % 3) + 0.5 * ((i * 7) % 5) + 0.01 * i << "\n";
  }
  auto r = descent::test::run_cli(DESCENT_CLI,
                                  "--json predict-fit --data " + data + " --target y --holdout 10");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["training_rows"].get<int>(), 50);
  EXPECT_TRUE(j["chosen"] == "ridge" || j["chosen"] == "svr");
  EXPECT_LT(j["holdout"]["mape"].get<double>(), 0.05);
  EXPECT_GT(j["holdout"]["kendall_tau"].get<double>(), 0.8);
  r = descent::test::run_cli(DESCENT_CLI, "predict-fit --data " + data + " --target z");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'z'"), std::string::npos) << r.out;
}

// Tier B from the CLI: the supernet trained (briefly), saved, and loaded by a second search.
TEST(SearchCli, DigitsElasticTrainsSavesAndReloadsTheSupernet) {
  const auto dir = descent::test::fresh_temp_dir("search_tierb");
  const std::string ck = (dir / "supernet.pt").string();
  const std::string args =
      "--json search --space digits-elastic --objectives accuracy,macs "
      "--method random --evals 20 --population 10 --supernet-steps 50 "
      "--supernet " +
      ck + " --quiet --out ";
  auto r = descent::test::run_cli(DESCENT_CLI, args + (dir / "a.csv").string());
  if (r.out.find("needs a build with LibTorch") != std::string::npos)
    GTEST_SKIP() << "built without LibTorch";
  ASSERT_EQ(r.code, 0) << r.out;
  ASSERT_TRUE(std::filesystem::exists(ck));
  r = descent::test::run_cli(DESCENT_CLI, args + (dir / "b.csv").string());
  ASSERT_EQ(r.code, 0) << r.out;
  // Same supernet, same seed: the same validations (accuracy and MACs are deterministic).
  EXPECT_EQ(slurp((dir / "a.results.csv").string()), slurp((dir / "b.results.csv").string()));
  EXPECT_GT(lines_in((dir / "a.csv").string()), 1u);
}

TEST(SearchCli, ResultsNeverShareAPathWithTheFront) {
  const auto dir = descent::test::fresh_temp_dir("search_paths");
  const std::string out = (dir / "r.csv").string();
  auto r =
      descent::test::run_cli(DESCENT_CLI,
                             "search --evals 10 --population 5 --inner-evals "
                             "10 --out " +
                                 out + " --results " + (dir / "sub" / ".." / "r.csv").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'--results'"), std::string::npos) << r.out;
  r = descent::test::run_cli(DESCENT_CLI,
                             "search --method nsga2 --evals 20 --population 50 "
                             "--out " +
                                 out);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("'--evals'"), std::string::npos) << r.out;
}
