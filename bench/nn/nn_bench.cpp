// One training step (forward, backward, Adam update) with and without TrAct on the first layer,
// float32, one thread, batch 128:
//
//   BM_PatchCnnStep/tract      the spec's patch CNN (train::make_model("patch-cnn")) on 28x28
//                              images; tract = 0 plain, 1 TrAct (lambda 0.1)
//   BM_LinearStep/n/tract      Linear(n -> 256) -> ReLU -> Linear(256 -> 10) on n features, n in
//                              {64, 256, 768} (N = 128 rows: direct solve for n <= 128, the
//                              Woodbury form above)
//
// The docs quote the ratio tract/plain of each pair from one run (docs/tract.md).
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include "descent/tract/tract.hpp"
#include "descent/train/model.hpp"

namespace {

using namespace descent;

void step_loop(benchmark::State& state, torch::nn::Sequential net, const torch::Tensor& x,
               const torch::Tensor& y) {
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  for (auto _ : state) {
    opt.zero_grad();
    torch::nn::functional::cross_entropy(net->forward(x), y).backward();
    opt.step();
  }
}

void BM_PatchCnnStep(benchmark::State& state) {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  torch::nn::Sequential net = train::make_model("patch-cnn", {1, 28, 28}, 10);
  if (state.range(0)) net = tract::wrap_first_layer(net, 0.1);
  const torch::Tensor x = torch::randn({128, 784});
  const torch::Tensor y = torch::randint(10, {128}, torch::kLong);
  step_loop(state, net, x, y);
}
BENCHMARK(BM_PatchCnnStep)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_LinearStep(benchmark::State& state) {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  const std::int64_t n = state.range(0);
  torch::nn::Sequential net(torch::nn::Linear(n, 256), torch::nn::ReLU(),
                            torch::nn::Linear(256, 10));
  if (state.range(1)) net = tract::wrap_first_layer(net, 0.1);
  const torch::Tensor x = torch::randn({128, n});
  const torch::Tensor y = torch::randint(10, {128}, torch::kLong);
  step_loop(state, net, x, y);
}
BENCHMARK(BM_LinearStep)->ArgsProduct({{64, 256, 768}, {0, 1}})->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
