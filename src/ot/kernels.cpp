#include "kernels.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "descent/core/threads.hpp"

// GCC vector extensions: 8 doubles per operation, lowered to one zmm, two ymm or four xmm
// registers depending on the clone. Nothing with these types crosses a function boundary, so
// the psABI note about passing them is irrelevant here.
#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__)
#define DESCENT_OT_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DESCENT_OT_CLONES
#endif

namespace descent::ot::detail {
namespace {

using v8d = double __attribute__((vector_size(64)));
using v8l = std::int64_t __attribute__((vector_size(64)));
constexpr std::size_t kLanes = 8;

[[gnu::always_inline]] inline v8d splat(double x) {
  return v8d{} + x;
}
[[gnu::always_inline]] inline v8d load(const double* p) {
  v8d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline void store(double* p, v8d v) {
  std::memcpy(p, &v, sizeof v);
}
[[gnu::always_inline]] inline v8d vmax(v8d a, v8d b) {
  return a > b ? a : b;
}
// Software prefetch 2 KiB ahead (measured best of 0.5/2/8 KiB at n = 4000): the exp polynomial
// keeps the out-of-order window busy, so the hardware prefetcher alone leaves the loads exposed
// once C no longer fits in cache. Integer arithmetic: the address may lie past the array.
[[gnu::always_inline]] inline void prefetch_ahead(const double* p) {
  constexpr std::uintptr_t kAhead = 2048;
  const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(p) + kAhead;
  __builtin_prefetch(reinterpret_cast<const void*>(at));
  __builtin_prefetch(reinterpret_cast<const void*>(at + 64));
}

// exp(x) for x in [-708, 709] (clamped outside), to about 1 ulp. Cody-Waite reduction
// x = k ln2 + r with |r| <= ln2/2, then the degree-13 Taylor polynomial of e^r (truncation
// < 1e-17), and 2^k assembled in the exponent bits. Branch-free, so it vectorises.
[[gnu::always_inline]] inline v8d vexp(v8d x) {
  x = x < splat(-708.0) ? splat(-708.0) : x;
  x = x > splat(709.0) ? splat(709.0) : x;
  const v8d shifter = splat(0x1.8p52);  // adding it rounds to an integer held in the low bits
  v8d kd = x * splat(1.4426950408889634) + shifter;
  const v8l ki = (v8l)kd;  // a vector cast reinterprets the bits
  kd -= shifter;
  v8d r = x - kd * splat(0x1.62e42fefa3800p-1);  // ln2, high part (exact product)
  r = r - kd * splat(0x1.ef35793c76730p-45);     // ln2, low part
  v8d p = splat(1.0 / 6227020800.0);
  p = p * r + splat(1.0 / 479001600.0);
  p = p * r + splat(1.0 / 39916800.0);
  p = p * r + splat(1.0 / 3628800.0);
  p = p * r + splat(1.0 / 362880.0);
  p = p * r + splat(1.0 / 40320.0);
  p = p * r + splat(1.0 / 5040.0);
  p = p * r + splat(1.0 / 720.0);
  p = p * r + splat(1.0 / 120.0);
  p = p * r + splat(1.0 / 24.0);
  p = p * r + splat(1.0 / 6.0);
  p = p * r + splat(0.5);
  p = p * r + splat(1.0);
  p = p * r + splat(1.0);
  const v8l bits = (ki << 52) + (v8l{} + (std::int64_t{1023} << 52));
  return p * (v8d)bits;
}

// e^t - 1 - t: a Taylor series for |t| < 0.05 (relative error < 1e-18), e^t - 1 - t above
// (relative error < 2e-13 there, where the value is >= 1.25e-3).
[[gnu::always_inline]] inline v8d vphi(v8d t, v8d et) {
  v8d s = splat(1.0 / 39916800.0);
  s = s * t + splat(1.0 / 3628800.0);
  s = s * t + splat(1.0 / 362880.0);
  s = s * t + splat(1.0 / 40320.0);
  s = s * t + splat(1.0 / 5040.0);
  s = s * t + splat(1.0 / 720.0);
  s = s * t + splat(1.0 / 120.0);
  s = s * t + splat(1.0 / 24.0);
  s = s * t + splat(1.0 / 6.0);
  s = s * t + splat(0.5);
  const v8d series = s * t * t;
  const v8d direct = et - splat(1.0) - t;
  const v8d abs_t = t < splat(0.0) ? -t : t;
  return abs_t < splat(0.05) ? series : direct;
}

[[gnu::always_inline]] inline double hsum(v8d v) {
  double s = 0;
  for (std::size_t l = 0; l < kLanes; ++l) s += v[l];
  return s;
}
[[gnu::always_inline]] inline double hmax(v8d v) {
  double s = -std::numeric_limits<double>::infinity();
  for (std::size_t l = 0; l < kLanes; ++l) s = v[l] > s ? v[l] : s;
  return s;
}
// Scalar versions for the tails (at most 7 entries a row).
[[gnu::always_inline]] inline double sexp(double x) {
  return vexp(splat(x))[0];
}
[[gnu::always_inline]] inline double sphi(double t, double et) {
  return vphi(splat(t), splat(et))[0];
}

}  // namespace

DESCENT_OT_CLONES
double sum_exp_row(const double* a, const double* w, std::size_t m, double s, double shift,
                   double* max_out) {
  // Two independent accumulators hide the latency of the polynomial chain.
  v8d acc0{}, acc1{};
  v8d mx0 = splat(-std::numeric_limits<double>::infinity()), mx1 = mx0;
  const v8d vs = splat(s), vshift = splat(shift);
  std::size_t j = 0;
  for (; j + 2 * kLanes <= m; j += 2 * kLanes) {
    prefetch_ahead(a + j);
    const v8d t0 = load(a + j) * vs + load(w + j);
    const v8d t1 = load(a + j + kLanes) * vs + load(w + j + kLanes);
    mx0 = vmax(t0, mx0);
    mx1 = vmax(t1, mx1);
    acc0 += vexp(t0 - vshift);
    acc1 += vexp(t1 - vshift);
  }
  double sum = hsum(acc0 + acc1), mx = hmax(vmax(mx0, mx1));
  for (; j < m; ++j) {
    const double t = a[j] * s + w[j];
    mx = t > mx ? t : mx;
    sum += sexp(t - shift);
  }
  *max_out = mx;
  return sum;
}

double log_sum_exp_row(const double* a, const double* w, std::size_t m, double s, double hint) {
  // exp(+-300) is far from over/underflow, so a shift within 300 of the maximum loses nothing.
  constexpr double kShiftBound = 300.0;
  double mx = 0.0;
  if (std::isfinite(hint)) {
    const double sum = sum_exp_row(a, w, m, s, hint, &mx);
    if (std::isfinite(mx) && std::abs(mx - hint) <= kShiftBound) return hint + std::log(sum);
  } else {
    sum_exp_row(a, w, m, s, 0.0, &mx);  // only the maximum is wanted (overflow is harmless)
  }
  if (!std::isfinite(mx)) return mx;  // NaN or -inf: reported by the caller as divergence
  return mx + std::log(sum_exp_row(a, w, m, s, mx, &mx));
}

DESCENT_OT_CLONES
double exp_row(const double* a, const double* w, std::size_t m, double s, double add, double* out,
               double* colsum) {
  v8d acc{};
  const v8d vs = splat(s), vadd = splat(add), lo = splat(-708.0), zero{};
  std::size_t j = 0;
  for (; j + kLanes <= m; j += kLanes) {
    if (j % (2 * kLanes) == 0) prefetch_ahead(a + j);
    const v8d t = load(a + j) * vs + load(w + j) + vadd;
    const v8d e = t < lo ? zero : vexp(t);
    acc += e;
    if (out) store(out + j, e);
    if (colsum) store(colsum + j, load(colsum + j) + e);
  }
  double sum = hsum(acc);
  for (; j < m; ++j) {
    const double t = a[j] * s + w[j] + add;
    const double e = t < -708.0 ? 0.0 : sexp(t);
    sum += e;
    if (out) out[j] = e;
    if (colsum) colsum[j] += e;
  }
  return sum;
}

DESCENT_OT_CLONES
double phi_row(const double* p, const double* dv, std::size_t m, double du, double t) {
  v8d phi{};
  const v8d vt = splat(t), vdu = splat(du);
  std::size_t j = 0;
  for (; j + kLanes <= m; j += kLanes) {
    if (j % (2 * kLanes) == 0) prefetch_ahead(p + j);
    const v8d d = vt * (vdu + load(dv + j));
    phi += load(p + j) * vphi(d, vexp(d));
  }
  double ph = hsum(phi);
  for (; j < m; ++j) {
    const double d = t * (du + dv[j]);
    ph += p[j] * sphi(d, sexp(d));
  }
  return ph;
}

DESCENT_OT_CLONES
void cost_tile(GroundCost cost, const double* p, const double* const* coords, std::size_t d,
               std::size_t count, double scale, double* out) {
  // Eight points at a time, all d coordinates accumulated in registers.
  const v8d vscale = splat(scale);
  std::size_t t = 0;
  for (; t + kLanes <= count; t += kLanes) {
    v8d acc{};
    for (std::size_t k = 0; k < d; ++k) {
      const v8d e = load(coords[k] + t) - splat(p[k]);
      acc += cost == GroundCost::l1 ? (e < splat(0.0) ? -e : e) : e * e;
    }
    if (cost == GroundCost::euclidean)
      for (std::size_t l = 0; l < kLanes; ++l) acc[l] = __builtin_sqrt(acc[l]);
    store(out + t, acc * vscale);
  }
  for (; t < count; ++t) {
    double acc = 0.0;
    for (std::size_t k = 0; k < d; ++k) {
      const double e = coords[k][t] - p[k];
      acc += cost == GroundCost::l1 ? (e < 0.0 ? -e : e) : e * e;
    }
    if (cost == GroundCost::euclidean) acc = __builtin_sqrt(acc);
    out[t] = acc * scale;
  }
}

DESCENT_OT_CLONES
void max_into(double* m, const double* a, double s, double add, std::size_t count) {
  const v8d vs = splat(s), vadd = splat(add);
  std::size_t t = 0;
  for (; t + kLanes <= count; t += kLanes) store(m + t, vmax(load(a + t) * vs + vadd, load(m + t)));
  for (; t < count; ++t) {
    const double v = a[t] * s + add;
    m[t] = v > m[t] ? v : m[t];
  }
}

DESCENT_OT_CLONES
double dot(const double* x, const double* y, std::size_t count) {
  v8d acc0{}, acc1{};
  std::size_t t = 0;
  for (; t + 2 * kLanes <= count; t += 2 * kLanes) {
    prefetch_ahead(x + t);
    acc0 += load(x + t) * load(y + t);
    acc1 += load(x + t + kLanes) * load(y + t + kLanes);
  }
  double sum = hsum(acc0 + acc1);
  for (; t < count; ++t) sum += x[t] * y[t];
  return sum;
}

DESCENT_OT_CLONES
void axpy(double* y, const double* x, double s, std::size_t count) {
  const v8d vs = splat(s);
  std::size_t t = 0;
  for (; t + kLanes <= count; t += kLanes) store(y + t, load(y + t) + vs * load(x + t));
  for (; t < count; ++t) y[t] += s * x[t];
}

int resolve_threads(int threads) {
  if (threads <= 0) threads = descent::threads();
  return threads < 1 ? 1 : threads;
}

}  // namespace descent::ot::detail
