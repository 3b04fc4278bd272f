// NormGrad's exactness (spec 4.5 check 1): the per-location terms sum to the weight gradient of
// a real identity convolution inserted at the layer, and the maps are their Frobenius norms;
// the baselines against hand computations; correlations against scipy.
#include <gtest/gtest.h>

#include "descent/core/error.hpp"
#include "descent/saliency/explain.hpp"
#include "descent/saliency/saliency.hpp"
#include "descent/train/data.hpp"
#include "descent/train/model.hpp"

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
  train::TensorDataset items;
  items.x = torch::rand({5, 28 * 28}) + 1.0;  // brighter than the noise
  items.y = torch::arange(5, torch::kLong);
  items.classes = 5;
  items.shape = {1, 28, 28};
  const train::CanvasOptions co{64, 0.1, 7};
  const train::TensorDataset s = train::paste_on_canvas(items, co);
  ASSERT_EQ(s.x.sizes(), (std::vector<std::int64_t>{5, 64 * 64}));
  EXPECT_EQ(s.shape.height, 64);
  const torch::Tensor images = s.x.reshape({5, 64, 64});
  for (std::int64_t i = 0; i < 5; ++i) {
    const auto b = s.boxes[i];
    const std::int64_t t = b[0].item<std::int64_t>(), l = b[1].item<std::int64_t>();
    EXPECT_EQ(b[2].item<std::int64_t>() - t, 28);
    EXPECT_EQ(b[3].item<std::int64_t>() - l, 28);
    const torch::Tensor inside = images[i].slice(0, t, t + 28).slice(1, l, l + 28);
    EXPECT_GT(inside.min().item<float>(), 0.4f);  // item (>= 1) plus noise of sigma 0.1
  }
  // The same seed gives the same canvases; a map peaking inside the box is a hit, outside not.
  EXPECT_TRUE(torch::equal(s.x, train::paste_on_canvas(items, co).x));
  const torch::Tensor maps = images.to(torch::kFloat64);
  EXPECT_TRUE(saliency::pointing_hits(maps, s.boxes, 64).all().item<bool>());
  torch::Tensor wrong = torch::zeros({5, 64, 64}, torch::kFloat64);
  for (std::int64_t i = 0; i < 5; ++i) {
    const std::int64_t t = s.boxes[i][0].item<std::int64_t>();
    wrong[i][t >= 32 ? 0 : 63][0] = 1.0;  // a far corner row, outside box + 3 px
  }
  EXPECT_FALSE(saliency::pointing_hits(wrong, s.boxes, 64).any().item<bool>());
  items.shape = {1, 70, 70};
  items.x = torch::rand({5, 70 * 70});
  EXPECT_THROW(train::paste_on_canvas(items, co), InvalidOption);
}

// A small conv net in the train module's form: flat rows in, logits out.
torch::nn::Sequential small_cnn() {
  torch::manual_seed(11);
  auto m = train::make_model("cnn-small", {1, 12, 12}, 3);
  m->to(torch::kFloat64);
  m->eval();
  return m;
}

TEST(Explain, LayersAreTheConvOutputsAfterTheirActivation) {
  auto model = small_cnn();
  EXPECT_EQ(saliency::conv_layers(model), (std::vector<std::string>{"conv1", "conv2"}));
  const torch::Tensor x = torch::randn({2, 1, 12, 12}, kDouble);
  const saliency::Forward f = saliency::forward_keeping(model, x, {"conv2", "conv1"});
  // The logits are the plain forward's, and conv1 is ReLU(conv(x)) at full resolution.
  EXPECT_LT(max_abs_diff(f.logits, model->forward(x.reshape({2, -1}))), 1e-12);
  auto* conv = model->ptr<torch::nn::Conv2dImpl>(1).get();
  EXPECT_LT(max_abs_diff(f.activations[1], torch::relu(conv->forward(x))), 1e-12);
  EXPECT_EQ(f.activations[0].sizes(), (std::vector<std::int64_t>{2, 32, 6, 6}));
  try {
    saliency::forward_keeping(model, x, {"conv9"});
    ADD_FAILURE() << "no error for an unknown layer";
  } catch (const InvalidOption& e) {
    EXPECT_NE(std::string(e.what()).find("conv1, conv2"), std::string::npos) << e.what();
  }
}

