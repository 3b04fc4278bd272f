// NormGrad's exactness (spec 4.5 check 1): the per-location terms sum to the weight gradient of
// a real identity convolution inserted at the layer, and the maps are their Frobenius norms;
// the baselines against hand computations; correlations against scipy.
#include <gtest/gtest.h>

#include "descent/core/error.hpp"
#include "descent/saliency/saliency.hpp"

namespace {

using namespace descent;
const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// A smooth score of a layer output z (B × C × H × W): s = Σ v ⊙ tanh(z).
struct Head {
  torch::Tensor v;
  explicit Head(torch::IntArrayRef shape) : v(torch::randn(shape, kDouble)) {}
  torch::Tensor operator()(const torch::Tensor& z) const { return (v * torch::tanh(z)).sum(); }
};

TEST(NormGrad, TermsSumToTheIdentity1x1ConvGradientAndMapsAreTheirNorms) {
  torch::manual_seed(1);
  const std::int64_t B = 2, C = 3, H = 5, W = 4;
  const torch::Tensor x = torch::randn({B, C, H, W}, kDouble);
  const Head head({B, C, H, W});
  // The virtual layer made real: a 1×1 convolution initialised to the identity.
  const torch::Tensor eye = torch::eye(C, kDouble).reshape({C, C, 1, 1}).requires_grad_(true);
  head(torch::conv2d(x, eye)).backward();
  // g = ∂s/∂x at the layer (the identity does not change z = x).
  const torch::Tensor xg = x.clone().requires_grad_(true);
  const torch::Tensor g = saliency::layer_gradients(head(xg), {xg})[0];
  // Σ_{b,u} g(u) x(u)ᵀ, with the conv weight's [out, in] layout.
  const torch::Tensor terms = torch::einsum("bohw,bihw->oi", {g, x});
  EXPECT_LT(max_abs_diff(terms, eye.grad().reshape({C, C})), 1e-12);
  // The map is each location's ‖g(u) x(u)ᵀ‖_F, computed here with the C×C term materialised.
  const torch::Tensor per_location = torch::einsum("bohw,bihw->bhwoi", {g, x});
  const torch::Tensor frob = per_location.pow(2).sum({3, 4}).sqrt();
  EXPECT_LT(max_abs_diff(saliency::normgrad(x, g), frob), 1e-12);
}

TEST(NormGrad, ThreeByThreeVariantMatchesAnIdentity3x3Conv) {
  torch::manual_seed(2);
  const std::int64_t B = 2, C = 3, H = 6, W = 5;
  const torch::Tensor x = torch::randn({B, C, H, W}, kDouble);
  const Head head({B, C, H, W});
  // Centre tap = I, padding 1: the output is x itself.
  torch::Tensor w = torch::zeros({C, C, 3, 3}, kDouble);
  for (std::int64_t c = 0; c < C; ++c) w[c][c][1][1] = 1.0;
  w.requires_grad_(true);
  head(torch::conv2d(x, w, {}, 1, 1)).backward();
  const torch::Tensor xg = x.clone().requires_grad_(true);
  const torch::Tensor g = saliency::layer_gradients(head(xg), {xg})[0];
  // Per-location terms g(u) a(u)ᵀ with a(u) the 3×3 patch around u (C·9 entries).
  namespace F = torch::nn::functional;
  const torch::Tensor a = F::unfold(x, F::UnfoldFuncOptions({3, 3}).padding(1))  // B × C·9 × HW
                              .reshape({B, C * 9, H, W});
  const torch::Tensor terms = torch::einsum("bohw,bihw->oi", {g, a});
  EXPECT_LT(max_abs_diff(terms, w.grad().reshape({C, C * 9})), 1e-12);
  const torch::Tensor frob = torch::einsum("bohw,bihw->bhwoi", {g, a}).pow(2).sum({3, 4}).sqrt();
  EXPECT_LT(max_abs_diff(saliency::normgrad_3x3(x, g), frob), 1e-12);
}

TEST(Saliency, BaselinesMatchTheirDefinitions) {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({1, 2, 3, 3}, kDouble);
  const torch::Tensor g = torch::randn({1, 2, 3, 3}, kDouble);
  // Grad-CAM at one location, by hand.
  const double w0 = g[0][0].mean().item<double>(), w1 = g[0][1].mean().item<double>();
  const double cam =
      std::max(0.0, w0 * x[0][0][1][2].item<double>() + w1 * x[0][1][1][2].item<double>());
  EXPECT_NEAR(saliency::gradcam(x, g)[0][1][2].item<double>(), cam, 1e-14);
  // Selective NormGrad and gradient x input at one location.
  const double p0 = x[0][0][2][0].item<double>() * g[0][0][2][0].item<double>();
  const double p1 = x[0][1][2][0].item<double>() * g[0][1][2][0].item<double>();
  EXPECT_NEAR(
      saliency::normgrad_selective(x, g)[0][2][0].item<double>(),
      std::sqrt(std::max(0.0, p0) * std::max(0.0, p0) + std::max(0.0, p1) * std::max(0.0, p1)),
      1e-14);
  EXPECT_NEAR(saliency::gradient_times_input(x, g)[0][2][0].item<double>(), std::abs(p0 + p1),
              1e-14);
  EXPECT_NEAR(saliency::gradient_map(g)[0][0][0].item<double>(),
              std::hypot(g[0][0][0][0].item<double>(), g[0][1][0][0].item<double>()), 1e-14);
}

TEST(Saliency, NormalisedAndCombinedMaps) {
  const torch::Tensor m = torch::arange(16, kDouble).reshape({1, 4, 4});
  const torch::Tensor n = saliency::normalized(m, 8, 8);
  EXPECT_EQ(n.sizes(), (std::vector<std::int64_t>{1, 8, 8}));
  EXPECT_DOUBLE_EQ(n.min().item<double>(), 0.0);
  EXPECT_DOUBLE_EQ(n.max().item<double>(), 1.0);
  EXPECT_EQ(saliency::normalized(torch::ones({1, 2, 2}, kDouble), 4, 4).abs().max().item<double>(),
            0.0);  // a constant map becomes 0, not NaN
  const torch::Tensor c = saliency::combined({m, m.flip({2})}, 4, 4);
  EXPECT_LE(c.max().item<double>(), 1.0);
  const torch::Tensor loc = saliency::argmax_location(m);
  EXPECT_EQ(loc[0][0].item<std::int64_t>(), 3);
  EXPECT_EQ(loc[0][1].item<std::int64_t>(), 3);
}

TEST(Saliency, CorrelationsMatchScipy) {
  const torch::Tensor a = torch::tensor({3., 1., 4., 1., 5., 9., 2., 6., 5., 3.}, kDouble);
  const torch::Tensor b = torch::tensor({2., 7., 1., 8., 2., 8., 1., 8., 2., 8.}, kDouble);
  // scipy.stats.pearsonr / spearmanr (1.10, ties as average ranks)
  EXPECT_NEAR(saliency::pearson(a, b), 0.10492284287735876, 1e-14);
  EXPECT_NEAR(saliency::spearman(a, b), 0.13471506281091267, 1e-14);
  EXPECT_NEAR(saliency::pearson(a, -a), -1.0, 1e-14);
  EXPECT_EQ(saliency::pearson(a, torch::ones_like(a)), 0.0);
  EXPECT_THROW(saliency::normgrad(torch::zeros({1, 2, 3}), torch::zeros({1, 2, 3})), InvalidOption);
}

}  // namespace

