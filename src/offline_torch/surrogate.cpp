#include "descent/offline_torch/surrogate.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::offline_torch {

void SurrogateOptions::validate() const {
  if (hidden.empty()) throw InvalidOption("hidden", "needs at least one hidden layer");
  for (auto h : hidden)
    if (h < 1) throw InvalidOption("hidden", "widths must be >= 1");
  if (activation != "leaky_relu" && activation != "tanh")
    throw InvalidOption("activation", "must be leaky_relu or tanh, got '" + activation + "'");
  if (!(initial_min_std > 0.0) || !(initial_max_std > initial_min_std) ||
      !std::isfinite(initial_max_std))
    throw InvalidOption("initial_std", "need 0 < initial_min_std < initial_max_std");
}

namespace {

// Glorot-uniform weights, zero bias (Keras' Dense defaults).
void glorot(torch::nn::Linear& l, Rng& rng) {
  const auto out = l->weight.size(0), in = l->weight.size(1);
  const double a = std::sqrt(6.0 / double(in + out));
  const Eigen::MatrixXd w = uniform_matrix(rng, out, in, -a, a);
  torch::NoGradGuard g;
  auto acc = l->weight.accessor<float, 2>();
  for (std::int64_t i = 0; i < out; ++i)
    for (std::int64_t j = 0; j < in; ++j) acc[i][j] = static_cast<float>(w(i, j));
  l->bias.zero_();
}

}  // namespace

GaussianMlpImpl::GaussianMlpImpl(std::int64_t inputs, const SurrogateOptions& o, std::uint64_t seed)
    : inputs_(inputs), tanh_(o.activation == "tanh") {
  o.validate();
  if (inputs < 1) throw InvalidOption("inputs", "must be >= 1");
  Rng rng = make_rng(seed, {0x5a6});
  std::int64_t in = inputs;
  for (std::size_t i = 0; i < o.hidden.size(); ++i) {
    layers_.push_back(
        register_module("dense" + std::to_string(i), torch::nn::Linear(in, o.hidden[i])));
    glorot(layers_.back(), rng);
    in = o.hidden[i];
  }
  head_ = register_module("head", torch::nn::Linear(in, 2));
  glorot(head_, rng);
  max_logstd_ = register_parameter("max_logstd",
                                   torch::full({1}, std::log(o.initial_max_std), torch::kFloat));
  min_logstd_ = register_parameter("min_logstd",
                                   torch::full({1}, std::log(o.initial_min_std), torch::kFloat));
}

GaussianMlpImpl::Output GaussianMlpImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x;
  for (auto& l : layers_) h = tanh_ ? torch::tanh(l(h)) : torch::leaky_relu(l(h), 0.3);
  const torch::Tensor out = head_(h);
  torch::Tensor logstd = out.select(1, 1);
  logstd = max_logstd_ - torch::softplus(max_logstd_ - logstd);
  logstd = min_logstd_ + torch::softplus(logstd - min_logstd_);
  return {out.select(1, 0), torch::exp(logstd)};
}

torch::Tensor GaussianMlpImpl::nll(const torch::Tensor& x, const torch::Tensor& y) {
  const Output o = forward(x);
  const torch::Tensor z = (y - o.mean) / o.std;
  return 0.5 * z.square() + torch::log(o.std) + 0.5 * std::log(2.0 * M_PI);
}

Aggregation aggregation_from_string(const std::string& s) {
  if (s == "mean") return Aggregation::mean;
  if (s == "min") return Aggregation::min;
  throw InvalidOption("aggregation", "must be mean or min, got '" + s + "'");
}

std::string_view to_string(Aggregation a) noexcept {
  return a == Aggregation::mean ? "mean" : "min";
}

torch::Tensor aggregate_mean(std::vector<GaussianMlp>& members, const torch::Tensor& x,
                             Aggregation aggregation) {
  if (members.empty()) throw Error("aggregate_mean: empty ensemble");
  std::vector<torch::Tensor> means;
  for (auto& m : members) means.push_back(m->mean(x));
  const torch::Tensor all = torch::stack(means);
  return aggregation == Aggregation::mean ? all.mean(0) : std::get<0>(all.min(0));
}

}  // namespace descent::offline_torch
