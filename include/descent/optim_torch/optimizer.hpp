// LibTorch front end of descent::optim: a torch::optim::Optimizer that calls the SAME span kernels
// as the Eigen front end on the tensors' memory (contiguous float32 or float64 CPU tensors), with
// save/load of its state through torch serialization.
//
//   auto opt = optim_torch::make_optimizer("diffgrad", model->parameters(), /*lr=*/1e-3);
//   loss.backward(); opt->step();
//
// State per parameter: step, and up to three buffers (SGD momentum; Adam m, v; diffGrad m, v,
// previous gradient). Hyper-parameters can be read and changed between steps (set("lr", ...)),
// which is how schedules and curvature-based policies drive it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

#include "descent/optim/rule.hpp"

namespace descent::optim_torch {

struct RuleOptions : public torch::optim::OptimizerCloneableOptions<RuleOptions> {
  RuleOptions() : rule(optim::UpdateRule::make("adam")) {}
  explicit RuleOptions(optim::UpdateRule r) : rule(std::move(r)) {}
  /// Adam with this lr (lr <= 0: default); torch's deserializer constructs options this way.
  explicit RuleOptions(double lr) : rule(optim::UpdateRule::make("adam")) {
    if (lr > 0) rule.set("lr", lr);
  }
  optim::UpdateRule rule;

  double get_lr() const override { return rule.get("lr"); }
  void set_lr(const double lr) override { rule.set("lr", lr); }
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

struct RuleParamState : public torch::optim::OptimizerCloneableParamState<RuleParamState> {
  TORCH_ARG(int64_t, step) = 0;
  TORCH_ARG(torch::Tensor, buffer0);
  TORCH_ARG(torch::Tensor, buffer1);
  TORCH_ARG(torch::Tensor, buffer2);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class Optimizer : public torch::optim::Optimizer {
 public:
  Optimizer(std::vector<torch::optim::OptimizerParamGroup> groups, RuleOptions defaults);
  Optimizer(std::vector<torch::Tensor> params, optim::UpdateRule rule)
      : Optimizer({torch::optim::OptimizerParamGroup(std::move(params))},
                  RuleOptions(std::move(rule))) {}

  /// One update of every parameter that has a gradient. Throws descent::Error for a
  /// non-contiguous or non-float parameter. Returns the closure's loss when one is given.
  torch::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  /// Reads / sets a hyper-parameter of every parameter group (see UpdateRule::hyperparameters).
  double get(std::string_view hp) const;
  void set(std::string_view hp, double value);
  const std::string& rule_name() const;
};

/// Names: every optim::UpdateRule::names() entry (our kernels), plus "torch-adam", "torch-adamw"
/// and "torch-sgd" (LibTorch's own optimizers, for comparison). lr <= 0 keeps the default.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& name,
                                                        std::vector<torch::Tensor> params,
                                                        double lr = 0.0);

}  // namespace descent::optim_torch
