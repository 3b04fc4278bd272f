// First-order update rules written once, on spans: every front end (the Eigen Optimize loop, the
// torch::optim subclasses, the benchmarks) calls these functions, so there is one copy of the math.
//
// Each kernel updates the parameters x in place from the gradient g and its own state buffers
// (same length as x), for step t = 1, 2, ... (t counts completed steps including this one).
// Instantiated for float and double. A kernel never allocates; DFC3-5 make one extra read pass.
//
// Papers:
//  - SGD with momentum / Nesterov: Polyak 1964; Sutskever et al., ICML 2013 (PyTorch's form).
//  - Adam: Kingma & Ba, ICLR 2015. AdamW: Loshchilov & Hutter, ICLR 2019 (decoupled decay).
//  - diffGrad: Dubey et al., "diffGrad: An Optimization Method for Convolutional Neural Networks",
//    IEEE TNNLS 31(11), 2020 (arXiv 1909.11015); rule of the fixed official code diffGrad_v2.py.
//  - Normalized momentum: Cutkosky & Mehta, "Momentum Improves Normalized SGD", ICML 2020.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace descent::optim {

/// SGD: b = momentum*b + (1-dampening)*g (b = g at t = 1); x -= lr*(nesterov ? g + momentum*b : b).
/// Weight decay adds weight_decay*x to g first (L2, as torch.optim.SGD).
struct SgdOptions {
  double lr = 1e-2;           ///< learning rate, > 0
  double momentum = 0.0;      ///< in [0, 1); 0 = plain SGD (no state used)
  double dampening = 0.0;     ///< in [0, 1)
  bool nesterov = false;      ///< needs momentum > 0 and dampening = 0
  double weight_decay = 0.0;  ///< L2 coefficient, >= 0
  void validate() const;      ///< throws descent::InvalidOption naming the field
};

/// Where epsilon goes in Adam's denominator.
enum class EpsPlacement {
  corrected,  ///< x -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)   (torch.optim.Adam)
  raw,        ///< x -= lr*sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)   (diffGrad's code)
};

/// Adam / AdamW. m = b1*m + (1-b1)*g, v = b2*v + (1-b2)*g^2.
struct AdamOptions {
  double lr = 1e-3;           ///< > 0
  double beta1 = 0.9;         ///< in [0, 1)
  double beta2 = 0.999;       ///< in [0, 1)
  double eps = 1e-8;          ///< > 0
  double weight_decay = 0.0;  ///< >= 0; L2 into g (Adam) or decoupled x *= 1-lr*wd (AdamW)
  bool decoupled = false;     ///< true = AdamW
  EpsPlacement eps_placement = EpsPlacement::corrected;
  void validate() const;
};

/// diffGrad friction-coefficient variants (paper Sec. VII-B, Table II); d = g_{t-1} - g_t,
/// mu / nu = mean / standard deviation of |g_t| over the span.
enum class Dfc {
  abs_sig = 0,  ///< xi = sigmoid(|d|) in [0.5, 1)        (the paper's diffGrad)
  dfc1 = 1,     ///< sigmoid(d)                          in (0, 1)
  dfc2 = 2,     ///< 9*sigmoid(0.5|d|) - 4                in [0.5, 5)
  dfc3 = 3,     ///< sigmoid(nu*|d| - mu)
  dfc4 = 4,     ///< sigmoid(nu^2*|d| - mu)
  dfc5 = 5,     ///< sigmoid(sqrt(nu)*|d| - mu)
};

/// diffGrad (fixed semantics of diffGrad_v2.py):
///   g += weight_decay*x;  m, v as Adam;  xi = DFC(g_prev - g);  g_prev = g (a copy);
///   x -= lr*sqrt(1-b2^t)/(1-b1^t) * xi*m / (sqrt(v) + eps).
/// legacy_alias_bug reproduces the published code (diffGrad.py), whose "previous gradient" aliased
/// the live gradient tensor: g_prev = 0 at t = 1 and g_prev == g_t afterwards, so d = 0 and
/// xi = 0.5 for t >= 2, i.e. Adam (raw eps) at lr/2. The published numbers used this mode.
struct DiffGradOptions {
  double lr = 1e-3;           ///< > 0
  double beta1 = 0.9;         ///< in [0, 1)
  double beta2 = 0.999;       ///< in [0, 1)
  double eps = 1e-8;          ///< > 0 (code value; the paper text says 1e-7)
  double weight_decay = 0.0;  ///< >= 0, L2 into g before the moments and before d
  Dfc dfc = Dfc::abs_sig;
  bool legacy_alias_bug = false;
  void validate() const;
};

/// Normalized SGD with momentum: m = beta*m + (1-beta)*g; x -= lr * m / |m|_2 (whole span).
struct NormalizedMomentumOptions {
  double lr = 1e-2;           ///< > 0
  double beta = 0.9;          ///< in [0, 1)
  double weight_decay = 0.0;  ///< >= 0, L2 into g
  double eps = 1e-12;         ///< guards |m| = 0
  void validate() const;
};

/// `momentum` may be empty when options.momentum == 0.
template <class T>
void sgd_step(const SgdOptions& o, std::int64_t t, std::span<T> x, std::span<const T> g,
              std::span<T> momentum);

template <class T>
void adam_step(const AdamOptions& o, std::int64_t t, std::span<T> x, std::span<const T> g,
               std::span<T> m, std::span<T> v);

/// `g_prev` must hold zeros before the first step.
template <class T>
void diffgrad_step(const DiffGradOptions& o, std::int64_t t, std::span<T> x, std::span<const T> g,
                   std::span<T> m, std::span<T> v, std::span<T> g_prev);

template <class T>
void normalized_momentum_step(const NormalizedMomentumOptions& o, std::int64_t t, std::span<T> x,
                              std::span<const T> g, std::span<T> m);

/// Bytes of state per parameter element (for docs and bandwidth estimates).
int state_buffers(const std::string& rule);

}  // namespace descent::optim
