// One training step (forward, backward, Adam update) with and without TrAct on the first layer,
// float32, one thread, batch 128:
//
//   BM_PatchCnnStep/tract      the spec's patch CNN (train::make_model("patch-cnn")) on 28x28
//                              images; tract = 0 plain, 1 TrAct (lambda 0.1)
//   BM_LinearStep/n/tract      Linear(n -> 256) -> ReLU -> Linear(256 -> 10) on n features, n in
//                              {64, 256, 768} (N = 128 rows: direct solve for n <= 128, the
//                              Woodbury form above)
//   BM_SaliencyMaps/kind       the pointing-game CNN (make_model("gmp-cnn"), 64x64 canvases):
//                              kind = 0 one input-gradient map, 1 NormGrad at all four conv
//                              layers, 2 every map saliency::explain makes (NormGrad 1x1 and
//                              3x3 and Grad-CAM per layer, gradient, gradient x input), each
//                              from one forward and one backward pass
//
// The docs quote the ratio tract/plain of each pair (docs/tract.md) and the ratio of the two
// saliency kinds (docs/saliency.md), each from one run.
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include "descent/saliency/explain.hpp"
#include "descent/saliency/saliency.hpp"
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

void BM_SaliencyMaps(benchmark::State& state) {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  torch::nn::Sequential net = train::make_model("gmp-cnn", {1, 64, 64}, 10);
  net->eval();
  const torch::Tensor x = torch::randn({128, 1, 64, 64});
  const torch::Tensor cls = torch::randint(10, {128}, torch::kLong);
  const std::vector<std::string> layers = saliency::conv_layers(net);
  for (auto _ : state) {
    if (state.range(0) == 0) {
      const torch::Tensor xg = x.reshape({128, -1}).clone().requires_grad_(true);
      const torch::Tensor s = net->forward(xg).gather(1, cls.unsqueeze(1));
      benchmark::DoNotOptimize(
          saliency::gradient_map(saliency::layer_gradients(s, {xg})[0].reshape(x.sizes())));
    } else if (state.range(0) == 1) {
      const saliency::Forward f = saliency::forward_keeping(net, x, layers);
      const auto g = saliency::layer_gradients(f.logits.gather(1, cls.unsqueeze(1)), f.activations);
      for (std::size_t l = 0; l < layers.size(); ++l)
        benchmark::DoNotOptimize(saliency::normgrad(f.activations[l].detach(), g[l]));
    } else {
      benchmark::DoNotOptimize(saliency::explain(net, x, cls, layers).normgrad.back());
    }
  }
}
BENCHMARK(BM_SaliencyMaps)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
