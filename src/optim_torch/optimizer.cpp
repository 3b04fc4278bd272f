#include "descent/optim_torch/optimizer.hpp"

#include <span>

#include "descent/core/error.hpp"

namespace descent::optim_torch {
namespace {

template <class T>
std::span<T> span_of(torch::Tensor& t) {
  return {t.data_ptr<T>(), static_cast<std::size_t>(t.numel())};
}

template <class T>
std::span<T> span_or_empty(torch::Tensor& t) {
  return t.defined() ? span_of<T>(t) : std::span<T>();
}

template <class T>
void apply(const optim::UpdateRule& rule, RuleParamState& s, torch::Tensor& p, torch::Tensor& g) {
  torch::Tensor b0 = s.buffer0(), b1 = s.buffer1(), b2 = s.buffer2();
  rule.apply<T>(s.step(), span_of<T>(p), std::span<const T>(span_of<T>(g)), span_or_empty<T>(b0),
                span_or_empty<T>(b1), span_or_empty<T>(b2));
}

}  // namespace

void RuleOptions::serialize(torch::serialize::OutputArchive& archive) const {
  archive.write("rule", c10::IValue(rule.name()));
  for (const std::string& hp : rule.hyperparameters())
    archive.write("hp." + hp, c10::IValue(rule.get(hp)));
}

void RuleOptions::serialize(torch::serialize::InputArchive& archive) {
  c10::IValue name;
  archive.read("rule", name);
  rule = optim::UpdateRule::make(name.toStringRef());
  for (const std::string& hp : rule.hyperparameters()) {
    c10::IValue v;
    if (archive.try_read("hp." + hp, v)) rule.set(hp, v.toDouble());
  }
}

void RuleParamState::serialize(torch::serialize::OutputArchive& archive) const {
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(step);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(buffer0);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(buffer1);
  _TORCH_OPTIM_SERIALIZE_TORCH_ARG(buffer2);
}

void RuleParamState::serialize(torch::serialize::InputArchive& archive) {
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(int64_t, step);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, buffer0);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, buffer1);
  _TORCH_OPTIM_DESERIALIZE_TORCH_ARG(torch::Tensor, buffer2);
}

Optimizer::Optimizer(std::vector<torch::optim::OptimizerParamGroup> groups, RuleOptions defaults)
    : torch::optim::Optimizer(std::move(groups), std::make_unique<RuleOptions>(defaults)) {}

torch::Tensor Optimizer::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss = {};
  if (closure != nullptr) {
    at::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups_) {
    const auto& rule = static_cast<const RuleOptions&>(group.options()).rule;
    const int nbuf = rule.buffers();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      if (!p.is_contiguous() || p.device().type() != torch::kCPU ||
          (p.scalar_type() != torch::kFloat && p.scalar_type() != torch::kDouble))
        throw Error("optim_torch: parameters must be contiguous float32/float64 CPU tensors");
      torch::Tensor g = p.grad();
      if (g.scalar_type() != p.scalar_type() || !g.is_contiguous())
        g = g.to(p.scalar_type()).contiguous();
      const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto s = std::make_unique<RuleParamState>();
        if (nbuf > 0) s->buffer0(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        if (nbuf > 1) s->buffer1(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        if (nbuf > 2) s->buffer2(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        it = state_.emplace(key, std::move(s)).first;
      }
      auto& s = static_cast<RuleParamState&>(*it->second);
      s.step(s.step() + 1);
      if (p.scalar_type() == torch::kFloat)
        apply<float>(rule, s, p, g);
      else
        apply<double>(rule, s, p, g);
    }
  }
  return loss;
}

void Optimizer::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<RuleParamState, RuleOptions>(archive, *this);
}

void Optimizer::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<RuleParamState, RuleOptions>(archive, *this);
  // LibTorch restores only the per-parameter state; the rule and its hyper-parameters (which a
  // schedule may have changed) are part of our state too, so restore the group options as well.
  torch::serialize::InputArchive groups_archive;
  archive.read("param_groups", groups_archive);
  std::vector<std::pair<std::vector<std::string>, std::unique_ptr<torch::optim::OptimizerOptions>>>
      saved;
  torch::optim::detail::serialize<RuleOptions>(groups_archive, saved);
  for (std::size_t i = 0; i < saved.size() && i < param_groups_.size(); ++i)
    param_groups_[i].set_options(std::move(saved[i].second));
}

double Optimizer::get(std::string_view hp) const {
  return static_cast<const RuleOptions&>(param_groups_.front().options()).rule.get(hp);
}

void Optimizer::set(std::string_view hp, double value) {
  for (auto& group : param_groups_) static_cast<RuleOptions&>(group.options()).rule.set(hp, value);
}

const std::string& Optimizer::rule_name() const {
  return static_cast<const RuleOptions&>(param_groups_.front().options()).rule.name();
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& name,
                                                        std::vector<torch::Tensor> params,
                                                        double lr) {
  if (name == "torch-adam")
    return std::make_unique<torch::optim::Adam>(params,
                                                torch::optim::AdamOptions(lr > 0 ? lr : 1e-3));
  if (name == "torch-adamw")
    return std::make_unique<torch::optim::AdamW>(params,
                                                 torch::optim::AdamWOptions(lr > 0 ? lr : 1e-3));
  if (name == "torch-sgd")
    return std::make_unique<torch::optim::SGD>(params,
                                               torch::optim::SGDOptions(lr > 0 ? lr : 1e-2));
  optim::UpdateRule rule = optim::UpdateRule::make(name);
  if (lr > 0) rule.set("lr", lr);
  return std::make_unique<Optimizer>(std::move(params), std::move(rule));
}

}  // namespace descent::optim_torch
