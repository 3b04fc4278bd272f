#include "descent/saliency/saliency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "descent/core/error.hpp"

namespace descent::saliency {

namespace {

void check_pair(const torch::Tensor& x, const torch::Tensor& g, const char* what) {
  if (x.dim() != 4 || !x.sizes().equals(g.sizes()))
    throw InvalidOption(what, "activations and gradients must both be B x C x H x W");
}

}  // namespace

std::vector<torch::Tensor> layer_gradients(const torch::Tensor& score,
                                           const std::vector<torch::Tensor>& activations) {
  return torch::autograd::grad({score.sum()}, activations, /*grad_outputs=*/{},
                               /*retain_graph=*/true);
}

torch::Tensor normgrad(const torch::Tensor& x, const torch::Tensor& g) {
  check_pair(x, g, "normgrad");
  return x.norm(2, {1}) * g.norm(2, {1});
}

torch::Tensor normgrad_3x3(const torch::Tensor& x, const torch::Tensor& g) {
  check_pair(x, g, "normgrad_3x3");
  namespace F = torch::nn::functional;
  // ‖unfold₃ₓ₃(x)(u)‖² is the 3×3 box sum of Σ_c x_c², so no C·9 unfold is needed.
  const torch::Tensor sq = x.pow(2).sum(1, /*keepdim=*/true);
  const torch::Tensor box =
      F::conv2d(sq, torch::ones({1, 1, 3, 3}, x.options()), F::Conv2dFuncOptions().padding(1));
  return box.squeeze(1).clamp_min(0).sqrt() * g.norm(2, {1});
}

torch::Tensor normgrad_selective(const torch::Tensor& x, const torch::Tensor& g) {
  check_pair(x, g, "normgrad_selective");
  return (x * g).clamp_min(0).norm(2, {1});
}

torch::Tensor gradcam(const torch::Tensor& x, const torch::Tensor& g) {
  check_pair(x, g, "gradcam");
  const torch::Tensor w = g.mean({2, 3}, /*keepdim=*/true);
  return (w * x).sum(1).clamp_min(0);
}

torch::Tensor gradient_map(const torch::Tensor& input_gradient) {
  if (input_gradient.dim() != 4) throw InvalidOption("gradient_map", "needs B x C x H x W");
  return input_gradient.norm(2, {1});
}

torch::Tensor gradient_times_input(const torch::Tensor& input,
                                   const torch::Tensor& input_gradient) {
  check_pair(input, input_gradient, "gradient_times_input");
  return (input * input_gradient).sum(1).abs();
}

torch::Tensor normalized(const torch::Tensor& maps, std::int64_t height, std::int64_t width) {
  if (maps.dim() != 3) throw InvalidOption("normalized", "maps must be B x h x w");
  namespace F = torch::nn::functional;
  torch::Tensor up =
      F::interpolate(maps.unsqueeze(1), F::InterpolateFuncOptions()
                                            .size(std::vector<std::int64_t>{height, width})
                                            .mode(torch::kBilinear)
                                            .align_corners(false))
          .squeeze(1);
  const torch::Tensor flat = up.reshape({up.size(0), -1});
  const torch::Tensor lo = std::get<0>(flat.min(1, true)), hi = std::get<0>(flat.max(1, true));
  const torch::Tensor range = hi - lo;
  const torch::Tensor scaled =
      torch::where(range > 0, (flat - lo) / range.clamp_min(1e-300), torch::zeros_like(flat));
  return scaled.reshape(up.sizes());
}

torch::Tensor combined(const std::vector<torch::Tensor>& maps, std::int64_t height,
                       std::int64_t width) {
  if (maps.empty()) throw InvalidOption("combined", "needs at least one map");
  torch::Tensor out = normalized(maps.front(), height, width);
  for (std::size_t i = 1; i < maps.size(); ++i) out = out * normalized(maps[i], height, width);
  return out;
}

torch::Tensor argmax_location(const torch::Tensor& maps) {
  if (maps.dim() != 3) throw InvalidOption("argmax_location", "maps must be B x H x W");
  const torch::Tensor idx = maps.reshape({maps.size(0), -1}).argmax(1);
  return torch::stack({torch::div(idx, maps.size(2), "floor"), idx.remainder(maps.size(2))}, 1);
}

torch::Tensor pointing_hits(const torch::Tensor& maps, const torch::Tensor& boxes,
                            std::int64_t canvas, std::int64_t tolerance) {
  const torch::Tensor at = argmax_location(normalized(maps.to(torch::kFloat64), canvas, canvas));
  const torch::Tensor r = at.select(1, 0), c = at.select(1, 1);
  return (r >= boxes.select(1, 0) - tolerance) & (r < boxes.select(1, 2) + tolerance) &
         (c >= boxes.select(1, 1) - tolerance) & (c < boxes.select(1, 3) + tolerance);
}

double pearson(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor x = a.reshape({-1}).to(torch::kFloat64),
                      y = b.reshape({-1}).to(torch::kFloat64);
  if (x.numel() != y.numel()) throw InvalidOption("pearson", "maps must have the same size");
  const torch::Tensor dx = x - x.mean(), dy = y - y.mean();
  const double den = (dx.norm() * dy.norm()).item<double>();
  return den > 0 ? (dx * dy).sum().item<double>() / den : 0.0;
}

namespace {
// Ranks 1..n with ties given their average rank.
torch::Tensor average_ranks(const torch::Tensor& v) {
  const torch::Tensor x = v.reshape({-1}).to(torch::kFloat64).contiguous();
  const std::int64_t n = x.numel();
  const double* p = x.data_ptr<double>();
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [p](std::int64_t i, std::int64_t j) { return p[i] < p[j]; });
  std::vector<double> rank(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n;) {
    std::int64_t j = i;
    while (j + 1 < n && p[order[j + 1]] == p[order[i]]) ++j;
    const double r = 0.5 * double(i + j) + 1.0;
    for (std::int64_t k = i; k <= j; ++k) rank[static_cast<std::size_t>(order[k])] = r;
    i = j + 1;
  }
  return torch::tensor(rank, torch::kFloat64);
}
}  // namespace

double spearman(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.numel() != b.numel()) throw InvalidOption("spearman", "maps must have the same size");
  return pearson(average_ranks(a), average_ranks(b));
}

}  // namespace descent::saliency
