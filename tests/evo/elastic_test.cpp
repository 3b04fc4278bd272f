// Tier B's elastic digits supernet (LibTorch): analytic MACs by hand, the encoding, shapes,
// weight sharing (a 3 x 3 kernel is the centre of the 5 x 5 one), short sandwich training that
// learns, checkpoints that reload the same sub-network accuracies, and cached latencies.
#include <gtest/gtest.h>

#include <filesystem>

#include "../support/temp_dir.hpp"
#include "descent/core/error.hpp"
#include "descent/evo_torch/digits_problem.hpp"
#include "descent/evo_torch/elastic_cnn.hpp"

namespace et = descent::evo_torch;

TEST(ElasticCnn, MacsByHand) {
  // Smallest: 8x8x(3x3x1x8) + 4x4x(3x3x8x8) + 2x2x(3x3x8x8) + head 10x8.
  EXPECT_EQ(et::Subnet::smallest().macs(), 64 * 9 * 8 + 16 * 9 * 64 + 4 * 9 * 64 + 80);
  // Largest: three blocks per stage, 5x5 kernels, 24 channels.
  const double first = 64 * 25 * 24 + 2 * 64 * 25 * 24 * 24;
  const double second = 3 * 16 * 25 * 24 * 24, third = 3 * 4 * 25 * 24 * 24;
  EXPECT_EQ(et::Subnet::largest().macs(), first + second + third + 240);
}

TEST(ElasticCnn, EncodingAndShapes) {
  const auto space = et::digits_elastic_space();
  ASSERT_EQ(space.size(), 21);
  const Eigen::RowVectorXd top = space.bounds().upper.transpose();
  const auto s = et::Subnet::from_indices(top);
  EXPECT_EQ(s.macs(), et::Subnet::largest().macs());
  Eigen::RowVectorXd bad = top;
  bad(20) = 3;
  EXPECT_THROW(et::Subnet::from_indices(bad), descent::Error);
  torch::manual_seed(0);
  et::ElasticCnn net;
  const auto x = torch::rand({5, 1, 8, 8});
  EXPECT_EQ(net->forward(x, et::Subnet::largest()).sizes(), (std::vector<std::int64_t>{5, 10}));
  EXPECT_EQ(net->forward(x, et::Subnet::smallest()).sizes(), (std::vector<std::int64_t>{5, 10}));
}

TEST(ElasticCnn, SmallKernelIsTheCentreOfTheLargeOne) {
  torch::manual_seed(1);
  et::ElasticCnn net;
  torch::NoGradGuard no_grad;
  const auto x = torch::rand({2, 1, 8, 8});
  et::Subnet s = et::Subnet::smallest();
  const auto params = net->named_parameters();
  // By hand: block 0 (3x3 centre, 8 channels), blocks 3 and 6 (stride 2), head.
  auto block = [&](const torch::Tensor& in, int b, int cin, int stride) {
    const auto w =
        params["w" + std::to_string(b)].slice(0, 0, 8).slice(1, 0, cin).slice(2, 1, 4).slice(3, 1,
                                                                                             4);
    return torch::relu(
        torch::conv2d(in, w, params["b" + std::to_string(b)].slice(0, 0, 8), stride, 1));
  };
  auto h = block(block(block(x, 0, 1, 1), 3, 8, 2), 6, 8, 2).mean({2, 3});
  const auto expected = torch::linear(h, params["head_w"].slice(1, 0, 8), params["head_b"]);
  EXPECT_TRUE(torch::allclose(net->forward(x, s), expected, 1e-6, 1e-6));
}

TEST(DigitsSupernet, LearnsReloadsAndCachesLatency) {
  const auto dir = descent::test::fresh_temp_dir("elastic");
  const std::string ck = (dir / "supernet.pt").string();
  et::SupernetOptions o;
  o.steps = 200;
  et::DigitsSupernet trained(o, ck);
  ASSERT_TRUE(std::filesystem::exists(ck));
  EXPECT_EQ(trained.held_out(), 359);  // a stratified fifth of 1,797
  const double big = trained.accuracy(et::Subnet::largest());
  const double small = trained.accuracy(et::Subnet::smallest());
  EXPECT_GT(big, 50.0);  // chance is 10 %
  EXPECT_GT(small, 30.0);
  et::DigitsSupernet loaded(o, ck);
  EXPECT_EQ(loaded.train_seconds(), 0.0);
  EXPECT_EQ(loaded.accuracy(et::Subnet::largest()), big);
  EXPECT_EQ(loaded.accuracy(et::Subnet::smallest()), small);
  const double t = trained.latency_ms(et::Subnet::largest());
  EXPECT_GT(t, 0.0);
  EXPECT_EQ(trained.latency_ms(et::Subnet::largest()), t);  // measured once, remembered
  EXPECT_THROW(et::digits_elastic_problem({"accuracy", "params"}), descent::InvalidOption);
}
