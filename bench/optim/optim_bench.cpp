// Optimizer step cost per parameter (float32, one thread) at 1e5 / 1e6 / 1e7 parameters.
//
//   BM_FusedAdam/n, BM_FusedDiffGrad/n   descent::optim kernels on raw spans (one pass)
//   BM_OursTorchAdam/n, BM_OursTorchDiffGrad/n
//                                        descent::optim_torch::Optimizer::step on a tensor
//   BM_LibTorchAdam/n                    torch::optim::Adam::step (LibTorch 1.13, several passes)
//   BM_Copy/n                            STREAM-like copy of n floats (8 bytes moved per element)
// Counters: ns_per_param, and bytes_per_second for the minimal traffic of a fused step
// (Adam: read x, g, m, v + write x, m, v = 28 B/param; diffGrad adds the previous gradient:
// 36 B/param), to compare against the copy's bandwidth.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include <torch/torch.h>

#include "descent/optim/kernels.hpp"
#include "descent/optim_torch/optimizer.hpp"

namespace {

using namespace descent;

void per_param(benchmark::State& state, std::int64_t n, double bytes_per_param) {
  state.counters["ns_per_param"] =
      benchmark::Counter(double(n) * 1e-9, benchmark::Counter::kIsIterationInvariantRate |
                                               benchmark::Counter::kInvert);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * bytes_per_param));
}

std::vector<float> filled(std::int64_t n, float scale) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = scale * float((i * 2654435761u) % 1000) / 1000;
  return v;
}

void BM_FusedAdam(benchmark::State& state) {
  torch::set_num_threads(1);
  const std::int64_t n = state.range(0);
  auto x = filled(n, 1), g = filled(n, 0.1f), m = filled(n, 0), v = filled(n, 0);
  optim::AdamOptions o;
  std::int64_t t = 0;
  for (auto _ : state) {
    optim::adam_step<float>(o, ++t, x, g, m, v);
    benchmark::ClobberMemory();
  }
  per_param(state, n, 28);
}

void BM_FusedDiffGrad(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  auto x = filled(n, 1), g = filled(n, 0.1f), m = filled(n, 0), v = filled(n, 0), p = filled(n, 0);
  optim::DiffGradOptions o;
  std::int64_t t = 0;
  for (auto _ : state) {
    optim::diffgrad_step<float>(o, ++t, x, g, m, v, p);
    benchmark::ClobberMemory();
  }
  per_param(state, n, 36);
}

template <class Make>
void torch_step(benchmark::State& state, Make make, double bytes) {
  torch::set_num_threads(1);
  const std::int64_t n = state.range(0);
  auto p = torch::rand({n}).requires_grad_(true);
  p.mutable_grad() = torch::rand({n}) * 0.1;
  auto opt = make(p);
  opt->step();  // allocate state outside the timed loop
  for (auto _ : state) {
    opt->step();
    benchmark::ClobberMemory();
  }
  per_param(state, n, bytes);
}

void BM_OursTorchAdam(benchmark::State& state) {
  torch_step(
      state, [](torch::Tensor p) { return optim_torch::make_optimizer("adam", {p}); }, 28);
}
void BM_OursTorchDiffGrad(benchmark::State& state) {
  torch_step(
      state, [](torch::Tensor p) { return optim_torch::make_optimizer("diffgrad", {p}); }, 36);
}
void BM_LibTorchAdam(benchmark::State& state) {
  torch_step(
      state,
      [](torch::Tensor p) {
        return std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{p},
                                                    torch::optim::AdamOptions(1e-3));
      },
      28);
}

void BM_Copy(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  auto a = filled(n, 1), b = filled(n, 0);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), sizeof(float) * std::size_t(n));
    benchmark::ClobberMemory();
  }
  per_param(state, n, 8);
}

#define DESCENT_SIZES ->Arg(100000)->Arg(1000000)->Arg(10000000)->UseRealTime()
BENCHMARK(BM_FusedAdam) DESCENT_SIZES;
BENCHMARK(BM_FusedDiffGrad) DESCENT_SIZES;
BENCHMARK(BM_OursTorchAdam) DESCENT_SIZES;
BENCHMARK(BM_OursTorchDiffGrad) DESCENT_SIZES;
BENCHMARK(BM_LibTorchAdam) DESCENT_SIZES;
BENCHMARK(BM_Copy) DESCENT_SIZES;

}  // namespace

BENCHMARK_MAIN();
