// The shared MLP grammar (core/model_spec.hpp).
#include <gtest/gtest.h>

#include "descent/core/error.hpp"
#include "descent/core/model_spec.hpp"

namespace descent {
namespace {

TEST(MlpSpec, HiddenAndFullFormsResolveAgainstTheData) {
  const MlpSpec hidden = parse_mlp_spec("mlp:128", 784, 10);
  EXPECT_EQ(hidden.widths, (std::vector<long long>{784, 128, 10}));
  EXPECT_EQ(hidden.activation, "relu");
  EXPECT_EQ(hidden.hidden_layers(), 1u);
  const MlpSpec full = parse_mlp_spec("mlp:784-64-32-10,tanh", 784, 10);
  EXPECT_EQ(full.widths, (std::vector<long long>{784, 64, 32, 10}));
  EXPECT_EQ(full.activation, "tanh");
  EXPECT_EQ(parse_mlp_spec(full.to_string(), 784, 10).widths, full.widths);
  // Two hidden layers that happen not to touch the data's widths.
  EXPECT_EQ(parse_mlp_spec("mlp:20-20", 784, 10).widths, (std::vector<long long>{784, 20, 20, 10}));
}

TEST(MlpSpec, MistakesAreNamed) {
  for (const char* bad :
       {"mlp:", "mlp:0", "mlp:12-x", "mlp:-3", "mlp:8,swish", "linear", "mlp:784-128"})
    EXPECT_THROW(parse_mlp_spec(bad, 784, 10), InvalidOption) << bad;
  try {
    parse_mlp_spec("mlp:784-128", 784, 10);
  } catch (const InvalidOption& e) {
    EXPECT_EQ(e.field(), "model");
    EXPECT_NE(e.reason().find("end with the output width 10"), std::string::npos) << e.what();
  }
}

TEST(MlpSpec, FamiliesChooseTheirActivations) {
  EXPECT_EQ(read_mlp_spec("mlp:20-20-1", {"softplus"}).activation, "softplus");
  EXPECT_EQ(read_mlp_spec("mlp:20-20-1,softplus", {"softplus"}).widths.size(), 3u);
  EXPECT_THROW(read_mlp_spec("mlp:20-20-1,relu", {"softplus"}), InvalidOption);
}

}  // namespace
}  // namespace descent
