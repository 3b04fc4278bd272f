// The callback contract: hooks run in order, any callback can stop a run, loggers keep every
// row, and the built-ins do what their names say.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../support/temp_dir.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/core/error.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"

namespace descent {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_file(const std::string& name) {
  static const fs::path dir = descent::test::fresh_temp_dir("cb");
  return dir / name;
}

struct Recorder : Callback {
  std::vector<std::string> events;
  std::size_t stop_at = 0;
  void begin(const RunInfo& info) override { events.push_back("begin " + info.method); }
  bool iteration(const IterationInfo& info) override {
    events.push_back("it " + std::to_string(info.iteration));
    return stop_at != 0 && info.iteration >= stop_at;
  }
  void end(const Summary& s) override {
    events.push_back("end " + std::string(to_string(s.status)));
  }
  std::string stop_reason() const override { return "recorder says stop"; }
};

TEST(Callbacks, ContractBeginIterationsEnd) {
  auto rec = std::make_shared<Recorder>();
  Callbacks cbs;
  cbs.add(rec);
  auto f = make_sphere(3);
  Eigen::VectorXd x = f->initial_point();
  GradientDescentOptions o;
  o.step_size = 0.1;
  o.max_iterations = 3;
  o.gradient_tolerance = 0;
  const Summary s = minimize_gradient_descent(*f, x, o, cbs);
  EXPECT_EQ(s.status, Status::max_iterations);
  const std::vector<std::string> expected = {"begin gd", "it 1", "it 2", "it 3",
                                             "end max_iterations"};
  EXPECT_EQ(rec->events, expected);
}

TEST(Callbacks, AnyCallbackStopsTheRunAndAllStillSeeTheRow) {
  auto first = std::make_shared<Recorder>();
  auto second = std::make_shared<Recorder>();
  first->stop_at = 5;
  Callbacks cbs;
  cbs.add(first).add(second);
  auto f = make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  const Summary s = minimize_gradient_descent(*f, x, {}, cbs);
  EXPECT_EQ(s.status, Status::stopped);
  EXPECT_EQ(s.iterations, 5u);
  EXPECT_EQ(s.message, "recorder says stop");
  EXPECT_EQ(second->events.size(), first->events.size());
}

TEST(Callbacks, EarlyStopAfterPatience) {
  EarlyStop es(3, 0.0);
  es.begin({});
  IterationInfo info;
  info.objective = 1.0;
  EXPECT_FALSE(es.iteration(info));  // improves on +inf
  EXPECT_FALSE(es.iteration(info));  // 1
  EXPECT_FALSE(es.iteration(info));  // 2
  EXPECT_TRUE(es.iteration(info));   // 3 without improvement
  info.objective = 0.5;
  es.begin({});
  EXPECT_FALSE(es.iteration(info));
  EXPECT_THROW(EarlyStop(0), InvalidOption);
}

TEST(Callbacks, TimeLimitStops) {
  Callbacks cbs;
  cbs.emplace<TimeLimit>(0.05);
  auto f = make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  GradientDescentOptions o;
  o.step_size = 1e-5;  // far too slow to converge in 0.05 s...
  o.max_iterations = 1000000000;
  o.gradient_tolerance = 0;
  cbs.add(std::make_shared<StopWhen<std::function<bool(const IterationInfo&)>>>(
      [](const IterationInfo&) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));  // ...and slowed down
        return false;
      }));
  const Summary s = minimize_gradient_descent(*f, x, o, cbs);
  EXPECT_EQ(s.status, Status::stopped);
  EXPECT_NE(s.message.find("time limit"), std::string::npos) << s.message;
  EXPECT_LT(s.seconds, 5.0);
}

TEST(Callbacks, StoreBestKeepsLowestObjective) {
  StoreBest best;
  const double xa[] = {1, 2}, xb[] = {3, 4}, xc[] = {5, 6};
  IterationInfo info;
  info.iteration = 1;
  info.objective = 2.0;
  info.x = xa;
  best.iteration(info);
  info.iteration = 2;
  info.objective = 1.0;
  info.x = xb;
  best.iteration(info);
  info.iteration = 3;
  info.objective = NAN;
  info.x = xc;
  best.iteration(info);
  EXPECT_EQ(best.best_objective(), 1.0);
  EXPECT_EQ(best.best_iteration(), 2u);
  EXPECT_EQ(best.best_x(), (std::vector<double>{3, 4}));
}

TEST(Callbacks, CsvLoggerWritesEveryRowWithExtras) {
  const fs::path path = temp_file("log.csv");
  {
    auto log = IterationLogger::for_path(path.string());
    log->begin({"test", 2, 3});
    const Metric extras[] = {{"err", 0.5}};
    IterationInfo info;
    info.extras = extras;
    for (std::size_t k = 1; k <= 3; ++k) {
      info.iteration = k;
      info.objective = 1.0 / double(k);
      log->iteration(info);
    }
    // Rows are on disk before end() or destruction: a crashed run keeps its log.
    const std::string text = slurp(path);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
  }
  const std::string text = slurp(path);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "iteration,objective,gradient_norm,step_size,seconds,err");
  // Values the method does not measure (NaN) are empty cells, not "nan".
  EXPECT_NE(text.find("\n3,0.33333333333333331,,,0,0.5\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("nan"), std::string::npos) << text;
}

TEST(Callbacks, JsonlLoggerWritesNullForNonFinite) {
  const fs::path path = temp_file("log.jsonl");
  {
    auto log = IterationLogger::for_path(path.string());
    log->begin({"m", 1, 1});
    IterationInfo info;
    info.iteration = 1;
    info.objective = 2.0;
    log->iteration(info);
  }
  EXPECT_EQ(slurp(path),
            "{\"method\":\"m\",\"iteration\":1,\"objective\":2,\"gradient_norm\":null,"
            "\"step_size\":null,\"seconds\":0}\n");
}

TEST(Callbacks, LoggerRejectsUnwritablePath) {
  EXPECT_THROW(IterationLogger("/nonexistent-dir/x.csv", IterationLogger::Format::csv), Error);
}

TEST(Callbacks, ProgressBarOnlyOnATerminal) {
  std::FILE* f = std::tmpfile();
  ProgressBar quiet(f, false);
  EXPECT_FALSE(quiet.active());  // a file is not a terminal
  ProgressBar forced(f, true);
  EXPECT_TRUE(forced.active());
  forced.begin({"gd", 2, 10});
  IterationInfo info;
  info.iteration = 5;
  forced.iteration(info);
  Summary s;
  s.status = Status::converged;
  forced.end(s);
  std::rewind(f);
  char buf[512] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  const std::string out(buf, n);
  EXPECT_NE(out.find("5/10"), std::string::npos) << out;
  EXPECT_NE(out.find("converged"), std::string::npos) << out;
  // The gradient norm was not measured (NaN): the bar leaves it out instead of "|g|=nan".
  EXPECT_EQ(out.find("|g|"), std::string::npos) << out;
  std::fclose(f);
}

}  // namespace
}  // namespace descent
