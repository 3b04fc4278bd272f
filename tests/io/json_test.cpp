// JSON files and the JSON form of a Summary.
#include "descent/io/json.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "descent/io/atomic_file.hpp"
#include "io_test_util.hpp"

namespace descent::io {
namespace {

using test::TempDir;

Summary sample_summary() {
  Summary s;
  s.status = Status::max_iterations;
  s.message = "iteration cap \"reached\"";
  s.method = "gd";
  s.iterations = 12;
  s.function_evaluations = 13;
  s.gradient_evaluations = 12;
  s.objective = 0.1;
  s.gradient_norm = std::numeric_limits<double>::quiet_NaN();
  s.seconds = 0.25;
  s.counters = {{"line_searches", 4.0}, {"bad", std::numeric_limits<double>::infinity()}};
  HistoryRow r;
  r.iteration = 1;
  r.objective = 2.5;
  r.gradient_norm = 1.0 / 3.0;
  r.step_size = -std::numeric_limits<double>::infinity();
  r.seconds = 0.001;
  r.extras = {{"momentum", 0.9}, {"newton_step", std::numeric_limits<double>::quiet_NaN()}};
  s.history.push_back(r);
  r.iteration = 2;
  r.extras.clear();
  s.history.push_back(r);
  return s;
}

TEST(Json, RoundTripWithTrailingNewline) {
  TempDir dir;
  const std::string p = dir.file("j.json");
  const Json j = {{"name", "run"},
                  {"values", {1, 2.5, 0.1}},
                  {"nested", {{"ok", true}}},
                  {"unicode", "\u00e9\u4e2d"},
                  {"null", nullptr}};
  write_json(p, j);
  const std::string text = read_file(p);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_NE(text.find("\n  \"name\""), std::string::npos) << "indent 2 by default";
  EXPECT_EQ(read_json(p), j);
  EXPECT_EQ(read_json(p)["values"][2].get<double>(), 0.1) << "doubles round trip exactly";
  write_json(p, j, -1);
  const std::string compact = read_file(p);
  EXPECT_EQ(std::count(compact.begin(), compact.end(), '\n'), 1);
  EXPECT_EQ(read_json(p), j);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"j.json"});
}

TEST(Json, ParseErrorsReportTheLine) {
  TempDir dir;
  const std::string p = dir.write("bad.json", "{\n  \"a\": 1,\n  \"b\": tru\n}\n");
  EXPECT_INPUT_ERROR(read_json(p), p, 3, "json", "parse error");
  const auto e = test::catch_input_error([&] { read_json(p); });
  ASSERT_TRUE(e);
  EXPECT_EQ(std::string(e->what()).find("[json.exception"), std::string::npos) << e->what();

  const std::string first = dir.write("first.json", "[1, 2,, 3]");
  EXPECT_INPUT_ERROR(read_json(first), first, 1, "json", "parse error");
  const std::string missing_brace = dir.write("mb.json", "{\n\"a\": [1,\n2]\n");
  EXPECT_INPUT_ERROR(read_json(missing_brace), missing_brace, 4, "json", "unexpected end");
  const std::string empty = dir.write("empty.json", "");
  EXPECT_INPUT_ERROR(read_json(empty), empty, 1, "json", "parse error");
  const std::string trailing = dir.write("tr.json", "{}\n\n{}");
  EXPECT_INPUT_ERROR(read_json(trailing), trailing, 3, "json", "parse error");
  const std::string nan = dir.write("nan.json", "{\"x\":\n NaN}");
  EXPECT_INPUT_ERROR(read_json(nan), nan, 2, "json", "parse error");
}

TEST(Json, MissingFileIsAPlainError) {
  TempDir dir;
  EXPECT_THROW(read_json(dir.file("absent.json")), Error);
}

TEST(Json, WriteErrors) {
  TempDir dir;
  EXPECT_THROW(write_json(dir.file("x.json"), Json{{"bad", std::string("\xff\xfe")}}), Error);
  EXPECT_TRUE(dir.entries().empty());
  const std::string nodir = dir.file("missing/x.json");
  try {
    write_json(nodir, Json::object());
    ADD_FAILURE() << "expected descent::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(nodir), std::string::npos);
  }
}

