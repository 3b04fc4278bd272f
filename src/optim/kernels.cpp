#include "descent/optim/kernels.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::optim {
namespace {

void check_betas(double b1, double b2) {
  check::in_half_open("beta1", b1, 0.0, 1.0);
  check::in_half_open("beta2", b2, 0.0, 1.0);
}

template <class T>
void check_sizes(std::size_t n, std::size_t other, const char* what) {
  if (other != n)
    throw Error(std::string("optim: state buffer '") + what + "' has " + std::to_string(other) +
                " entries, parameters " + std::to_string(n));
}

// Scalars are converted to T once, as PyTorch does for its float kernels.
template <class T>
struct Moments {
  T b1, one_minus_b1, b2, one_minus_b2;
  Moments(double beta1, double beta2)
      : b1(T(beta1)), one_minus_b1(T(1.0 - beta1)), b2(T(beta2)), one_minus_b2(T(1.0 - beta2)) {}
};

// exp(-|d|), so that xi = sigmoid(|d|) = 1 / (1 + exp(-|d|)) and the fused step divides once:
// xi*m / (sqrt(v)+eps) = m / ((1 + exp(-|d|)) (sqrt(v)+eps)). In float, exp is computed
// branch-free so the loop vectorizes (a libm call per element would make the step compute-bound,
// slower than LibTorch's Adam): exp(-a) = 2^y, y = -a log2(e) clamped to [-126, 0], y = k + f with
// k = trunc(y - 1/2) and f in (-1/2, 1/2], 2^f by its degree-6 Taylor polynomial (relative error
// < 2e-7, about 1 float ulp), 2^k by building the exponent bits. In double: std::exp.
inline float exp_neg_abs(float d) {
  const float y = std::max(std::fabs(d) * -1.44269504f, -126.0f);
  const std::int32_t k = static_cast<std::int32_t>(y - 0.5f);
  const float f = (y - static_cast<float>(k)) * 0.693147181f;  // 2^f = e^(f ln 2)
  const float p =
      1.0f + f * (1.0f + f * (0.5f + f * (1.0f / 6 +
                                          f * (1.0f / 24 + f * (1.0f / 120 + f * (1.0f / 720))))));
  return p * std::bit_cast<float>(static_cast<std::int32_t>((k + 127) << 23));
}
inline double exp_neg_abs(double d) {
  return std::exp(-std::abs(d));
}

}  // namespace

void SgdOptions::validate() const {
  check::positive("lr", lr);
  check::in_half_open("momentum", momentum, 0.0, 1.0);
  check::in_half_open("dampening", dampening, 0.0, 1.0);
  check::non_negative("weight_decay", weight_decay);
  check::require(!nesterov || (momentum > 0 && dampening == 0), "nesterov",
                 "needs momentum > 0 and dampening = 0");
}

void AdamOptions::validate() const {
  check::positive("lr", lr);
  check_betas(beta1, beta2);
  check::positive("eps", eps);
  check::non_negative("weight_decay", weight_decay);
}

void DiffGradOptions::validate() const {
  check::positive("lr", lr);
  check_betas(beta1, beta2);
  check::positive("eps", eps);
  check::non_negative("weight_decay", weight_decay);
  check::in_closed("dfc", static_cast<double>(dfc), 0, 5);
}

void NormalizedMomentumOptions::validate() const {
  check::positive("lr", lr);
  check::in_half_open("beta", beta, 0.0, 1.0);
  check::non_negative("weight_decay", weight_decay);
  check::positive("eps", eps);
}

template <class T>
void sgd_step(const SgdOptions& o, std::int64_t t, std::span<T> x, std::span<const T> g,
              std::span<T> buf) {
  const std::size_t n = x.size();
  check_sizes<T>(n, g.size(), "grad");
  const T lr = T(o.lr), wd = T(o.weight_decay), mu = T(o.momentum), damp = T(1.0 - o.dampening);
  T* __restrict xp = x.data();
  const T* __restrict gp = g.data();
  if (o.momentum == 0) {
    for (std::size_t i = 0; i < n; ++i) xp[i] -= lr * (gp[i] + wd * xp[i]);
    return;
  }
  check_sizes<T>(n, buf.size(), "momentum");
  T* __restrict bp = buf.data();
  const bool first = t <= 1;
  for (std::size_t i = 0; i < n; ++i) {
    const T d = gp[i] + wd * xp[i];
    const T b = first ? d : mu * bp[i] + damp * d;
    bp[i] = b;
    xp[i] -= lr * (o.nesterov ? d + mu * b : b);
  }
}

