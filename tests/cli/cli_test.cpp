// End-to-end checks of the `descent` binary: global flags, list, minimize, repro and report.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "../support/cli_runner.hpp"
#include "../support/temp_dir.hpp"
#include "descent/io/json.hpp"

namespace {

namespace fs = std::filesystem;

using Result = descent::test::CliResult;

// Runs the CLI with `args`, capturing stdout (stderr is discarded).
Result run(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args, descent::test::CliStderr::discard);
}

fs::path fresh_dir(const std::string& name) {
  return descent::test::fresh_temp_dir("cli_" + name);
}

TEST(Cli, VersionAndHelp) {
  const Result v = run("--version");
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out.rfind("descent ", 0), 0u) << v.out;
  const Result h = run("--help");
  EXPECT_EQ(h.code, 0);
  for (const char* word : {"--threads", "--seed", "--json", "list", "repro", "report"})
    EXPECT_NE(h.out.find(word), std::string::npos) << word;
}

TEST(Cli, JsonListIsValidJson) {
  for (const char* args : {"--json list", "list --json"}) {
    const Result r = run(args);
    ASSERT_EQ(r.code, 0) << args;
    const auto j = nlohmann::json::parse(r.out);  // throws (fails the test) if invalid
    ASSERT_TRUE(j["experiments"].is_array());
    bool found = false;
    for (const auto& e : j["experiments"]) found |= e["id"] == "gd-rosenbrock";
    EXPECT_TRUE(found);
    EXPECT_FALSE(j["methods"].empty());
    EXPECT_EQ(j["problems"].size(), 14u);  // 10 core problems + diffGrad's f1, f2, f2-notebook, f3
    EXPECT_NE(std::find(j["problems"].begin(), j["problems"].end(), "f2-notebook"),
              j["problems"].end());
  }
}

TEST(Cli, MinimizeReportsStatusAndExitCode) {
  const Result ok = run("--json minimize --problem booth --method heavy-ball --step 0.01");
  ASSERT_EQ(ok.code, 0);
  const auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["status"], "converged");
  EXPECT_LT(j["distance_to_optimum"].get<double>(), 1e-6);
  const Result bad = run("--json minimize --problem rosenbrock --step 0.05");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(nlohmann::json::parse(bad.out)["status"], "diverged");
  EXPECT_EQ(run("minimize --problem nope").code, 2);  // misuse: clear error, exit 2
  EXPECT_EQ(run("minimize --step -1").code, 2);       // invalid option
  EXPECT_NE(run("minimize --method nope").code, 0);   // rejected by the parser
  EXPECT_NE(run("no-such-command").code, 0);
}

TEST(Cli, MinimizeWritesLog) {
  const fs::path dir = fresh_dir("log");
  const Result r = run("minimize --problem sphere --step 0.1 --max-iterations 7 --tol 0 --log " +
                       (dir / "run.csv").string());
  EXPECT_EQ(r.code, 0);
  std::ifstream in(dir / "run.csv");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 8);  // header + 7 iterations
}