namespace {

TEST(PointingGame, CanvasesHoldTheItemInsideTheBox) {
  torch::manual_seed(4);
  const torch::Tensor items = torch::rand({5, 28, 28}) + 1.0;  // brighter than the noise
  const torch::Tensor labels = torch::arange(5, torch::kLong);
  const saliency::PointingSet s = saliency::make_pointing_set(items, labels, 64, 0.1, 7);
  ASSERT_EQ(s.images.sizes(), (std::vector<std::int64_t>{5, 1, 64, 64}));
  for (std::int64_t i = 0; i < 5; ++i) {
    const auto b = s.boxes[i];
    const std::int64_t t = b[0].item<std::int64_t>(), l = b[1].item<std::int64_t>();
    EXPECT_EQ(b[2].item<std::int64_t>() - t, 28);
    EXPECT_EQ(b[3].item<std::int64_t>() - l, 28);
    const torch::Tensor inside = s.images[i][0].slice(0, t, t + 28).slice(1, l, l + 28);
    EXPECT_GT(inside.min().item<float>(), 0.4f);  // item (>= 1) plus noise of sigma 0.1
  }
  // The same seed gives the same canvases; a map peaking inside the box is a hit, outside not.
  EXPECT_TRUE(
      torch::equal(s.images, saliency::make_pointing_set(items, labels, 64, 0.1, 7).images));
  const torch::Tensor maps = s.images.squeeze(1).to(torch::kFloat64);
  EXPECT_TRUE(saliency::pointing_hits(maps, s.boxes, 64).all().item<bool>());
  torch::Tensor wrong = torch::zeros({5, 64, 64}, torch::kFloat64);
  for (std::int64_t i = 0; i < 5; ++i) {
    const std::int64_t t = s.boxes[i][0].item<std::int64_t>();
    wrong[i][t >= 32 ? 0 : 63][0] = 1.0;  // a far corner row, outside box + 3 px
  }
  EXPECT_FALSE(saliency::pointing_hits(wrong, s.boxes, 64).any().item<bool>());
}

}  // namespace