template <class T>
void adam_step(const AdamOptions& o, std::int64_t t, std::span<T> x, std::span<const T> g,
               std::span<T> m, std::span<T> v) {
  const std::size_t n = x.size();
  check_sizes<T>(n, g.size(), "grad");
  check_sizes<T>(n, m.size(), "exp_avg");
  check_sizes<T>(n, v.size(), "exp_avg_sq");
  const Moments<T> k(o.beta1, o.beta2);
  const double bc1 = 1.0 - std::pow(o.beta1, double(t));
  const double bc2 = 1.0 - std::pow(o.beta2, double(t));
  const T eps = T(o.eps);
  const T l2 = o.decoupled ? T(0) : T(o.weight_decay);
  const T shrink = o.decoupled ? T(1.0 - o.lr * o.weight_decay) : T(1);
  T* __restrict xp = x.data();
  const T* __restrict gp = g.data();
  T* __restrict mp = m.data();
  T* __restrict vp = v.data();
  if (o.eps_placement == EpsPlacement::corrected) {
    const T step = T(o.lr / bc1), inv_sqrt_bc2 = T(1.0 / std::sqrt(bc2));
    for (std::size_t i = 0; i < n; ++i) {
      const T xi = xp[i] * shrink;
      const T gi = gp[i] + l2 * xi;
      const T mi = k.b1 * mp[i] + k.one_minus_b1 * gi;
      const T vi = k.b2 * vp[i] + k.one_minus_b2 * gi * gi;
      mp[i] = mi;
      vp[i] = vi;
      xp[i] = xi - step * (mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps));
    }
  } else {
    const T step = T(o.lr * std::sqrt(bc2) / bc1);
    for (std::size_t i = 0; i < n; ++i) {
      const T xi = xp[i] * shrink;
      const T gi = gp[i] + l2 * xi;
      const T mi = k.b1 * mp[i] + k.one_minus_b1 * gi;
      const T vi = k.b2 * vp[i] + k.one_minus_b2 * gi * gi;
      mp[i] = mi;
      vp[i] = vi;
      xp[i] = xi - step * (mi / (std::sqrt(vi) + eps));
    }
  }
}

