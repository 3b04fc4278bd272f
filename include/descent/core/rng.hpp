// Seeded random-number helpers.
//
// Every random choice in descent comes from an explicitly passed generator. Streams derived with
// derive_seed(seed, a, b, ...) are independent of each other and of call order, which is what
// distributed runs need: noise keyed by (seed, rank, round) is the same in MPI and in simulation.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include <Eigen/Core>

namespace descent {

using Rng = std::mt19937_64;

/// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
constexpr std::uint64_t splitmix64(std::uint64_t z) noexcept {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// A seed for the stream named by (seed, keys...): different keys give unrelated streams.
constexpr std::uint64_t derive_seed(std::uint64_t seed,
                                    std::initializer_list<std::uint64_t> keys = {}) noexcept {
  std::uint64_t h = splitmix64(seed);
  for (std::uint64_t k : keys) h = splitmix64(h ^ splitmix64(k + 0x632BE59BD9B4E019ULL));
  return h;
}

/// A generator for the stream (seed, keys...).
inline Rng make_rng(std::uint64_t seed, std::initializer_list<std::uint64_t> keys = {}) {
  return Rng(derive_seed(seed, keys));
}

/// i.i.d. N(0, 1) entries.
Eigen::VectorXd normal_vector(Rng& rng, Eigen::Index n);
Eigen::MatrixXd normal_matrix(Rng& rng, Eigen::Index rows, Eigen::Index cols);
/// i.i.d. U[lo, hi) entries.
Eigen::VectorXd uniform_vector(Rng& rng, Eigen::Index n, double lo = 0.0, double hi = 1.0);
Eigen::MatrixXd uniform_matrix(Rng& rng, Eigen::Index rows, Eigen::Index cols, double lo = 0.0,
                               double hi = 1.0);
/// i.i.d. ±1 with equal probability (Hutchinson probes).
Eigen::VectorXd rademacher_vector(Rng& rng, Eigen::Index n);
/// A uniformly random permutation of 0..n-1.
std::vector<Eigen::Index> permutation(Rng& rng, Eigen::Index n);

}  // namespace descent
