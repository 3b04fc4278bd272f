// SubGM's per-iteration cost at the spec's setup (d = 50, m = 1500, r' = 10):
//   packed     descent's DenseMeasurements (m x d(d+1)/2, two GEMVs), 1 and 2 threads;
//   stacked    the same sums on the stacked m x d^2 matrix (two GEMVs of twice the size);
//   loop       a per-measurement loop over d x d matrices A_i (what the GEMVs replace).
// And one DP round's per-sample work for the DIFF2 task (n = 2000, IN = H = 20).
// Run: build/bench/recovery/recovery_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <vector>

#include "descent/privacy/mechanism.hpp"
#include "descent/privacy/mlp.hpp"
#include "descent/recovery/losses.hpp"
#include "descent/recovery/problem.hpp"

namespace {

using namespace descent;
using namespace descent::recovery;

constexpr Eigen::Index kD = 50, kM = 1500, kR = 10;

struct Setup {
  Setup() {
    Rng rng = make_rng(1);
    stacked = normal_matrix(rng, kM, kD * kD);
    op = std::make_unique<DenseMeasurements>(stacked);
    U = normal_matrix(rng, kD, kR);
    y = normal_vector(rng, kM);
    for (Eigen::Index i = 0; i < kM; ++i)
      A.push_back(Eigen::Map<const Eigen::MatrixXd>(stacked.row(i).eval().data(), kD, kD));
  }
  Eigen::MatrixXd stacked, U;
  Eigen::VectorXd y;
  std::unique_ptr<DenseMeasurements> op;
  std::vector<Eigen::MatrixXd> A;
};

Setup& setup() {
  static Setup s;
  return s;
}

void BM_SubgradientPacked(benchmark::State& state) {
  Setup& s = setup();
  LossWorkspace ws;
  Eigen::MatrixXd D;
  for (auto _ : state)
    benchmark::DoNotOptimize(
        l1_loss_subgradient(*s.op, s.y, s.U, D, ws, static_cast<int>(state.range(0))));
}
BENCHMARK(BM_SubgradientPacked)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void BM_SubgradientStacked(benchmark::State& state) {
  Setup& s = setup();
  Eigen::MatrixXd X, D;
  Eigen::VectorXd r(kM), g(kD * kD);
  for (auto _ : state) {
    X.noalias() = s.U * s.U.transpose();
    r.noalias() = s.stacked * Eigen::Map<const Eigen::VectorXd>(X.data(), kD * kD);
    r -= s.y;
    const Eigen::VectorXd sg = r.unaryExpr([](double v) { return double((v > 0) - (v < 0)); });
    g.noalias() = s.stacked.transpose() * sg;
    const Eigen::Map<const Eigen::MatrixXd> G(g.data(), kD, kD);
    D.noalias() = (G + G.transpose()) * s.U / double(kM);
    benchmark::DoNotOptimize(D.data());
  }
}
BENCHMARK(BM_SubgradientStacked)->Unit(benchmark::kMicrosecond);

void BM_SubgradientLoop(benchmark::State& state) {
  Setup& s = setup();
  Eigen::MatrixXd X, S(kD, kD), D;
  for (auto _ : state) {
    X.noalias() = s.U * s.U.transpose();
    S.setZero();
    for (Eigen::Index i = 0; i < kM; ++i) {
      const double r = (s.A[static_cast<std::size_t>(i)].array() * X.array()).sum() - s.y[i];
      const double sg = double((r > 0) - (r < 0));
      S += sg * (s.A[static_cast<std::size_t>(i)] + s.A[static_cast<std::size_t>(i)].transpose());
    }
    D.noalias() = S * s.U / double(kM);
    benchmark::DoNotOptimize(D.data());
  }
}
BENCHMARK(BM_SubgradientLoop)->Unit(benchmark::kMicrosecond);

void BM_Diff2WorkerRound(benchmark::State& state) {
  using namespace descent::privacy;
  const MlpShape shape{20, 20};
  TeacherTask task(shape, 1);
  auto d = task.sample(2000, 0);
  MlpRegression f(shape, d.X, d.y);
  Rng rng = make_rng(2);
  const Eigen::VectorXd x = mlp_initial_parameters(shape, rng);
  const Eigen::VectorXd x2 = x + 0.01 * normal_vector(rng, x.size());
  auto g = f.make_sample_gradients(), h = f.make_sample_gradients();
  f.sample_gradients(x2, *h);
  Eigen::VectorXd m;
  for (auto _ : state) {
    f.sample_gradients(x, *g);
    clipped_mean_difference(*g, *h, 0.1, m);
    benchmark::DoNotOptimize(m.data());
  }
}
BENCHMARK(BM_Diff2WorkerRound)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