TEST(Cli, ReproGdRosenbrockWritesSummaryAndReport) {
  const fs::path dir = fresh_dir("repro");
  const Result r = run("repro gd-rosenbrock --quick --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto s = descent::io::read_json((dir / "gd-rosenbrock" / "summary.json").string());
  for (const char* key :
       {"id", "paper", "metrics", "claims", "config", "seed", "version", "wall_seconds"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_EQ(s["id"], "gd-rosenbrock");
  EXPECT_TRUE(s["metrics"].is_object());
  EXPECT_GT(s["metrics"]["gd_iterations"].get<double>(), 0);
  ASSERT_EQ(s["claims"].size(), 2u);
  for (const auto& c : s["claims"]) {
    EXPECT_EQ(c["verdict"], "held") << c.dump();  // the repro label: claims are checked here
  }
  EXPECT_TRUE(fs::exists(dir / "gd-rosenbrock" / "gd.csv"));
  EXPECT_TRUE(fs::exists(dir / "gd-rosenbrock" / "heavy_ball.csv"));

  const Result rep = run("report " + dir.string());
  ASSERT_EQ(rep.code, 0);
  std::ifstream in(dir / "REPORT.md");
  std::stringstream md;
  md << in.rdbuf();
  EXPECT_NE(md.str().find("## gd-rosenbrock"), std::string::npos);
  EXPECT_NE(md.str().find("| gd-rosenbrock |"), std::string::npos);
  if (std::system("gnuplot -e 'set terminal pngcairo' >/dev/null 2>&1") == 0) {
    EXPECT_TRUE(fs::exists(dir / "gd-rosenbrock" / "convergence.png"));
    EXPECT_NE(md.str().find("(gd-rosenbrock/convergence.png)"), std::string::npos);
  } else {
    EXPECT_NE(md.str().find("skipped"), std::string::npos);
  }
}

TEST(Cli, ReproUnknownIdAndMissingReportDir) {
  EXPECT_EQ(run("repro nope --out /tmp").code, 2);
  EXPECT_EQ(run("report /nonexistent/results").code, 2);
}

// CLI11 reports parse/validation failures with its own codes (105 for a failed validator);
// every one of them is misuse and must exit 2, while --help still exits 0.
TEST(Cli, ParseAndValidationErrorsExitTwo) {
  EXPECT_EQ(run("minimize --method bogus").code, 2);
  EXPECT_EQ(run("minimize --no-such-flag").code, 2);
  EXPECT_EQ(run("--threads -3 list").code, 2);
  EXPECT_EQ(run("minimize --help").code, 0);
}

// Parse errors in the documented form: "descent: error: ...", the unknown command named, no
// 309-digit DBL_MAX from CLI11's range checks.
// A malformed method option that a command reads before the run (to print it or to check it)
// is a usage error under its flag, never an internal error (std::stod used to escape: exit 3).
TEST(Cli, MalformedOptionsReadBeforeTheRunAreUsageErrors) {
  for (const char* args :
       {"bilevel --problem mbbo-quadratic --method bsvrb1 --blocks abc",
        "recover --tol abc --d 10 --measurements 100 --rank 1",
        "recover --iterations abc --d 10 --measurements 100 --rank 1", "sso --eta abc --steps 3"}) {
    const Result r = descent::test::run_cli(DESCENT_CLI, args, descent::test::CliStderr::merge);
    EXPECT_EQ(r.code, 2) << args << ": " << r.out;
    EXPECT_NE(r.out.find("invalid option '--"), std::string::npos) << args << ": " << r.out;
    EXPECT_EQ(r.out.find("internal error"), std::string::npos) << args << ": " << r.out;
  }
}

TEST(Cli, ParseErrorsNameTheProblemInTheDocumentedForm) {
  auto merged = [](const std::string& args) {
    return descent::test::run_cli(DESCENT_CLI, args, descent::test::CliStderr::merge);
  };
  Result r = merged("nosuchcmd");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("descent: error: unknown command 'nosuchcmd'"), std::string::npos) << r.out;
  r = merged("--seed 3 --json nosuchcmd --x");
  EXPECT_NE(r.out.find("unknown command 'nosuchcmd'"), std::string::npos) << r.out;
  // A CLI11 range check: its upper bound DBL_MAX reads "inf".
  r = merged("minimize --time-limit -1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("descent: error: --time-limit"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("1797693134862315708"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inf"), std::string::npos) << r.out;
  // A method option checked by the library, reported under the flag that set it.
  r = merged("minimize --problem rosenbrock --lr -1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("descent: error: invalid option '--lr'"), std::string::npos) << r.out;
  r = merged("");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("no command given"), std::string::npos) << r.out;
}

TEST(Cli, UnknownProblemListsEveryProblem) {
  const Result r = descent::test::run_cli(DESCENT_CLI, "minimize --problem nope",
                                          descent::test::CliStderr::merge);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("rosenbrock"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("f2-notebook"), std::string::npos) << r.out;
}

TEST(Cli, SameSeedSameMetrics) {
  const fs::path a = fresh_dir("seed_a"), b = fresh_dir("seed_b");
  ASSERT_EQ(run("--seed 5 repro gd-rosenbrock --quick --out " + a.string()).code, 0);
  ASSERT_EQ(run("--seed 5 repro gd-rosenbrock --quick --out " + b.string()).code, 0);
  const auto sa = descent::io::read_json((a / "gd-rosenbrock" / "summary.json").string());
  const auto sb = descent::io::read_json((b / "gd-rosenbrock" / "summary.json").string());
  EXPECT_EQ(sa["metrics"], sb["metrics"]);
  EXPECT_EQ(sa["seed"], 5);
}

}  // namespace
