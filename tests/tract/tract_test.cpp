// TrAct: golden gradients from python3-torch (tests/tract/make_golden.py), the Woodbury and
// direct branches, the large-lambda limit, the one-step least-squares identity, the wrappers.
#include <gtest/gtest.h>

#include <string>

#include "descent/core/error.hpp"
#include "descent/io/json.hpp"
#include "descent/tract/tract.hpp"

namespace {

using namespace descent;
using tract::TrActConv2d;
using tract::TrActLinear;

const auto kDouble = torch::TensorOptions().dtype(torch::kFloat64);

torch::Tensor tensor(const nlohmann::json& values, const nlohmann::json& shape) {
  const std::vector<double> v = values.get<std::vector<double>>();
  return torch::tensor(v, kDouble).reshape(shape.get<std::vector<std::int64_t>>());
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

TEST(TractGolden, EveryCaseMatchesTheTorchReference) {
  const nlohmann::json golden =
      io::read_json(std::string(DESCENT_SOURCE_DIR) + "/tests/tract/data/golden.json");
  ASSERT_GE(golden["cases"].size(), 7u);
  for (const auto& c : golden["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const torch::Tensor x = tensor(c["x"], c["x_shape"]).requires_grad_(true);
    const torch::Tensor y = tensor(c["y"], c["y_shape"]);
    const torch::Tensor w = tensor(c["w"], c["w_shape"]);
    const torch::Tensor b = torch::tensor(c["b"].get<std::vector<double>>(), kDouble);
    const double lambda = c["lambda"].get<double>();
    torch::Tensor out, plain, weight, bias;
    const torch::Tensor x_plain = x.detach().clone().requires_grad_(true);
    // Sets the layer's parameters to the case's and runs it forward.
    const auto run = [&](auto& layer) {
      layer->to(torch::kFloat64);
      {
        torch::NoGradGuard no_grad;
        layer->weight.copy_(w);
        layer->bias.copy_(b);
      }
      weight = layer->weight;
      bias = layer->bias;
      return layer->forward(x);
    };
    if (c["kind"] == "linear") {
      TrActLinear layer(w.size(1), w.size(0), lambda);
      out = run(layer);
      plain = torch::nn::functional::linear(x_plain, w, b);
    } else {
      const auto stride = c["stride"].get<std::vector<std::int64_t>>();
      const auto padding = c["padding"].get<std::vector<std::int64_t>>();
      TrActConv2d layer(torch::nn::Conv2dOptions(w.size(1), w.size(0), {w.size(2), w.size(3)})
                            .stride({stride[0], stride[1]})
                            .padding({padding[0], padding[1]}),
                        lambda);
      out = run(layer);
      plain = torch::conv2d(x_plain, w, b, stride, padding);
    }
    (y - out).pow(2).mean().backward();
    (y - plain).pow(2).mean().backward();
    const torch::Tensor want_w = tensor(c["grad_w"], c["w_shape"]);
    const torch::Tensor want_b = torch::tensor(c["grad_b"].get<std::vector<double>>(), kDouble);
    EXPECT_LT(max_abs_diff(weight.grad(), want_w), 1e-9);
    // The bias and input gradients are the standard ones.
    EXPECT_LT(max_abs_diff(bias.grad(), want_b), 1e-12);
    EXPECT_LT(max_abs_diff(x.grad(), x_plain.grad()), 1e-12);
  }
}

TEST(TractGolden, OfficialCasesFromTheSameSeedInFloat32) {
  // The official __main__ test built in C++ from torch's generator: the same draws and the same
  // default initialisation as Python's, so the published float32 values (spec 1.5) hold.
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({30, 8});
  const torch::Tensor y = torch::randn({30, 5});
  TrActLinear lin(8, 5, 0.1);
  (y - lin->forward(x)).pow(2).mean().backward();
  const std::vector<float> row0 = {0.0741,  0.0949, -0.0559, -0.0398,
                                   -0.1364, 0.0013, 0.1603,  -0.0468};
  EXPECT_LT(max_abs_diff(lin->weight.grad()[0], torch::tensor(row0)), 1e-4);
  EXPECT_LT(max_abs_diff(lin->bias.grad(), torch::tensor(std::vector<float>{
                                               -0.1162, 0.1062, -0.1275, -0.0206, -0.1149})),
            1e-4);
}

TEST(Tract, WoodburyAndDirectAgree) {
  torch::manual_seed(7);
  for (std::int64_t rows : {9, 10, 11}) {  // around n = 10
    const torch::Tensor g = torch::randn({rows, 3}, kDouble);
    const torch::Tensor a = torch::randn({rows, 10}, kDouble);
    const torch::Tensor d = tract::direct_weight_gradient(g, a, 0.1);
    const torch::Tensor w = tract::woodbury_weight_gradient(g, a, 0.1);
    EXPECT_LT(relative_error(w, d), 1e-5) << rows;
  }
}

TEST(Tract, LargeLambdaGivesThePlainGradient) {
  torch::manual_seed(8);
  const torch::Tensor g = torch::randn({40, 4}, kDouble);
  const torch::Tensor a = torch::randn({40, 6}, kDouble);
  const double lambda = 1e6;
  const torch::Tensor scaled = lambda * tract::preconditioned_weight_gradient(g, a, lambda);
  EXPECT_LT(relative_error(scaled, g.t().mm(a)), 1e-3);
  EXPECT_GT(relative_error(tract::preconditioned_weight_gradient(g, a, 0.1) * 0.1, g.t().mm(a)),
            1e-2);  // and a real change at the default
}

TEST(Tract, OneFullBatchStepSolvesTheDampedLeastSquares) {
  // W_new = W0 - eta G~ satisfies (XᵀX + λN I)(W_new - W0)ᵀ = -eta N XᵀG (spec 1.1).
  torch::manual_seed(9);
  const std::int64_t n_rows = 50, n = 7, m = 3;
  const double lambda = 0.1, eta = 0.3;
  const torch::Tensor x = torch::randn({n_rows, n}, kDouble);
  const torch::Tensor g = torch::randn({n_rows, m}, kDouble);
  const torch::Tensor step = -eta * tract::preconditioned_weight_gradient(g, x, lambda);
  const torch::Tensor lhs =
      (x.t().mm(x) + lambda * double(n_rows) * torch::eye(n, kDouble)).mm(step.t());
  const torch::Tensor rhs = -eta * double(n_rows) * x.t().mm(g);
  EXPECT_LT(relative_error(lhs, rhs), 1e-10);
}

TEST(Tract, WrapFirstLayerSharesParametersAndKeepsTheOutput) {
  torch::manual_seed(10);
  torch::nn::Sequential net(torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 4, 3).padding(1)),
                            torch::nn::ReLU(), torch::nn::Flatten(),
                            torch::nn::Linear(4 * 6 * 6, 3));
  torch::nn::Sequential wrapped = tract::wrap_first_layer(net, 0.1);
  ASSERT_EQ(wrapped->size(), net->size());
  EXPECT_NE(std::dynamic_pointer_cast<tract::TrActConv2dImpl>(wrapped->ptr(0)), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<torch::nn::LinearImpl>(wrapped->ptr(3)), nullptr);
  const auto a = net->named_parameters(), b = wrapped->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& p : a) {
    ASSERT_TRUE(b.contains(p.key())) << p.key();  // the same names: checkpoints carry over
    EXPECT_EQ(p.value().data_ptr(), b[p.key()].data_ptr()) << p.key();
  }
  const torch::Tensor x = torch::randn({2, 1, 6, 6});
  EXPECT_LT(max_abs_diff(wrapped->forward(x), net->forward(x)), 1e-6);
  EXPECT_THROW(tract::wrap_first_layer(torch::nn::Sequential(torch::nn::ReLU()), 0.1),
               InvalidOption);
}

TEST(Tract, BadOptionsAreRefused) {
  EXPECT_THROW(TrActLinear(3, 2, 0.0), InvalidOption);
  EXPECT_THROW(TrActLinear(3, 2, -1.0), InvalidOption);
  EXPECT_THROW(TrActConv2d(torch::nn::Conv2dOptions(1, 2, 3).dilation(2)), InvalidOption);
  EXPECT_THROW(TrActConv2d(torch::nn::Conv2dOptions(2, 2, 3).groups(2)), InvalidOption);
  EXPECT_THROW(
      TrActConv2d(torch::nn::Conv2dOptions(1, 2, 3).padding(1).padding_mode(torch::kReflect)),
      InvalidOption);
  EXPECT_THROW(
      tract::preconditioned_weight_gradient(torch::randn({4, 2}), torch::randn({5, 3}), 0.1),
      InvalidOption);
}

}  // namespace