TEST(Explain, MapsComeFromOneBackwardPassAndMatchTheDefinitions) {
  auto model = small_cnn();
  const torch::Tensor x = torch::randn({3, 1, 12, 12}, kDouble);
  const torch::Tensor cls = torch::tensor({0, 2, 1}, torch::kLong);
  const saliency::Maps m = saliency::explain(model, x, cls, {"conv1", "conv2"});
  // Reference: gradients of each logit separately, by autograd on a fresh graph.
  for (std::int64_t i = 0; i < 3; ++i) {
    const torch::Tensor xi = x.slice(0, i, i + 1).clone().requires_grad_(true);
    const saliency::Forward f = saliency::forward_keeping(model, xi, {"conv2"});
    const torch::Tensor s = f.logits[0][cls[i].item<std::int64_t>()];
    const auto g = torch::autograd::grad({s}, {f.activations[0], xi});
    EXPECT_LT(max_abs_diff(m.normgrad[1][i], saliency::normgrad(f.activations[0], g[0])[0]), 1e-12);
    EXPECT_LT(max_abs_diff(m.gradcam[1][i], saliency::gradcam(f.activations[0], g[0])[0]), 1e-12);
    EXPECT_LT(max_abs_diff(m.gradient[i], g[1].norm(2, {1})[0]), 1e-12);
  }
  EXPECT_EQ(m.normgrad_3x3[0].sizes(), (std::vector<std::int64_t>{3, 12, 12}));
}

TEST(Explain, MetaSaliencyStepsOnceAndRestoresTheWeights) {
  auto model = small_cnn();
  const torch::Tensor before = train::flat_parameters(*model);
  const torch::Tensor x = torch::randn({2, 1, 12, 12}, kDouble);
  const torch::Tensor cls = torch::tensor({1, 0}, torch::kLong);
  const saliency::Maps plain = saliency::explain(model, x, cls, {"conv2"});
  // A vanishing step gives the plain maps; a real one changes them; the weights come back.
  const saliency::Maps tiny = saliency::meta_explain(model, x, cls, {"conv2"}, 1e-12);
  EXPECT_LT(max_abs_diff(tiny.normgrad[0], plain.normgrad[0]), 1e-8);
  const saliency::Maps meta = saliency::meta_explain(model, x, cls, {"conv2"}, 0.5);
  EXPECT_GT(max_abs_diff(meta.normgrad[0], plain.normgrad[0]), 1e-6);
  EXPECT_TRUE(torch::equal(train::flat_parameters(*model), before));
  // Each input takes its own step: the second map equals a run on the second input alone.
  const saliency::Maps second =
      saliency::meta_explain(model, x.slice(0, 1, 2), cls.slice(0, 1, 2), {"conv2"}, 0.5);
  EXPECT_LT(max_abs_diff(meta.normgrad[0][1], second.normgrad[0][0]), 1e-12);
}

TEST(Explain, CascadingReinitialisationGoesFromTheTop) {
  auto model = small_cnn();
  auto* fc = model->ptr<torch::nn::LinearImpl>(8).get();
  auto* conv2 = model->ptr<torch::nn::Conv2dImpl>(4).get();
  auto* conv1 = model->ptr<torch::nn::Conv2dImpl>(1).get();
  ASSERT_NE(fc, nullptr);
  const torch::Tensor fc_w = fc->weight.clone(), c2 = conv2->weight.clone(),
                      c1 = conv1->weight.clone();
  EXPECT_EQ(saliency::reinitialize_top_layers(model, 2), 2u);
  EXPECT_FALSE(torch::equal(fc->weight, fc_w));
  EXPECT_FALSE(torch::equal(conv2->weight, c2));
  EXPECT_TRUE(torch::equal(conv1->weight, c1));
  EXPECT_EQ(saliency::reinitialize_top_layers(model, 10), 3u);  // only three layers have weights
}

TEST(Explain, PointingGameScoresEveryMethodAndTheCentre) {
  auto model = small_cnn();
  const torch::Tensor x = torch::randn({4, 1, 12, 12}, kDouble);
  const torch::Tensor labels = torch::zeros({4}, torch::kLong);
  // Boxes: the whole image (every map hits), and a corner box that excludes the centre.
  torch::Tensor boxes =
      torch::tensor({0, 0, 12, 12, 0, 0, 12, 12, 0, 0, 2, 2, 0, 0, 2, 2}, torch::kLong)
          .reshape({4, 4});
  saliency::PointingOptions po;
  po.tolerance = 0;
  po.batch = 3;  // two batches
  const auto r = saliency::pointing_game(model, x, labels, boxes, {"conv1", "conv2"}, po);
  EXPECT_EQ(r.images, 4);
  EXPECT_DOUBLE_EQ(r.hit("center"), 0.5);
  for (const auto& s : r.scores) {
    EXPECT_GE(s.hit_rate, 0.5) << s.method;
    EXPECT_LE(s.hit_rate, 1.0) << s.method;
  }
  EXPECT_NO_THROW(r.hit("normgrad:conv2"));
  EXPECT_NO_THROW(r.hit("gradcam:conv2"));
  EXPECT_THROW(r.hit("nonsense"), InvalidOption);
  EXPECT_NEAR(r.box_area_baseline, 0.5 * (1.0 + 4.0 / 144.0), 1e-12);
}

}  // namespace