template <class T>
void diffgrad_step(const DiffGradOptions& o, std::int64_t t, std::span<T> x, std::span<const T> g,
                   std::span<T> m, std::span<T> v, std::span<T> g_prev) {
  const std::size_t n = x.size();
  check_sizes<T>(n, g.size(), "grad");
  check_sizes<T>(n, m.size(), "exp_avg");
  check_sizes<T>(n, v.size(), "exp_avg_sq");
  check_sizes<T>(n, g_prev.size(), "previous_grad");
  const Moments<T> k(o.beta1, o.beta2);
  const double bc1 = 1.0 - std::pow(o.beta1, double(t));
  const double bc2 = 1.0 - std::pow(o.beta2, double(t));
  const T step = T(o.lr * std::sqrt(bc2) / bc1), eps = T(o.eps), wd = T(o.weight_decay);
  T* __restrict xp = x.data();
  const T* __restrict gp = g.data();
  T* __restrict mp = m.data();
  T* __restrict vp = v.data();
  T* __restrict pp = g_prev.data();
  // The alias bug: the stored "previous" gradient is the live one, so d = 0 after step 1.
  const bool alias = o.legacy_alias_bug && t > 1;

  if (o.dfc == Dfc::abs_sig) {
    // The hot path: one fused pass, 5 reads + 4 writes per element, no branches (vectorizes).
    const T keep = alias ? T(0) : T(1);  // d = keep * (g_prev - g)
    for (std::size_t i = 0; i < n; ++i) {
      const T gi = gp[i] + wd * xp[i];
      const T mi = k.b1 * mp[i] + k.one_minus_b1 * gi;
      const T vi = k.b2 * vp[i] + k.one_minus_b2 * gi * gi;
      const T e = exp_neg_abs(keep * (pp[i] - gi));
      mp[i] = mi;
      vp[i] = vi;
      pp[i] = gi;
      xp[i] -= step * (mi / ((T(1) + e) * (std::sqrt(vi) + eps)));
    }
    return;
  }

  double mu = 0, nu = 0;  // mean and std of |g| (after weight decay) for DFC3-5
  if (o.dfc == Dfc::dfc3 || o.dfc == Dfc::dfc4 || o.dfc == Dfc::dfc5) {
    double s = 0, s2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double a = std::abs(double(gp[i] + wd * xp[i]));
      s += a;
      s2 += a * a;
    }
    mu = n ? s / double(n) : 0.0;
    nu = n ? std::sqrt(std::max(0.0, s2 / double(n) - mu * mu)) : 0.0;
  }
  const T scale = o.dfc == Dfc::dfc3 ? T(nu) : o.dfc == Dfc::dfc4 ? T(nu * nu) : T(std::sqrt(nu));
  const T shift = T(mu);
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = gp[i] + wd * xp[i];
    const T mi = k.b1 * mp[i] + k.one_minus_b1 * gi;
    const T vi = k.b2 * vp[i] + k.one_minus_b2 * gi * gi;
    const T d = alias ? T(0) : pp[i] - gi;
    T fric;
    switch (o.dfc) {
      case Dfc::dfc1:
        fric = T(1) / (T(1) + std::exp(-d));
        break;
      case Dfc::dfc2:
        fric = T(9) / (T(1) + std::exp(T(-0.5) * std::abs(d))) - T(4);
        break;
      default:
        fric = T(1) / (T(1) + std::exp(-(scale * std::abs(d) - shift)));
        break;
    }
    mp[i] = mi;
    vp[i] = vi;
    pp[i] = gi;
    xp[i] -= step * ((mi * fric) / (std::sqrt(vi) + eps));
  }
}

template <class T>
void normalized_momentum_step(const NormalizedMomentumOptions& o, std::int64_t /*t*/,
                              std::span<T> x, std::span<const T> g, std::span<T> m) {
  const std::size_t n = x.size();
  check_sizes<T>(n, g.size(), "grad");
  check_sizes<T>(n, m.size(), "momentum");
  const T beta = T(o.beta), omb = T(1.0 - o.beta), wd = T(o.weight_decay);
  double sq = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const T mi = beta * m[i] + omb * (g[i] + wd * x[i]);
    m[i] = mi;
    sq += double(mi) * double(mi);
  }
  const T step = T(o.lr / (std::sqrt(sq) + o.eps));
  for (std::size_t i = 0; i < n; ++i) x[i] -= step * m[i];
}

int state_buffers(const std::string& rule) {
  if (rule == "sgd") return 0;
  if (rule == "momentum" || rule == "nesterov" || rule == "normalized-momentum") return 1;
  if (rule == "adam" || rule == "adamw") return 2;
  if (rule == "diffgrad" || rule == "diffgrad-legacy") return 3;
  throw InvalidOption("optimizer", "unknown optimizer '" + rule + "'");
}

#define DESCENT_OPTIM_INSTANTIATE(T)                                                             \
  template void sgd_step<T>(const SgdOptions&, std::int64_t, std::span<T>, std::span<const T>,   \
                            std::span<T>);                                                       \
  template void adam_step<T>(const AdamOptions&, std::int64_t, std::span<T>, std::span<const T>, \
                             std::span<T>, std::span<T>);                                        \
  template void diffgrad_step<T>(const DiffGradOptions&, std::int64_t, std::span<T>,             \
                                 std::span<const T>, std::span<T>, std::span<T>, std::span<T>);  \
  template void normalized_momentum_step<T>(const NormalizedMomentumOptions&, std::int64_t,      \
                                            std::span<T>, std::span<const T>, std::span<T>);
DESCENT_OPTIM_INSTANTIATE(float)
DESCENT_OPTIM_INSTANTIATE(double)
#undef DESCENT_OPTIM_INSTANTIATE

}  // namespace descent::optim
