#include "descent/saliency/explain.hpp"

#include <algorithm>

#include "descent/core/error.hpp"
#include "descent/saliency/saliency.hpp"

namespace descent::saliency {
namespace {

bool is_activation(const torch::nn::Module& m) {
  return m.as<torch::nn::ReLUImpl>() || m.as<torch::nn::TanhImpl>() ||
         m.as<torch::nn::SigmoidImpl>() || m.as<torch::nn::GELUImpl>() ||
         m.as<torch::nn::LeakyReLUImpl>() || m.as<torch::nn::ELUImpl>() ||
         m.as<torch::nn::SiLUImpl>();
}

// For each module index, the layer name whose activation is its output ("" for none): the
// k-th Conv2d's output, or that of the batch norm and/or activation right after it.
std::vector<std::string> output_names(torch::nn::Sequential& model) {
  std::vector<std::string> names(model->size());
  int convs = 0;
  for (std::size_t i = 0; i < model->size(); ++i) {
    const auto& m = *model->ptr(i);
    if (!m.as<torch::nn::Conv2dImpl>()) continue;
    // Past a batch norm to the activation, as in conv-BN-ReLU blocks.
    std::size_t at = i;
    if (at + 1 < model->size() && model->ptr(at + 1)->as<torch::nn::BatchNorm2dImpl>()) ++at;
    if (at + 1 < model->size() && is_activation(*model->ptr(at + 1))) ++at;
    names[at] = "conv" + std::to_string(++convs);
  }
  return names;
}

std::string known_layers(torch::nn::Sequential& model) {
  std::string out;
  for (const auto& n : conv_layers(model)) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none: the model has no convolutions" : out;
}

torch::Tensor check_images(const torch::Tensor& input, const char* what) {
  if (input.dim() != 4) throw InvalidOption(what, "input must be B x C x H x W");
  return input;
}

}  // namespace

std::vector<std::string> conv_layers(torch::nn::Sequential& model) {
  std::vector<std::string> out;
  for (auto& n : output_names(model))
    if (!n.empty()) out.push_back(n);
  return out;
}

Forward forward_keeping(torch::nn::Sequential& model, const torch::Tensor& input,
                        const std::vector<std::string>& layers) {
  check_images(input, "forward_keeping");
  const std::vector<std::string> names = output_names(model);
  for (const auto& want : layers)
    if (std::find(names.begin(), names.end(), want) == names.end())
      throw InvalidOption(
          "layer", "no layer '" + want + "' in this model (layers: " + known_layers(model) + ")");
  Forward f;
  f.activations.resize(layers.size());
  torch::Tensor x = input.reshape({input.size(0), -1});
  std::size_t i = 0;
  for (auto it = model->begin(); it != model->end(); ++it, ++i) {
    x = it->forward(x);
    if (names[i].empty()) continue;
    for (std::size_t k = 0; k < layers.size(); ++k)
      if (layers[k] == names[i]) f.activations[k] = x;
  }
  f.logits = x;
  return f;
}

Maps explain(torch::nn::Sequential& model, const torch::Tensor& input, const torch::Tensor& classes,
             const std::vector<std::string>& layers) {
  check_images(input, "explain");
  if (classes.dim() != 1 || classes.size(0) != input.size(0))
    throw InvalidOption("explain", "one class per input");
  const torch::Tensor x = input.detach().clone().requires_grad_(true);
  const Forward f = forward_keeping(model, x, layers);
  std::vector<torch::Tensor> wrt = f.activations;
  wrt.push_back(x);
  const std::vector<torch::Tensor> g =
      layer_gradients(f.logits.gather(1, classes.to(torch::kLong).unsqueeze(1)), wrt);
  Maps m;
  m.layers = layers;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const torch::Tensor a = f.activations[l].detach();
    m.normgrad.push_back(normgrad(a, g[l]));
    m.normgrad_3x3.push_back(normgrad_3x3(a, g[l]));
    m.gradcam.push_back(saliency::gradcam(a, g[l]));
  }
  m.gradient = gradient_map(g.back());
  m.gradient_x_input = gradient_times_input(input.detach(), g.back());
  m.logits = f.logits.detach();
  return m;
}

Maps meta_explain(torch::nn::Sequential& model, const torch::Tensor& input,
                  const torch::Tensor& classes, const std::vector<std::string>& layers, double lr,
                  bool negate) {
  check_images(input, "meta_explain");
  if (!(lr > 0)) throw InvalidOption("lr", "meta-saliency needs a positive step");
  const std::vector<torch::Tensor> params = model->parameters();
  std::vector<torch::Tensor> saved;
  for (const auto& p : params) saved.push_back(p.detach().clone());
  const auto restore = [&] {
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < params.size(); ++k) params[k].copy_(saved[k]);
  };
  std::vector<Maps> parts;
  try {
    for (std::int64_t i = 0; i < input.size(0); ++i) {
      const torch::Tensor xi = input.slice(0, i, i + 1);
      const torch::Tensor ci = classes.slice(0, i, i + 1).to(torch::kLong);
      const torch::Tensor flat = xi.reshape({1, -1});
      torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(flat), ci);
      const auto grads = torch::autograd::grad({negate ? -loss : loss}, params);
      {
        torch::NoGradGuard no_grad;
        for (std::size_t k = 0; k < params.size(); ++k) params[k].sub_(lr * grads[k]);
      }
      parts.push_back(explain(model, xi, ci, layers));
      restore();
    }
  } catch (...) {
    restore();
    throw;
  }
  Maps m;
  m.layers = layers;
  const auto cat = [&](auto member) {
    std::vector<torch::Tensor> v;
    for (const auto& p : parts) v.push_back(p.*member);
    return torch::cat(v, 0);
  };
  const auto cat_layers = [&](auto member) {
    std::vector<torch::Tensor> out;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      std::vector<torch::Tensor> v;
      for (const auto& p : parts) v.push_back((p.*member)[l]);
      out.push_back(torch::cat(v, 0));
    }
    return out;
  };
  m.normgrad = cat_layers(&Maps::normgrad);
  m.normgrad_3x3 = cat_layers(&Maps::normgrad_3x3);
  m.gradcam = cat_layers(&Maps::gradcam);
  m.gradient = cat(&Maps::gradient);
  m.gradient_x_input = cat(&Maps::gradient_x_input);
  m.logits = cat(&Maps::logits);
  return m;
}