TEST(Json, SummaryToJson) {
  const Json j = to_json(sample_summary());
  EXPECT_EQ(j["status"], "max_iterations");
  EXPECT_EQ(j["message"], "iteration cap \"reached\"");
  EXPECT_EQ(j["method"], "gd");
  EXPECT_EQ(j["iterations"], 12);
  EXPECT_EQ(j["function_evaluations"], 13);
  EXPECT_EQ(j["gradient_evaluations"], 12);
  EXPECT_EQ(j["objective"], 0.1);
  EXPECT_TRUE(j["gradient_norm"].is_null());
  EXPECT_EQ(j["seconds"], 0.25);
  EXPECT_EQ(j["counters"]["line_searches"], 4.0);
  EXPECT_TRUE(j["counters"]["bad"].is_null());
  ASSERT_EQ(j["history"].size(), 2u);
  const Json& row = j["history"][0];
  EXPECT_EQ(row["iteration"], 1);
  EXPECT_EQ(row["objective"], 2.5);
  EXPECT_EQ(row["gradient_norm"], 1.0 / 3.0);
  EXPECT_TRUE(row["step_size"].is_null());
  EXPECT_EQ(row["seconds"], 0.001);
  EXPECT_EQ(row["extras"]["momentum"], 0.9);
  EXPECT_TRUE(row["extras"]["newton_step"].is_null());
  EXPECT_TRUE(j["history"][1]["extras"].is_object());
  EXPECT_TRUE(j["history"][1]["extras"].empty());
  // The serialised form is valid JSON (no NaN/Infinity tokens).
  const std::string text = j.dump();
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("Infinity"), std::string::npos);
  EXPECT_EQ(Json::parse(text), j);
}

TEST(Json, EmptySummary) {
  const Json j = to_json(Summary{});
  EXPECT_EQ(j["status"], "failed");
  EXPECT_TRUE(j["objective"].is_null());
  EXPECT_TRUE(j["counters"].is_object());
  EXPECT_TRUE(j["history"].is_array());
  EXPECT_TRUE(j["history"].empty());
}

TEST(Json, SummaryRoundTripThroughAFile) {
  TempDir dir;
  const Summary s = sample_summary();
  write_json(dir.file("s.json"), to_json(s));
  const Summary b = summary_from_json(read_json(dir.file("s.json")));
  EXPECT_EQ(b.status, s.status);
  EXPECT_EQ(b.message, s.message);
  EXPECT_EQ(b.method, s.method);
  EXPECT_EQ(b.iterations, s.iterations);
  EXPECT_EQ(b.function_evaluations, s.function_evaluations);
  EXPECT_EQ(b.gradient_evaluations, s.gradient_evaluations);
  EXPECT_EQ(b.objective, s.objective);
  EXPECT_TRUE(std::isnan(b.gradient_norm));
  EXPECT_EQ(b.seconds, s.seconds);
  EXPECT_EQ(b.counters.at("line_searches"), 4.0);
  EXPECT_TRUE(std::isnan(b.counters.at("bad"))) << "inf became null, read back as NaN";
  ASSERT_EQ(b.history.size(), 2u);
  EXPECT_EQ(b.history[0].gradient_norm, 1.0 / 3.0);
  EXPECT_TRUE(std::isnan(b.history[0].step_size));
  ASSERT_EQ(b.history[0].extras.size(), 2u);
  EXPECT_EQ(b.history[0].extras[0].first, "momentum");
  EXPECT_EQ(b.history[0].extras[0].second, 0.9);
  EXPECT_EQ(b.history[1].iteration, 2u);
  EXPECT_THROW(summary_from_json(Json{{"status", "converged"}}), Error);
  Json bad = to_json(s);
  bad["status"] = "sideways";
  EXPECT_THROW(summary_from_json(bad), Error);
  bad = to_json(s);
  bad["iterations"] = "many";
  EXPECT_THROW(summary_from_json(bad), Error);
}

}  // namespace
}  // namespace descent::io
