#include "descent/train/model.hpp"

#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/model_spec.hpp"
#include "descent/tract/tract.hpp"

namespace descent::train {
namespace {

// The shared MLP grammar (core/model_spec.hpp) as a LibTorch network.
torch::nn::Sequential make_mlp(const std::string& spec, const InputShape& input,
                               std::int64_t classes) {
  const MlpSpec mlp = parse_mlp_spec(spec, input.features(), classes);
  torch::nn::Sequential net;
  for (std::size_t i = 0; i + 1 < mlp.widths.size(); ++i) {
    if (i > 0) {
      if (mlp.activation == "tanh")
        net->push_back(torch::nn::Tanh());
      else
        net->push_back(torch::nn::ReLU());
    }
    net->push_back(torch::nn::Linear(mlp.widths[i], mlp.widths[i + 1]));
  }
  return net;
}

torch::nn::Sequential make_cnn_small(const InputShape& input, std::int64_t classes) {
  if (!input.is_image())
    throw InvalidOption("model", "'cnn-small' needs an image data set (got " +
                                     std::to_string(input.features()) + " plain features)");
  namespace nn = torch::nn;
  const std::int64_t h = input.height / 4, w = input.width / 4;
  if (h < 1 || w < 1) throw InvalidOption("model", "'cnn-small' needs images of at least 4x4");
  nn::Sequential net;
  net->push_back(
      nn::Unflatten(nn::UnflattenOptions(1, {input.channels, input.height, input.width})));
  net->push_back(nn::Conv2d(nn::Conv2dOptions(input.channels, 16, 3).padding(1)));
  net->push_back(nn::ReLU());
  net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  net->push_back(nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)));
  net->push_back(nn::ReLU());
  net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  net->push_back(nn::Flatten());
  net->push_back(nn::Linear(32 * h * w, classes));
  return net;
}

// TrAct's patch CNN (spec 1.5): a 4x4 stride-4 patch embedding, one 3x3 conv, global average
// pooling and a linear read-out; its first layer sees patches, TrAct's intended setting.
torch::nn::Sequential make_patch_cnn(const InputShape& input, std::int64_t classes) {
  if (!input.is_image())
    throw InvalidOption("model", "'patch-cnn' needs an image data set (got " +
                                     std::to_string(input.features()) + " plain features)");
  if (input.height < 12 || input.width < 12)
    throw InvalidOption("model", "'patch-cnn' needs images of at least 12x12");
  namespace nn = torch::nn;
  nn::Sequential net;
  net->push_back(
      nn::Unflatten(nn::UnflattenOptions(1, {input.channels, input.height, input.width})));
  net->push_back(nn::Conv2d(nn::Conv2dOptions(input.channels, 32, 4).stride(4)));
  net->push_back(nn::ReLU());
  net->push_back(nn::Conv2d(nn::Conv2dOptions(32, 64, 3)));
  net->push_back(nn::ReLU());
  net->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(1)));
  net->push_back(nn::Flatten());
  net->push_back(nn::Linear(64, classes));
  return net;
}

// The pointing-game CNN (NormGrad spec 4.5): conv5x5/2(C->16), conv3x3/2(16->32),
// conv3x3(32->32), max-pool 2, conv3x3(32->64), each conv followed by batch norm and ReLU, then
// global max or average pooling and Linear(64 -> classes); ~34k parameters, 64x64 -> 8x8; convs
// without bias.
torch::nn::Sequential make_pool_cnn(const std::string& spec, const InputShape& input,
                                    std::int64_t classes, bool max_pool) {
  if (!input.is_image())
    throw InvalidOption("model", "'" + spec + "' needs an image data set (got " +
                                     std::to_string(input.features()) + " plain features)");
  if (input.height < 16 || input.width < 16)
    throw InvalidOption("model", "'" + spec + "' needs images of at least 16x16");
  namespace nn = torch::nn;
  nn::Sequential net;
  net->push_back(
      nn::Unflatten(nn::UnflattenOptions(1, {input.channels, input.height, input.width})));
  const auto block = [&](std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride) {
    // No conv bias: the batch norm right after it has one.
    net->push_back(
        nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2).bias(false)));
    net->push_back(nn::BatchNorm2d(out));
    net->push_back(nn::ReLU());
  };
  block(input.channels, 16, 5, 2);
  block(16, 32, 3, 2);
  block(32, 32, 3, 1);
  net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
  block(32, 64, 3, 1);
  if (max_pool) {
    net->push_back(nn::AdaptiveMaxPool2d(nn::AdaptiveMaxPool2dOptions(1)));
  } else {
    net->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(1)));
  }
  net->push_back(nn::Flatten());
  net->push_back(nn::Linear(64, classes));
  return net;
}

}  // namespace

