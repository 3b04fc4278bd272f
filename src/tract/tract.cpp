#include "descent/tract/tract.hpp"

#include <cmath>
#include <string>

#include "descent/core/error.hpp"

namespace descent::tract {

namespace {

void check_lambda(double lambda) {
  if (!(lambda > 0) || !std::isfinite(lambda))
    throw InvalidOption("lambda", "must be a finite number > 0, got " + std::to_string(lambda));
}

void check_shapes(const torch::Tensor& g, const torch::Tensor& a) {
  if (g.dim() != 2 || a.dim() != 2 || g.size(0) != a.size(0))
    throw InvalidOption("tract", "G and A must be N x m and N x n with the same N");
}

// (M + λI) for a symmetric M, solved against rhs by Cholesky (SPD for λ > 0).
torch::Tensor solve_damped(const torch::Tensor& m, double lambda, const torch::Tensor& rhs) {
  const torch::Tensor damped = m + lambda * torch::eye(m.size(0), m.options());
  return torch::cholesky_solve(rhs, torch::linalg::cholesky(damped));
}

}  // namespace

torch::Tensor direct_weight_gradient(const torch::Tensor& g, const torch::Tensor& a,
                                     double lambda) {
  check_lambda(lambda);
  check_shapes(g, a);
  const double n_rows = double(a.size(0));
  const torch::Tensor gram = a.t().mm(a) / n_rows;  // n × n
  const torch::Tensor plain = g.t().mm(a);          // m × n, the ordinary gradient
  return solve_damped(gram, lambda, plain.t()).t();
}

torch::Tensor woodbury_weight_gradient(const torch::Tensor& g, const torch::Tensor& a,
                                       double lambda) {
  check_lambda(lambda);
  check_shapes(g, a);
  const double n_rows = double(a.size(0));
  const torch::Tensor kernel = a.mm(a.t()) / n_rows;  // N × N
  return g.t().mm(solve_damped(kernel, lambda, a));
}

torch::Tensor preconditioned_weight_gradient(const torch::Tensor& g, const torch::Tensor& a,
                                             double lambda) {
  return a.size(0) < a.size(1) ? woodbury_weight_gradient(g, a, lambda)
                               : direct_weight_gradient(g, a, lambda);
}

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// y = x Wᵀ + b over rows of x; the weight gradient is TrAct's.
struct LinearFunction : torch::autograd::Function<LinearFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                               const torch::Tensor& b, double lambda) {
    const torch::Tensor rows = x.reshape({-1, w.size(1)});
    ctx->save_for_backward({rows, w});
    ctx->saved_data["lambda"] = lambda;
    ctx->saved_data["has_bias"] = b.defined();
    ctx->saved_data["input_shape"] = x.sizes().vec();
    torch::Tensor y = b.defined() ? torch::addmm(b, rows, w.t()) : rows.mm(w.t());
    std::vector<std::int64_t> shape = x.sizes().vec();
    shape.back() = w.size(0);
    return y.reshape(shape);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& rows = saved[0];
    const torch::Tensor& w = saved[1];
    const torch::Tensor g = grad_out[0].reshape({-1, w.size(0)});
    torch::Tensor gx, gw, gb;
    if (ctx->needs_input_grad(0))
      gx = g.mm(w).reshape(ctx->saved_data["input_shape"].toIntVector());
    if (ctx->needs_input_grad(1))
      gw = preconditioned_weight_gradient(g, rows, ctx->saved_data["lambda"].toDouble());
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) gb = g.sum(0);
    return {gx, gw, gb, torch::Tensor()};
  }
};

// conv2d(x, W, b) with zero padding; the weight gradient is TrAct's over the unfolded patches.
struct ConvFunction : torch::autograd::Function<ConvFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                               const torch::Tensor& b, std::vector<std::int64_t> stride,
                               std::vector<std::int64_t> padding, double lambda) {
    ctx->save_for_backward({x, w});
    ctx->saved_data["lambda"] = lambda;
    ctx->saved_data["has_bias"] = b.defined();
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    return torch::conv2d(x, w, b, stride, padding);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_out) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& w = saved[1];
    const torch::Tensor& go = grad_out[0];
    const auto stride = ctx->saved_data["stride"].toIntVector();
    const auto padding = ctx->saved_data["padding"].toIntVector();
    torch::Tensor gx, gw, gb;
    if (ctx->needs_input_grad(0)) {
      const auto grads = at::convolution_backward(go, x, w, c10::nullopt, stride, padding, {1, 1},
                                                  false, {0, 0}, 1, {true, false, false});
      gx = std::get<0>(grads);
    }
    if (ctx->needs_input_grad(1)) {
      // A: (B, n, L) -> (B·L, n), n = C_in·kh·kw in the weight's (C, kh, kw) order; G: the
      // output gradient at the same L locations, (B·L, C_out).
      namespace F = torch::nn::functional;
      const torch::Tensor patches = F::unfold(
          x, F::UnfoldFuncOptions({w.size(2), w.size(3)}).padding(padding).stride(stride));
      const torch::Tensor a = patches.transpose(1, 2).reshape({-1, patches.size(1)});
      const torch::Tensor g = go.permute({0, 2, 3, 1}).reshape({-1, w.size(0)});
      gw = preconditioned_weight_gradient(g, a, ctx->saved_data["lambda"].toDouble())
               .reshape(w.sizes());
    }
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) gb = go.sum({0, 2, 3});
    return {gx, gw, gb, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

TrActLinearImpl::TrActLinearImpl(std::int64_t in, std::int64_t out, double lambda_, bool with_bias)
    : TrActLinearImpl(torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(with_bias)),
                      lambda_) {}

