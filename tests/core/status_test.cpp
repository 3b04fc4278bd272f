#include <gtest/gtest.h>

#include "descent/core/error.hpp"
#include "descent/core/status.hpp"

namespace descent {
namespace {

TEST(Status, NamesRoundTrip) {
  for (Status s : {Status::converged, Status::max_iterations, Status::diverged, Status::stalled,
                   Status::stopped, Status::failed})
    EXPECT_EQ(status_from_string(to_string(s)), s);
  EXPECT_THROW(status_from_string("done"), Error);
}

TEST(Summary, BriefMentionsStatusAndMessage) {
  Summary s;
  s.status = Status::diverged;
  s.iterations = 12;
  s.message = "objective became inf";
  const std::string b = s.brief();
  EXPECT_NE(b.find("diverged after 12 iterations"), std::string::npos) << b;
  EXPECT_NE(b.find("objective became inf"), std::string::npos) << b;
  EXPECT_FALSE(s.converged());
}

TEST(Summary, BriefShowsTheGradientNormOnlyWhenTracked) {
  Summary s;
  s.status = Status::converged;
  EXPECT_EQ(s.brief().find("|g|"), std::string::npos) << s.brief();
  s.gradient_norm = 2.5e-7;
  EXPECT_NE(s.brief().find("|g| = 2.5e-07"), std::string::npos) << s.brief();
}

TEST(HistoryRow, CopiesExtras) {
  const Metric extras[] = {{"marginal_error", 1e-3}, {"newton", 1}};
  IterationInfo info;
  info.iteration = 4;
  info.objective = 2.5;
  info.extras = extras;
  const HistoryRow row = HistoryRow::from(info);
  EXPECT_EQ(row.iteration, 4u);
  EXPECT_EQ(row.objective, 2.5);
  ASSERT_EQ(row.extras.size(), 2u);
  EXPECT_EQ(row.extras[0].first, "marginal_error");
  EXPECT_EQ(row.extras[1].second, 1);
}

TEST(InputError, MessageNamesFileLineAndField) {
  const InputError e("data.csv", 17, "column 3 (x)", "not a number: 'abc'");
  EXPECT_STREQ(e.what(), "data.csv:17: field 'column 3 (x)': not a number: 'abc'");
  EXPECT_EQ(e.line(), 17u);
  EXPECT_EQ(e.file(), "data.csv");
  const InputError binary("a.npy", 0, "", "truncated at byte 80");
  EXPECT_STREQ(binary.what(), "a.npy: truncated at byte 80");
}

}  // namespace
}  // namespace descent