torch::nn::Sequential make_model(const std::string& spec, const InputShape& input,
                                 std::int64_t classes) {
  if (classes < 2) throw InvalidOption("model", "needs a classification set (>= 2 classes)");
  if (input.features() < 1) throw InvalidOption("model", "input width must be >= 1");
  if (is_mlp_spec(spec)) return make_mlp(spec, input, classes);
  if (spec == "linear") {
    torch::nn::Sequential net;
    net->push_back(torch::nn::Linear(input.features(), classes));
    return net;
  }
  if (spec == "cnn-small") return make_cnn_small(input, classes);
  if (spec == "patch-cnn") return make_patch_cnn(input, classes);
  if (spec == "gmp-cnn" || spec == "gap-cnn")
    return make_pool_cnn(spec, input, classes, spec == "gmp-cnn");
  throw InvalidOption("model", "unknown model '" + spec +
                                   "' (expected mlp:HIDDEN-...[,relu|tanh], mlp:IN-...-OUT, "
                                   "linear, cnn-small, patch-cnn, gmp-cnn or gap-cnn)");
}

std::int64_t parameter_count(const torch::nn::Module& model) {
  std::int64_t n = 0;
  for (const auto& p : model.parameters())
    if (p.requires_grad()) n += p.numel();
  return n;
}

torch::Tensor flat_parameters(const torch::nn::Module& model) {
  std::vector<torch::Tensor> parts;
  for (const auto& p : model.parameters()) parts.push_back(p.detach().reshape({-1}));
  return parts.empty() ? torch::Tensor() : torch::cat(parts).clone();
}

void set_flat_parameters(torch::nn::Module& model, const torch::Tensor& flat) {
  torch::NoGradGuard no_grad;
  std::int64_t offset = 0;
  for (auto& p : model.parameters()) {
    const std::int64_t n = p.numel();
    if (offset + n > flat.numel())
      throw InvalidOption("flat", "has " + std::to_string(flat.numel()) +
                                      " entries, fewer than the model's parameters");
    p.copy_(flat.slice(0, offset, offset + n).view_as(p));
    offset += n;
  }
  if (offset != flat.numel())
    throw InvalidOption("flat", "has " + std::to_string(flat.numel()) + " entries, the model " +
                                    std::to_string(offset));
}

std::string describe_layers(const torch::nn::Sequential& model) {
  std::string out;
  bool conv = false;
  std::int64_t last = -1;
  const auto add_linear = [&](std::int64_t in, std::int64_t out_features) {
    if (last != in) {
      if (!out.empty()) out += '-';
      out += std::to_string(in);
    }
    out += '-';
    out += std::to_string(out_features);
    last = out_features;
  };
  for (const auto& child : model->children()) {
    if (child->as<torch::nn::Conv2d>() || child->as<tract::TrActConv2d>()) conv = true;
    if (const auto* linear = child->as<torch::nn::Linear>())
      add_linear(linear->options.in_features(), linear->options.out_features());
    if (const auto* t = child->as<tract::TrActLinear>())
      add_linear(t->weight.size(1), t->weight.size(0));
  }
  std::string layers = conv ? "conv-" : "";
  layers += out;
  return layers;
}

}  // namespace descent::train