TrActLinearImpl::TrActLinearImpl(const torch::nn::Linear& layer, double lambda_) : lambda(lambda_) {
  check_lambda(lambda);
  weight = register_parameter("weight", layer->weight);
  if (layer->bias.defined()) bias = register_parameter("bias", layer->bias);
}

torch::Tensor TrActLinearImpl::forward(const torch::Tensor& x) {
  return LinearFunction::apply(x, weight, bias, lambda);
}

void TrActLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "descent::tract::TrActLinear(in_features=" << weight.size(1)
         << ", out_features=" << weight.size(0) << ", bias=" << (bias.defined() ? "true" : "false")
         << ", lambda=" << lambda << ")";
}

TrActConv2dImpl::TrActConv2dImpl(const torch::nn::Conv2dOptions& options, double lambda_)
    : TrActConv2dImpl(torch::nn::Conv2d(options), lambda_) {}

TrActConv2dImpl::TrActConv2dImpl(const torch::nn::Conv2d& layer, double lambda_) : lambda(lambda_) {
  check_lambda(lambda);
  const auto& o = layer->options;
  const auto dilation = *o.dilation();
  if (dilation[0] != 1 || dilation[1] != 1)
    throw InvalidOption("tract", "TrActConv2d supports dilation 1 only");
  if (o.groups() != 1) throw InvalidOption("tract", "TrActConv2d supports groups = 1 only");
  if (!c10::holds_alternative<torch::enumtype::kZeros>(o.padding_mode()))
    throw InvalidOption("tract", "TrActConv2d supports zero padding only");
  const auto* pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
  if (!pad) throw InvalidOption("tract", "TrActConv2d needs explicit padding (not 'same'/'valid')");
  stride_h = (*o.stride())[0];
  stride_w = (*o.stride())[1];
  pad_h = (**pad)[0];
  pad_w = (**pad)[1];
  weight = register_parameter("weight", layer->weight);
  if (layer->bias.defined()) bias = register_parameter("bias", layer->bias);
}

torch::Tensor TrActConv2dImpl::forward(const torch::Tensor& x) {
  return ConvFunction::apply(x, weight, bias, std::vector<std::int64_t>{stride_h, stride_w},
                             std::vector<std::int64_t>{pad_h, pad_w}, lambda);
}

void TrActConv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "descent::tract::TrActConv2d(" << weight.size(1) << ", " << weight.size(0)
         << ", kernel_size=[" << weight.size(2) << ", " << weight.size(3) << "], stride=["
         << stride_h << ", " << stride_w << "], padding=[" << pad_h << ", " << pad_w
         << "], lambda=" << lambda << ")";
}

torch::nn::Sequential wrap_first_layer(const torch::nn::Sequential& model, double lambda) {
  check_lambda(lambda);
  torch::nn::Sequential source = model;  // a handle: Sequential's iteration is non-const
  torch::nn::Sequential out;
  bool wrapped = false;
  for (torch::nn::AnyModule& child : *source) {
    if (!wrapped) {
      if (auto linear = std::dynamic_pointer_cast<torch::nn::LinearImpl>(child.ptr())) {
        out->push_back(TrActLinear(torch::nn::Linear(linear), lambda));
        wrapped = true;
        continue;
      }
      if (auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(child.ptr())) {
        out->push_back(TrActConv2d(torch::nn::Conv2d(conv), lambda));
        wrapped = true;
        continue;
      }
    }
    out->push_back(child);
  }
  if (!wrapped) throw InvalidOption("tract", "the model has no Linear or Conv2d layer to wrap");
  return out;
}

}  // namespace descent::tract
