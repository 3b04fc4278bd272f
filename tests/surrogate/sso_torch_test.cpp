#include <gtest/gtest.h>

#include <torch/torch.h>

#include <vector>

#include "descent/surrogate/direct.hpp"
#include "descent/surrogate/sso.hpp"
#include "descent/surrogate/sso_torch.hpp"
#include "descent/surrogate/trainer.hpp"
#include "fixtures.hpp"

namespace descent::surrogate {
namespace {

using testing::binary_labels;
using testing::features;

torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  // Eigen is column-major; torch wants row-major.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
  return torch::from_blob(r.data(), {m.rows(), m.cols()}, torch::kDouble).clone();
}

torch::Tensor rows(const torch::Tensor& x, const std::vector<Eigen::Index>& batch) {
  std::vector<int64_t> idx(batch.begin(), batch.end());
  return x.index_select(0, torch::tensor(idx, torch::kLong));
}

// Logistic mean loss on logits z (n x 1) with labels y (n x 1).
torch::Tensor logistic(const torch::Tensor& z, const torch::Tensor& y) {
  return torch::binary_cross_entropy_with_logits(z, y);
}

// The Eigen parameter vector of LinearModel (W: (d + 1) x 1 with the intercept last) from a
// torch Linear layer.
Eigen::VectorXd eigen_params(const torch::nn::Linear& lin) {
  const auto w = lin->weight.detach().contiguous();
  const auto b = lin->bias.detach();
  Eigen::VectorXd th(w.size(1) + 1);
  for (int64_t j = 0; j < w.size(1); ++j) th[j] = w[0][j].item<double>();
  th[w.size(1)] = b[0].item<double>();
  return th;
}

struct Data {
  std::shared_ptr<const Eigen::MatrixXd> x;  // with intercept column
  Eigen::VectorXd y;
  torch::Tensor xt, yt;  // without the intercept column
};

Data make_setup() {
  Data s;
  s.x = features(120, 5, 4);
  s.y = binary_labels(*s.x, 5);
  s.xt = to_tensor(s.x->leftCols(5));
  s.yt = to_tensor(s.y).reshape({-1, 1});
  return s;
}

// The LibTorch front end with torch::optim::SGD agrees with the Eigen front end with InnerSgd.
TEST(TorchSso, MatchesEigenFrontEnd) {
  torch::manual_seed(0);
  const Data s = make_setup();
  for (bool line_search : {false, true}) {
    SCOPED_TRACE(line_search ? "target line search" : "constant eta");
    torch::nn::Linear lin(torch::nn::LinearOptions(5, 1));
    lin->to(torch::kDouble);
    torch::optim::SGD sgd(lin->parameters(), torch::optim::SGDOptions(0.05));
    SsoOptions so;
    so.eta = 4 * 16;
    so.inner_steps = 5;
    so.line_search.enabled = line_search;
    TorchSso tsso(sgd, so);

    const LinearModel model(s.x, 1);
    const LogisticLoss loss(s.y);
    InnerSgd inner(0.05);
    Sso esso(model, loss, inner, so);
    Eigen::VectorXd theta = eigen_params(lin);

    BatchStream stream(120, 16, 3);
    for (int t = 0; t < 20; ++t) {
      const auto& batch = stream.next();
      const torch::Tensor xb = rows(s.xt, batch), yb = rows(s.yt, batch);
      const OuterStep a = tsso.step([&] { return lin->forward(xb); },
                                    [&](const torch::Tensor& z) { return logistic(z, yb); });
      const OuterStep b = esso.step(theta, batch);
      EXPECT_NEAR(a.batch_loss, b.batch_loss, 1e-12);
      EXPECT_NEAR(a.eta, b.eta, 1e-9 * b.eta);
    }
    EXPECT_LT((eigen_params(lin) - theta).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_EQ(tsso.costs().expensive, 20u);
    EXPECT_EQ(tsso.costs().inner_steps, esso.costs().inner_steps);
  }
}

// m = 1 with torch SGD is SGD.
TEST(TorchSso, OneInnerStepIsSgd) {
  torch::manual_seed(1);
  const Data s = make_setup();
  torch::nn::Linear a(torch::nn::LinearOptions(5, 1)), b(torch::nn::LinearOptions(5, 1));
  a->to(torch::kDouble);
  b->to(torch::kDouble);
  {
    torch::NoGradGuard ng;
    b->weight.copy_(a->weight);
    b->bias.copy_(a->bias);
  }
  torch::optim::SGD opt_a(a->parameters(), torch::optim::SGDOptions(0.3));
  torch::optim::SGD opt_b(b->parameters(), torch::optim::SGDOptions(0.3));
  SsoOptions so;
  so.eta = 7.0;
  so.inner_steps = 1;
  TorchSso sso(opt_a, so);
  BatchStream stream(120, 20, 4);
  for (int t = 0; t < 30; ++t) {
    const auto& batch = stream.next();
    const torch::Tensor xb = rows(s.xt, batch), yb = rows(s.yt, batch);
    sso.step([&] { return a->forward(xb); },
             [&](const torch::Tensor& z) { return logistic(z, yb); });
    opt_b.zero_grad();
    logistic(b->forward(xb), yb).backward();
    opt_b.step();
  }
  EXPECT_LE((a->weight - b->weight).abs().max().item<double>(), 1e-12);
  EXPECT_LE((a->bias - b->bias).abs().max().item<double>(), 1e-12);
}

// Any torch optimiser as the inner method: LBFGS and Adam on a small MLP lower the loss.
TEST(TorchSso, WorksWithLbfgsAndAdamOnAnMlp) {
  torch::manual_seed(2);
  const Data s = make_setup();
  for (int which = 0; which < 2; ++which) {
    torch::nn::Sequential net(torch::nn::Linear(5, 16), torch::nn::Tanh(),
                              torch::nn::Linear(16, 1));
    net->to(torch::kDouble);
    std::unique_ptr<torch::optim::Optimizer> opt;
    if (which == 0)
      opt = std::make_unique<torch::optim::LBFGS>(net->parameters(),
                                                  torch::optim::LBFGSOptions(0.5).max_iter(5));
    else
      opt =
          std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(1e-2));
    SsoOptions so;
    so.eta = 4 * 30;
    so.inner_steps = 5;
    TorchSso sso(*opt, so);
    const auto full = [&] {
      torch::NoGradGuard ng;
      return logistic(net->forward(s.xt), s.yt).item<double>();
    };
    const double before = full();
    BatchStream stream(120, 30, 5);
    for (int t = 0; t < 30; ++t) {
      const auto& batch = stream.next();
      const torch::Tensor xb = rows(s.xt, batch), yb = rows(s.yt, batch);
      sso.step([&] { return net->forward(xb); },
               [&](const torch::Tensor& z) { return logistic(z, yb); });
    }
    EXPECT_LT(full(), 0.8 * before) << (which == 0 ? "lbfgs" : "adam");
    EXPECT_GE(sso.costs().model_forward, 30u * 6);
  }
}

}  // namespace
}  // namespace descent::surrogate
