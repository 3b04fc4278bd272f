// Options by name (core/settings.hpp) and the method registry (core/method_registry.hpp).
#include <gtest/gtest.h>

#include "descent/core/error.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"

namespace descent {
namespace {

enum class Mode { fast, careful };

struct Demo {
  double rate = 0.5;
  std::size_t steps = 10;
  int threads = 1;
  bool verbose = false;
  std::string name = "demo";
  Mode mode = Mode::careful;
  template <class Fields>
  void fields(Fields& f) {
    f("rate", rate, "a rate");
    f("steps", steps, "a count");
    f("threads", threads, "signed");
    f("verbose", verbose, "a switch");
    f("name", name, "text");
    f.choice("mode", mode, {{"fast", Mode::fast}, {"careful", Mode::careful}}, "a choice");
  }
};

TEST(Settings, ParseSetMergeAndPrint) {
  Settings s = Settings::parse("rate=0.25, steps=3;mode=fast");
  EXPECT_EQ(*s.find("rate"), "0.25");
  EXPECT_EQ(*s.find("mode"), "fast");
  EXPECT_EQ(s.find("nope"), nullptr);
  s.merge(Settings{{"rate", "1"}}).set("threads", 2.0);
  EXPECT_EQ(*s.find("rate"), "1");
  EXPECT_EQ(Settings::parse(s.str()).items(), s.items());
  EXPECT_THROW(Settings::parse("rate"), InvalidOption);
  EXPECT_THROW(Settings::parse("=3"), InvalidOption);
}

TEST(Settings, ReadsEveryFieldType) {
  const Demo d = options_from<Demo>(
      Settings::parse("rate=1e-3,steps=7,threads=-2,verbose=yes,name=x,mode=fast"), "demo");
  EXPECT_EQ(d.rate, 1e-3);
  EXPECT_EQ(d.steps, 7u);
  EXPECT_EQ(d.threads, -2);
  EXPECT_TRUE(d.verbose);
  EXPECT_EQ(d.name, "x");
  EXPECT_EQ(d.mode, Mode::fast);
  // Untouched fields keep the defaults (or the given base).
  Demo base;
  base.rate = 9;
  EXPECT_EQ(options_from<Demo>(Settings{{"steps", "1"}}, "demo", base).rate, 9);
}

TEST(Settings, BadValuesAndUnknownKeysNameTheField) {
  const auto error_field = [](const std::string& text) {
    try {
      options_from<Demo>(Settings::parse(text), "demo");
    } catch (const InvalidOption& e) {
      return e.field() + ": " + e.reason();
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_field("rate=abc").rfind("rate: ", 0), 0u);
  EXPECT_EQ(error_field("steps=-1").rfind("steps: ", 0), 0u);
  EXPECT_EQ(error_field("steps=1.5").rfind("steps: ", 0), 0u);
  EXPECT_EQ(error_field("verbose=maybe").rfind("verbose: ", 0), 0u);
  EXPECT_NE(error_field("mode=slow").find("fast | careful"), std::string::npos);
  const std::string unknown = error_field("raet=1");
  EXPECT_EQ(unknown.rfind("raet: ", 0), 0u);
  EXPECT_NE(unknown.find("'demo' has no such option"), std::string::npos);
  EXPECT_NE(unknown.find("rate, steps, threads, verbose, name, mode"), std::string::npos);
}

TEST(Settings, DocsAreTheDefaultsAndReadBack) {
  const std::vector<OptionDoc> docs = option_docs<Demo>();
  ASSERT_EQ(docs.size(), 6u);
  EXPECT_EQ(docs[0].key, "rate");
  EXPECT_EQ(docs[0].default_value, "0.5");
  EXPECT_EQ(docs[3].default_value, "false");
  EXPECT_EQ(docs[5].default_value, "careful");
  EXPECT_NE(docs[5].help.find("fast | careful"), std::string::npos);
  // Every default, fed back as a setting, gives the default struct.
  Settings all;
  for (const OptionDoc& d : docs) all.set(d.key, d.default_value);
  const Demo round = options_from<Demo>(all, "demo");
  EXPECT_EQ(round.rate, Demo{}.rate);
  EXPECT_EQ(round.mode, Demo{}.mode);
  EXPECT_EQ(round.name, Demo{}.name);
}

TEST(MethodRegistry, FindsRunsAndNamesTheKnownMethods) {
  const auto& r = gradient_methods();
  EXPECT_EQ(r.family(), "core");
  EXPECT_EQ(r.joined_names(), "gd | heavy-ball");
  EXPECT_TRUE(r.contains("heavy-ball"));
  try {
    r.at("newton");
    FAIL() << "no throw";
  } catch (const InvalidOption& e) {
    EXPECT_EQ(e.field(), "method");
    EXPECT_NE(e.reason().find("known: gd, heavy-ball"), std::string::npos) << e.what();
  }
  // The heavy-ball entry's default momentum is its own, and the registry runs the method.
  bool found = false;
  for (const OptionDoc& d : r.at("heavy-ball").options())
    if (d.key == "momentum") found = d.default_value == "0.9";
  EXPECT_TRUE(found);
  auto f = make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  const Summary s = r.at("gd").run(*f, x, Settings::parse("step_size=1e-3,max_iterations=5"), {});
  EXPECT_EQ(s.iterations, 5u);
  EXPECT_EQ(s.method, "gd");
}

}  // namespace
}  // namespace descent