std::size_t reinitialize_top_layers(torch::nn::Sequential& model, std::size_t count) {
  std::size_t done = 0;
  for (std::size_t i = model->size(); i-- > 0 && done < count;) {
    auto& m = *model->ptr(i);
    if (m.parameters().empty()) continue;
    if (auto* l = m.as<torch::nn::LinearImpl>()) {
      l->reset_parameters();
    } else if (auto* c = m.as<torch::nn::Conv2dImpl>()) {
      c->reset_parameters();
    } else if (auto* b = m.as<torch::nn::BatchNorm2dImpl>()) {
      b->reset_parameters();
    } else {
      throw InvalidOption("reinitialize", "cannot re-initialise layer " + std::to_string(i) + " (" +
                                              m.name() + ")");
    }
    ++done;
  }
  return done;
}

double PointingResult::hit(const std::string& method) const {
  for (const auto& s : scores)
    if (s.method == method) return s.hit_rate;
  throw InvalidOption("method", "no pointing score for '" + method + "'");
}

PointingResult pointing_game(torch::nn::Sequential& model, const torch::Tensor& images,
                             const torch::Tensor& labels, const torch::Tensor& boxes,
                             const std::vector<std::string>& layers, const PointingOptions& o) {
  check_images(images, "pointing_game");
  const std::int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  if (h != w) throw InvalidOption("pointing_game", "square images only");
  if (boxes.dim() != 2 || boxes.size(0) != n || boxes.size(1) != 4 || labels.size(0) != n)
    throw InvalidOption("pointing_game", "one label and one box (4 numbers) per image");
  if (layers.empty()) throw InvalidOption("layer", "the pointing game needs a conv layer");
  if (o.batch < 1 || o.tolerance < 0)
    throw InvalidOption("pointing_game", "batch >= 1, tolerance >= 0");
  std::vector<std::string> methods;
  for (const auto& l : layers) methods.push_back("normgrad:" + l);
  for (const auto& l : layers) methods.push_back("normgrad-3x3:" + l);
  methods.insert(methods.end(),
                 {"combi", "gradient", "gradient-x-input", "gradcam:" + layers.back(), "center"});
  std::vector<double> hits(methods.size(), 0.0);
  std::int64_t right = 0;
  const auto count = [&](std::size_t k, const torch::Tensor& maps, const torch::Tensor& b) {
    hits[k] += pointing_hits(maps, b, h, o.tolerance).sum().item<double>();
  };
  for (std::int64_t s = 0; s < n; s += o.batch) {
    const std::int64_t e = std::min(n, s + o.batch);
    const torch::Tensor xb = images.slice(0, s, e), bb = boxes.slice(0, s, e);
    torch::Tensor predicted;
    {
      torch::NoGradGuard no_grad;
      predicted = model->forward(xb.reshape({e - s, -1})).argmax(1);
    }
    right += (predicted == labels.slice(0, s, e)).sum().item<std::int64_t>();
    const Maps m = explain(model, xb, predicted, layers);
    std::size_t k = 0;
    for (const auto& map : m.normgrad) count(k++, map, bb);
    for (const auto& map : m.normgrad_3x3) count(k++, map, bb);
    count(k++, combined(m.normgrad, h, w), bb);
    count(k++, m.gradient, bb);
    count(k++, m.gradient_x_input, bb);
    count(k++, m.gradcam.back(), bb);
    torch::Tensor centre = torch::zeros({e - s, h, w}, torch::kFloat64);
    centre.select(1, h / 2).select(1, w / 2).fill_(1.0);
    count(k++, centre, bb);
  }
  PointingResult r;
  r.images = n;
  r.accuracy = n > 0 ? double(right) / double(n) : 0.0;
  for (std::size_t k = 0; k < methods.size(); ++k)
    r.scores.push_back({methods[k], n > 0 ? hits[k] / double(n) : 0.0});
  const torch::Tensor b = boxes.to(torch::kFloat64);
  const torch::Tensor rows = (b.select(1, 2) + o.tolerance).clamp_max(double(h)) -
                             (b.select(1, 0) - o.tolerance).clamp_min(0.0);
  const torch::Tensor cols = (b.select(1, 3) + o.tolerance).clamp_max(double(w)) -
                             (b.select(1, 1) - o.tolerance).clamp_min(0.0);
  r.box_area_baseline = n > 0 ? (rows * cols).mean().item<double>() / double(h * w) : 0.0;
  return r;
}

}  // namespace descent::saliency
