// Benchmarks of descent::ot on the problems bench/peers/ot_pot.py gives POT: uniform weights and
// C_ij = U[0,1) from a counter-based hash (splitmix64), so both sides see identical matrices
// without sharing files.
//
//   BM_SinkhornIteration/n/threads  time per log-domain iteration at eta = 1200 (manual time:
//                                   the difference of the solver's own timestamps, no setup);
//                                   counter GBps = 16 n^2 bytes (C read row- and column-major)
//                                   per iteration.
//   BM_SinkhornToTolerance/n        wall time to L1 marginal error 1e-9 at eta = 500, setup
//                                   included (POT's default loop does the same work).
//   BM_SnsToTolerance/n             SNS to 1e-10 at eta = 1200 (POT has no counterpart).
//   BM_Copy/n, BM_Read/n            STREAM-like copy (16 bytes per element moved) and read-only
//                                   sum over n^2 doubles: the memory-bandwidth limits.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <vector>

#include "descent/core/rng.hpp"
#include "descent/ot/ot.hpp"

namespace {

using descent::ot::Problem;

constexpr double kEtaIteration = 1200.0;
constexpr double kEtaTolerance = 500.0;
constexpr double kTolerance = 1e-9;

// C_ij = top 53 bits of splitmix64((n << 32) + i n + j) / 2^53; mirrored in ot_pot.py.
const Problem& hashed_problem(int n) {
  static std::map<int, std::unique_ptr<Problem>> cache;
  auto& slot = cache[n];
  if (!slot) {
    Eigen::MatrixXd C(n, n);
    const std::uint64_t base = std::uint64_t(n) << 32;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        C(i, j) = double(descent::splitmix64(base + std::uint64_t(i) * std::uint64_t(n) +
                                             std::uint64_t(j)) >>
                         11) *
                  0x1p-53;
    const Eigen::VectorXd w = Eigen::VectorXd::Constant(n, 1.0 / n);
    slot = std::make_unique<Problem>(w, w, std::move(C));
  }
  return *slot;
}

// Iterations timed per run: enough to average over, few enough for n = 4000.
std::size_t iterations_for(int n) {
  return n <= 500 ? 60 : n <= 1000 ? 20 : 8;
}

// range(2): 0 = the log-domain iteration, 1 = the scaling-domain fast path (eta 500, where the
// plain kernel is representable enough for POT's `sinkhorn` to be timed beside it).
void BM_SinkhornIteration(benchmark::State& state) {
  const int n = int(state.range(0));
  const Problem& p = hashed_problem(n);
  descent::ot::SinkhornOptions o;
  const bool scaling = state.range(2) == 1;
  o.eta = scaling ? kEtaTolerance : kEtaIteration;
  o.domain = scaling ? descent::ot::SinkhornDomain::automatic : descent::ot::SinkhornDomain::log;
  o.tolerance = 0.0;
  o.max_iterations = iterations_for(n);
  o.threads = int(state.range(1));
  o.plan.format = descent::ot::PlanFormat::none;
  double total = 0.0;
  for (auto _ : state) {
    const descent::ot::Result r = descent::ot::sinkhorn(p, o);
    // From the end of iteration 1 to the end of the last: steady state, no setup.
    const auto& h = r.error_history;
    const double per = (h.back().seconds - h[1].seconds) / double(h.size() - 2);
    state.SetIterationTime(per);
    total += per;
  }
  const double per = total / double(state.iterations());
  state.counters["GBps"] = 16.0 * double(n) * double(n) / per / 1e9;
  state.counters["ns_per_entry"] = per / (2.0 * double(n) * double(n)) * 1e9;
}
BENCHMARK(BM_SinkhornIteration)
    ->ArgsProduct({{500, 1000, 2000, 4000}, {1}, {0, 1}})
    ->Args({2000, 2, 0})
    ->Args({4000, 2, 0})
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_SinkhornToTolerance(benchmark::State& state) {
  const int n = int(state.range(0));
  const Problem& p = hashed_problem(n);
  descent::ot::SinkhornOptions o;
  o.eta = kEtaTolerance;
  o.tolerance = kTolerance;
  o.plan.format = descent::ot::PlanFormat::none;
  std::size_t iterations = 0;
  for (auto _ : state) {
    const descent::ot::Result r = descent::ot::sinkhorn(p, o);
    state.SetIterationTime(r.summary.seconds);
    iterations = r.summary.iterations;
    if (!r.summary.converged()) state.SkipWithError("did not converge");
  }
  state.counters["iterations"] = double(iterations);
}
BENCHMARK(BM_SinkhornToTolerance)
    ->Arg(500)
    ->Arg(1000)
    ->Arg(2000)
    ->Arg(4000)
    ->Iterations(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Time to an L1 error of 1e-9 at several eta: the default (scaling-domain fast path with the
// automatic switch, range(2) = 0) and the log domain throughout (range(2) = 1). Args: n, eta,
// domain. bench/peers/ot_pot.py --per-eta runs every POT method on the same problems.
void BM_SinkhornToToleranceEta(benchmark::State& state) {
  const int n = int(state.range(0));
  const Problem& p = hashed_problem(n);
  descent::ot::SinkhornOptions o;
  o.eta = double(state.range(1));
  o.tolerance = kTolerance;
  o.max_iterations = 100000;
  o.domain = state.range(2) == 0 ? descent::ot::SinkhornDomain::automatic
                                 : descent::ot::SinkhornDomain::log;
  o.plan.format = descent::ot::PlanFormat::none;
  std::size_t iterations = 0;
  double switches = 0;
  for (auto _ : state) {
    const descent::ot::Result r = descent::ot::sinkhorn(p, o);
    state.SetIterationTime(r.summary.seconds);
    iterations = r.summary.iterations;
    const auto it = r.summary.counters.find("domain_switches");
    switches = it == r.summary.counters.end() ? 0.0 : it->second;
    if (!r.summary.converged()) state.SkipWithError("did not converge");
  }
  state.counters["iterations"] = double(iterations);
  state.counters["domain_switches"] = switches;
}
BENCHMARK(BM_SinkhornToToleranceEta)
    ->ArgsProduct({{1000, 2000, 4000}, {10, 50, 200, 500, 1200}, {0, 1}})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_SnsToTolerance(benchmark::State& state) {
  const int n = int(state.range(0));
  const Problem& p = hashed_problem(n);
  descent::ot::SnsOptions o;
  o.eta = kEtaIteration;
  o.tolerance = 1e-10;
  o.plan.format = descent::ot::PlanFormat::none;
  double newton = 0;
  for (auto _ : state) {
    const descent::ot::Result r = descent::ot::sinkhorn_newton_sparse(p, o);
    state.SetIterationTime(r.summary.seconds);
    newton = r.summary.counters.at("newton_steps");
    if (!r.summary.converged()) state.SkipWithError("did not converge");
  }
  state.counters["newton_steps"] = newton;
}
BENCHMARK(BM_SnsToTolerance)
    ->Arg(500)
    ->Arg(1000)
    ->Arg(2000)
    ->Arg(4000)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_Copy(benchmark::State& state) {
  const std::size_t count = std::size_t(state.range(0)) * std::size_t(state.range(0));
  std::vector<double> a(count, 1.0), b(count, 0.0);
  for (auto _ : state) {
    std::copy(a.begin(), a.end(), b.begin());
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  // STREAM's convention: a copy moves 16 bytes per element (one read, one write).
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(16 * count));
}
BENCHMARK(BM_Copy)->Arg(500)->Arg(1000)->Arg(2000)->Arg(4000)->Unit(benchmark::kMillisecond);

void BM_Read(benchmark::State& state) {
  const std::size_t count = std::size_t(state.range(0)) * std::size_t(state.range(0));
  std::vector<double> a(count, 1.0);
  for (auto _ : state) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (std::size_t k = 0; k + 4 <= count; k += 4) {
      s0 += a[k];
      s1 += a[k + 1];
      s2 += a[k + 2];
      s3 += a[k + 3];
    }
    benchmark::DoNotOptimize(s0 + s1 + s2 + s3);
  }
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(8 * count));
}
BENCHMARK(BM_Read)->Arg(500)->Arg(1000)->Arg(2000)->Arg(4000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
