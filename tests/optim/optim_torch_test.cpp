// The torch::optim front end: same kernels as the Eigen front end (bit for bit), agreement with
// LibTorch's Adam/SGD, and save/load of its state.
#include <gtest/gtest.h>

#include <sstream>

#include "descent/core/error.hpp"
#include "descent/core/problems.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/optim_torch/optimizer.hpp"

namespace {

using namespace descent;

// Runs `rule` on f with the torch front end, feeding the analytic gradient into p.grad().
Eigen::VectorXd run_torch(const TestProblem& f, const std::string& rule, double lr, int steps) {
  Eigen::VectorXd x = f.initial_point(), g;
  auto p = torch::from_blob(x.data(), {x.size()}, torch::kFloat64).clone().requires_grad_(true);
  optim_torch::Optimizer opt({p}, [&] {
    auto r = optim::UpdateRule::make(rule);
    r.set("lr", lr);
    return r;
  }());
  for (int k = 0; k < steps; ++k) {
    Eigen::Map<Eigen::VectorXd> xv(p.data_ptr<double>(), x.size());
    f.gradient(xv, g);
    p.mutable_grad() = torch::from_blob(g.data(), {g.size()}, torch::kFloat64).clone();
    opt.step();
  }
  return Eigen::Map<Eigen::VectorXd>(p.data_ptr<double>(), x.size());
}

class FrontEnds : public ::testing::TestWithParam<std::string> {};

TEST_P(FrontEnds, EigenAndTorchAgreeBitForBit) {
  auto f = make_problem("rosenbrock:n=6");
  optim::OptimizeOptions o;
  o.rule = optim::UpdateRule::make(GetParam());
  o.rule.set("lr", 1e-3);
  o.max_iterations = 200;
  Eigen::VectorXd x = f->initial_point();
  optim::minimize(*f, x, o);
  const Eigen::VectorXd y = run_torch(*f, GetParam(), 1e-3, 200);
  for (Eigen::Index i = 0; i < x.size(); ++i) EXPECT_EQ(x[i], y[i]) << GetParam() << " i=" << i;
  EXPECT_GT((x - f->initial_point()).norm(), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Rules, FrontEnds,
                         ::testing::Values("sgd", "nesterov", "adam", "adamw", "diffgrad",
                                           "diffgrad-legacy", "diffgrad3", "normalized-momentum"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (c == '-') c = '_';
                           return s;
                         });

// Random float32 tensors, 50 steps of ours and LibTorch's optimizer on identical gradients.
template <class Theirs, class TheirOptions>
double max_difference_to_libtorch(const std::string& ours_name, TheirOptions their_options,
                                  double lr) {
  torch::manual_seed(7);
  auto a = torch::randn({3, 40}).requires_grad_(true);
  auto b = a.detach().clone().requires_grad_(true);
  auto ours = optim_torch::make_optimizer(ours_name, {a}, lr);
  Theirs theirs({b}, their_options);
  for (int k = 0; k < 50; ++k) {
    const auto g = torch::randn({3, 40}) * 0.1 + a.detach() * 0.5;
    a.mutable_grad() = g.clone();
    b.mutable_grad() = g.clone();
    ours->step();
    theirs.step();
  }
  return (a - b).abs().max().item<double>();
}

TEST(OptimTorch, AdamMatchesLibTorchAdam) {
  EXPECT_LT(
      max_difference_to_libtorch<torch::optim::Adam>("adam", torch::optim::AdamOptions(1e-2), 1e-2),
      1e-6);
}

TEST(OptimTorch, AdamWMatchesLibTorchAdamW) {
  EXPECT_LT(max_difference_to_libtorch<torch::optim::AdamW>(
                "adamw", torch::optim::AdamWOptions(1e-2).weight_decay(1e-2), 1e-2),
            1e-6);
}

TEST(OptimTorch, NesterovMatchesLibTorchSgd) {
  EXPECT_LT(max_difference_to_libtorch<torch::optim::SGD>(
                "nesterov", torch::optim::SGDOptions(1e-2).momentum(0.9).nesterov(true), 1e-2),
            1e-6);
}

TEST(OptimTorch, SaveLoadContinuesBitForBit) {
  torch::manual_seed(3);
  auto a = torch::randn({50}).requires_grad_(true);
  auto b = a.detach().clone().requires_grad_(true);
  auto grad = [](int k) { return torch::sin(torch::arange(50, torch::kFloat32) * (0.3 * k)); };
  optim_torch::Optimizer first({a}, optim::UpdateRule::make("diffgrad"));
  for (int k = 0; k < 10; ++k) {
    a.mutable_grad() = grad(k);
    first.step();
  }
  // Save, restore into a fresh optimizer over a copy of the parameters, continue both.
  std::stringstream buffer;
  {
    torch::serialize::OutputArchive out;
    first.save(out);
    out.save_to(buffer);
  }
  b.data().copy_(a.detach());
  optim_torch::Optimizer second({b}, optim::UpdateRule::make("adam"));  // rule comes from file
  {
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    second.load(in);
  }
  EXPECT_EQ(second.rule_name(), "diffgrad");
  for (int k = 10; k < 20; ++k) {
    a.mutable_grad() = grad(k);
    b.mutable_grad() = grad(k);
    first.step();
    second.step();
  }
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(OptimTorch, HyperParametersAtRunTime) {
  auto p = torch::zeros({4}).requires_grad_(true);
  optim_torch::Optimizer opt({p}, optim::UpdateRule::make("diffgrad"));
  opt.set("lr", 0.5);
  EXPECT_DOUBLE_EQ(opt.get("lr"), 0.5);
  EXPECT_DOUBLE_EQ(opt.param_groups()[0].options().get_lr(), 0.5);
  EXPECT_THROW(opt.set("momentum", 0.1), descent::InvalidOption);
}

TEST(OptimTorch, RejectsNonContiguousParameters) {
  auto base = torch::zeros({4, 4});
  auto p = base.t().requires_grad_(true);
  p.mutable_grad() = torch::ones({4, 4});
  optim_torch::Optimizer opt({p}, optim::UpdateRule::make("adam"));
  EXPECT_THROW(opt.step(), descent::Error);
}

}  // namespace
