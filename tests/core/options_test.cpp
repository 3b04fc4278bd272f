#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/gradient_descent.hpp"
#include "descent/core/options.hpp"

namespace descent {
namespace {

template <class F>
std::string field_of(F&& f) {
  try {
    f();
  } catch (const InvalidOption& e) {
    return e.field();
  }
  return "(no error)";
}

TEST(Options, ChecksNameTheField) {
  EXPECT_EQ(field_of([] { check::positive("eta", -1); }), "eta");
  EXPECT_EQ(field_of([] { check::positive("eta", NAN); }), "eta");
  EXPECT_EQ(field_of([] { check::non_negative("tol", -1e-9); }), "tol");
  EXPECT_EQ(field_of([] { check::in_closed("p", 1.5, 0, 1); }), "p");
  EXPECT_EQ(field_of([] { check::in_half_open("beta", 1.0, 0, 1); }), "beta");
  EXPECT_EQ(field_of([] { check::at_least("n", 0, 1); }), "n");
  EXPECT_EQ(field_of([] { check::finite("x", INFINITY); }), "x");
  EXPECT_NO_THROW(check::in_half_open("beta", 0.0, 0, 1));
  EXPECT_NO_THROW(check::positive("eta", 1e-300));
}

TEST(Options, GradientDescentValidateNamesEachBadField) {
  auto bad = [](auto mutate) {
    GradientDescentOptions o;
    mutate(o);
    return field_of([&] { o.validate(); });
  };
  EXPECT_EQ(bad([](auto&) {}), "(no error)");
  EXPECT_EQ(bad([](auto& o) { o.step_size = 0; }), "step_size");
  EXPECT_EQ(bad([](auto& o) { o.momentum = 1.0; }), "momentum");
  EXPECT_EQ(bad([](auto& o) { o.max_iterations = 0; }), "max_iterations");
  EXPECT_EQ(bad([](auto& o) { o.gradient_tolerance = -1; }), "gradient_tolerance");
  EXPECT_EQ(bad([](auto& o) { o.divergence_factor = 1; }), "divergence_factor");
  EXPECT_EQ(bad([](auto& o) { o.history_stride = 0; }), "history_stride");
  try {
    GradientDescentOptions o;
    o.step_size = -2;
    o.validate();
    FAIL();
  } catch (const InvalidOption& e) {
    EXPECT_NE(std::string(e.what()).find("'step_size'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("-2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace descent
