#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "descent/core/rng.hpp"

namespace descent {
namespace {

TEST(Rng, SameSeedSameStream) {
  Rng a = make_rng(5, {1, 2}), b = make_rng(5, {1, 2});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a(), b());
}

TEST(Rng, KeysGiveDistinctStreams) {
  std::set<std::uint64_t> firsts;
  for (std::uint64_t rank = 0; rank < 8; ++rank)
    for (std::uint64_t round = 0; round < 8; ++round) firsts.insert(make_rng(42, {rank, round})());
  EXPECT_EQ(firsts.size(), 64u);
  EXPECT_NE(derive_seed(1, {2, 3}), derive_seed(1, {3, 2}));  // order matters
  EXPECT_NE(derive_seed(1), derive_seed(2));
}

TEST(Rng, DistributionsHaveTheirMoments) {
  Rng rng = make_rng(9);
  const Eigen::VectorXd z = normal_vector(rng, 200000);
  EXPECT_NEAR(z.mean(), 0.0, 0.01);
  EXPECT_NEAR(z.squaredNorm() / double(z.size()), 1.0, 0.02);
  const Eigen::VectorXd u = uniform_vector(rng, 100000, 2.0, 4.0);
  EXPECT_GE(u.minCoeff(), 2.0);
  EXPECT_LT(u.maxCoeff(), 4.0);
  EXPECT_NEAR(u.mean(), 3.0, 0.01);
  const Eigen::VectorXd r = rademacher_vector(rng, 100000);
  EXPECT_TRUE((r.array().abs() == 1.0).all());
  EXPECT_NEAR(r.mean(), 0.0, 0.02);
}

TEST(Rng, PermutationIsAPermutation) {
  Rng rng = make_rng(3);
  auto p = permutation(rng, 1000);
  std::vector<Eigen::Index> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (Eigen::Index i = 0; i < 1000; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
  EXPECT_FALSE(std::is_sorted(p.begin(), p.end()));
}

}  // namespace
}  // namespace descent
