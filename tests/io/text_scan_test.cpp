// The shared strict number parser and line splitter.
#include "descent/io/text_scan.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "io_test_util.hpp"

namespace descent::io::detail {
namespace {

TEST(TextScan, ParseDoubleAcceptsDecimalSpellings) {
  const std::pair<const char*, double> cases[] = {
      {"1", 1.0},         {"-2.5", -2.5},
      {"+3", 3.0},        {".5", 0.5},
      {"1E5", 1e5},       {"1e-300", 1e-300},
      {"5e-324", 5e-324}, {"-0", -0.0},
      {"0.1", 0.1},       {"1.7976931348623157e308", std::numeric_limits<double>::max()},
      {"+.25", 0.25},     {"2.", 2.0}};
  for (const auto& [text, expected] : cases) {
    double v = 0.0;
    EXPECT_EQ(parse_double(text, v), NumberError::none) << text;
    EXPECT_EQ(v, expected) << text;
  }
}

TEST(TextScan, ParseDoubleRejectsJunkAndNonFinite) {
  const std::pair<const char*, NumberError> cases[] = {
      {"", NumberError::empty},
      {"abc", NumberError::not_a_number},
      {"1.5x", NumberError::not_a_number},
      {"0x10", NumberError::not_a_number},
      {"1,5", NumberError::not_a_number},
      {" 1", NumberError::not_a_number},
      {"1e", NumberError::not_a_number},
      {"++1", NumberError::not_a_number},
      {"+-1", NumberError::not_a_number},
      {"+", NumberError::not_a_number},
      {"-", NumberError::not_a_number},
      {"nan", NumberError::non_finite},
      {"NaN", NumberError::non_finite},
      {"-nan", NumberError::non_finite},
      {"inf", NumberError::non_finite},
      {"-Infinity", NumberError::non_finite},
      {"1e999", NumberError::out_of_range},
      {"1e-999", NumberError::out_of_range},
  };
  for (const auto& [text, expected] : cases) {
    double v = 42.0;
    EXPECT_EQ(parse_double(text, v), expected) << "'" << text << "'";
    EXPECT_EQ(v, 42.0) << "output must be untouched on failure: " << text;
    EXPECT_FALSE(is_number(text)) << text;
  }
}

TEST(TextScan, AllowNonFiniteAcceptsOnlyPlainSpellings) {
  double v = 0.0;
  EXPECT_EQ(parse_double_allow_non_finite("nan", v), NumberError::none);
  EXPECT_TRUE(std::isnan(v));
  EXPECT_EQ(parse_double_allow_non_finite("-inf", v), NumberError::none);
  EXPECT_EQ(v, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_double_allow_non_finite("Inf", v), NumberError::none);
  EXPECT_EQ(v, std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_double_allow_non_finite("nan(0x1)", v), NumberError::not_a_number);
  EXPECT_EQ(parse_double_allow_non_finite("infinity", v), NumberError::not_a_number);
  EXPECT_EQ(parse_double_allow_non_finite("2.5", v), NumberError::none);
  EXPECT_EQ(v, 2.5);
}

TEST(TextScan, ParseInt64) {
  std::int64_t v = 0;
  EXPECT_EQ(parse_int64("12", v), NumberError::none);
  EXPECT_EQ(v, 12);
  EXPECT_EQ(parse_int64("-3", v), NumberError::none);
  EXPECT_EQ(v, -3);
  EXPECT_EQ(parse_int64("+4", v), NumberError::none);
  EXPECT_EQ(v, 4);
  EXPECT_EQ(parse_int64("1.0", v), NumberError::not_a_number);
  EXPECT_EQ(parse_int64("1e3", v), NumberError::not_a_number);
  EXPECT_EQ(parse_int64("", v), NumberError::empty);
  EXPECT_EQ(parse_int64("9223372036854775808", v), NumberError::out_of_range);
}

TEST(TextScan, ThrowingFormsNameFileLineAndField) {
  EXPECT_INPUT_ERROR(to_double("abc", "f.txt", 7, "column 2"), "f.txt", 7, "column 2",
                     "'abc' is not a number");
  EXPECT_INPUT_ERROR(to_double("inf", "f.txt", 1, "value"), "f.txt", 1, "value", "not a finite");
  EXPECT_INPUT_ERROR(to_int64("2.5", "g.txt", 3, "rows"), "g.txt", 3, "rows", "not an integer");
  const auto e = test::catch_input_error([] { to_double("x", "data.csv", 3, "column 3 (w)"); });
  ASSERT_TRUE(e);
  EXPECT_STREQ(e->what(), "data.csv:3: field 'column 3 (w)': 'x' is not a number");
  EXPECT_EQ(to_double("-1.25", "f", 1, "v"), -1.25);
  EXPECT_EQ(to_int64("77", "f", 1, "v"), 77);
}

TEST(TextScan, DescribeTruncatesLongFields) {
  const std::string junk(500, 'z');
  EXPECT_LT(describe(NumberError::not_a_number, junk).size(), 80u);
}

TEST(TextScan, LineReaderCountsLinesAndStripsCrlf) {
  LineReader r("a\r\n\nb\nc");
  std::string_view line;
  std::vector<std::pair<std::string, std::size_t>> got;
  while (r.next(line)) got.emplace_back(std::string(line), r.line_number());
  const std::vector<std::pair<std::string, std::size_t>> want = {
      {"a", 1}, {"", 2}, {"b", 3}, {"c", 4}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(r.remaining_bytes(), 0u);

  LineReader empty("");
  EXPECT_FALSE(empty.next(line));
  LineReader trailing("x\n");
  EXPECT_TRUE(trailing.next(line));
  EXPECT_FALSE(trailing.next(line)) << "a final newline does not start another line";
}

TEST(TextScan, Splitting) {
  std::vector<std::string_view> out;
  split_on(" 1, 2 ,,3 ", ',', out);
  EXPECT_EQ(out, (std::vector<std::string_view>{"1", "2", "", "3"}));
  split_on("", ',', out);
  EXPECT_EQ(out, (std::vector<std::string_view>{""}));
  split_blanks("  a \t b\r", out);
  EXPECT_EQ(out, (std::vector<std::string_view>{"a", "b"}));
  split_blanks("   ", out);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(trim(" \t x y \r\n"), "x y");
}

}  // namespace
}  // namespace descent::io::detail
