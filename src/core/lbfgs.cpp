// L-BFGS with a strong-Wolfe line search; see the header for the rules and their sources.
#include "descent/core/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "descent/core/error.hpp"

namespace descent {

void LbfgsOptions::validate() const {
  if (memory < 1) throw InvalidOption("memory", "must be >= 1");
  if (max_iterations < 1) throw InvalidOption("max_iterations", "must be >= 1");
  if (max_evaluations < 1) throw InvalidOption("max_evaluations", "must be >= 1");
  if (!(gradient_tolerance >= 0.0) || !std::isfinite(gradient_tolerance))
    throw InvalidOption("gradient_tolerance", "must be finite and >= 0");
  if (!(relative_reduction >= 0.0) || !std::isfinite(relative_reduction))
    throw InvalidOption("relative_reduction", "must be finite and >= 0");
  if (!(wolfe_c1 > 0.0 && wolfe_c1 < wolfe_c2 && wolfe_c2 < 1.0))
    throw InvalidOption("wolfe_c1", "need 0 < wolfe_c1 < wolfe_c2 < 1");
  if (max_line_search < 1) throw InvalidOption("max_line_search", "must be >= 1");
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// φ(a) = f(x0 + a·d) sampled at one step: value and directional derivative.
struct Sample {
  double a = 0.0, f = 0.0, d = 0.0;
};

// The minimiser of the cubic through (p.a, p.f, p.d) and (q.a, q.f, q.d) (Nocedal & Wright
// eq. 3.59); NaN when the cubic has no real minimiser.
double cubic_minimizer(const Sample& p, const Sample& q) {
  const double d1 = p.d + q.d - 3.0 * (p.f - q.f) / (p.a - q.a);
  const double disc = d1 * d1 - p.d * q.d;
  if (!(disc >= 0.0)) return kNaN;
  const double d2 = std::copysign(std::sqrt(disc), q.a - p.a);
  const double denom = q.d - p.d + 2.0 * d2;
  if (denom == 0.0) return kNaN;
  return q.a - (q.a - p.a) * (q.d + d2 - d1) / denom;
}

// A strong-Wolfe line search along `dir` from (x0, f0, d0 = g0ᵀdir < 0). On success `x`, `g`
// and `f` hold the accepted point; the best sufficient-decrease point seen is kept as a
// fallback for a search that runs out of evaluations.
class LineSearch {
 public:
  LineSearch(const ValueAndGradient& fn, const Eigen::VectorXd& x0, const Eigen::VectorXd& dir,
             double f0, double d0, const LbfgsOptions& o, int budget)
      : fn_(fn), x0_(x0), dir_(dir), f0_(f0), d0_(d0), o_(o), budget_(budget) {}

  bool run(double a1) {
    Sample prev{0.0, f0_, d0_};
    double a = a1;
    for (bool first = true;; first = false) {
      if (evaluations >= budget_) return fallback();
      const Sample cur = evaluate(a);
      if (!std::isfinite(cur.f) || !std::isfinite(cur.d)) {
        // Overshot into a region where f is not finite: bracket from below.
        return zoom(prev, Sample{a, std::numeric_limits<double>::infinity(), kNaN});
      }
      if (cur.f > f0_ + o_.wolfe_c1 * a * d0_ || (!first && cur.f >= prev.f))
        return zoom(prev, cur);
      if (std::abs(cur.d) <= -o_.wolfe_c2 * d0_) return accept();
      if (cur.d >= 0.0) return zoom(cur, prev);
      double next = cubic_minimizer(prev, cur);
      if (!(next >= 1.1 * a && next <= 4.0 * a)) next = 4.0 * a;  // extrapolate, safeguarded
      prev = cur;
      a = next;
    }
  }

  Eigen::VectorXd x, g;
  double f = kNaN;
  int evaluations = 0;

 private:
  Sample evaluate(double a) {
    x = x0_ + a * dir_;
    if (g.size() != x.size()) g.resize(x.size());
    f = fn_(x, g);
    ++evaluations;
    const Sample s{a, f, g.allFinite() ? g.dot(dir_) : kNaN};
    if (std::isfinite(f) && std::isfinite(s.d) && f <= f0_ + o_.wolfe_c1 * a * d0_ && f < best_f_) {
      best_f_ = f;
      best_x_ = x;
      best_g_ = g;
    }
    return s;
  }

  // Nocedal & Wright Algorithm 3.6: lo has the lowest sufficient-decrease value so far and
  // lo.d·(hi.a − lo.a) < 0, so [lo, hi] brackets a strong-Wolfe step.
  bool zoom(Sample lo, Sample hi) {
    while (evaluations < budget_) {
      const double width = hi.a - lo.a;
      if (std::abs(width) <= 1e-16 * std::max(1.0, std::abs(lo.a))) break;
      double a = cubic_minimizer(lo, hi);
      const double left = std::min(lo.a, hi.a) + 0.1 * std::abs(width);
      const double right = std::max(lo.a, hi.a) - 0.1 * std::abs(width);
      if (!(a >= left && a <= right)) a = lo.a + 0.5 * width;  // bisect
      const Sample cur = evaluate(a);
      if (!std::isfinite(cur.f) || !std::isfinite(cur.d)) {
        hi = Sample{a, std::numeric_limits<double>::infinity(), kNaN};
        continue;
      }
      if (cur.f > f0_ + o_.wolfe_c1 * a * d0_ || cur.f >= lo.f) {
        hi = cur;
        continue;
      }
      if (std::abs(cur.d) <= -o_.wolfe_c2 * d0_) return accept();
      if (cur.d * (hi.a - lo.a) >= 0.0) hi = lo;
      lo = cur;
    }
    return fallback();
  }

  bool accept() { return true; }  // x, g, f already hold the point just evaluated

  bool fallback() {
    if (!(best_f_ < f0_)) return false;
    x = best_x_;
    g = best_g_;
    f = best_f_;
    return true;
  }

  const ValueAndGradient& fn_;
  const Eigen::VectorXd& x0_;
  const Eigen::VectorXd& dir_;
  double f0_, d0_;
  const LbfgsOptions& o_;
  int budget_;
  double best_f_ = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_x_, best_g_;
};

}  // namespace

LbfgsResult lbfgs_minimize(const ValueAndGradient& fn, Eigen::VectorXd& x, const LbfgsOptions& o) {
  o.validate();
  LbfgsResult r;
  Eigen::VectorXd g(x.size());
  double f = fn(x, g);
  r.evaluations = 1;
  r.value = f;
  if (!std::isfinite(f) || !g.allFinite()) {
    r.status = Status::diverged;
    r.message = "f or its gradient is not finite at the starting point";
    r.gradient_inf_norm = kNaN;
    return r;
  }
  r.gradient_inf_norm = x.size() > 0 ? g.lpNorm<Eigen::Infinity>() : 0.0;
  if (r.gradient_inf_norm <= o.gradient_tolerance) {
    r.status = Status::converged;
    r.message = "gradient tolerance met at the starting point";
    return r;
  }

  std::deque<Eigen::VectorXd> s_hist, y_hist;
  std::deque<double> rho_hist;
  Eigen::VectorXd dir(x.size()), s, y;
  std::vector<double> alpha(static_cast<std::size_t>(o.memory));
  for (;;) {
    if (r.iterations >= o.max_iterations) {
      r.status = Status::max_iterations;
      r.message = "iteration limit reached";
      return r;
    }
    if (r.evaluations >= o.max_evaluations) {
      r.status = Status::max_iterations;
      r.message = "evaluation limit reached";
      return r;
    }
    // Two-loop recursion: dir = −H·g.
    dir = -g;
    const std::size_t m = s_hist.size();
    for (std::size_t i = m; i-- > 0;) {
      alpha[i] = rho_hist[i] * s_hist[i].dot(dir);
      dir -= alpha[i] * y_hist[i];
    }
    if (m > 0) dir *= s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
    for (std::size_t i = 0; i < m; ++i) {
      const double beta = rho_hist[i] * y_hist[i].dot(dir);
      dir += (alpha[i] - beta) * s_hist[i];
    }
    double d0 = g.dot(dir);
    if (!(d0 < 0.0)) {  // not a descent direction (round-off): restart from steepest descent
      s_hist.clear();
      y_hist.clear();
      rho_hist.clear();
      dir = -g;
      d0 = -g.squaredNorm();
    }
    // scipy's first step is 1/|d|; later steps try the quasi-Newton step 1.
    const double a1 = (r.iterations == 0 && m == 0) ? std::min(1.0, 1.0 / dir.norm()) : 1.0;
    LineSearch ls(fn, x, dir, f, d0, o,
                  std::min(o.max_line_search, o.max_evaluations - r.evaluations));
    const bool ok = ls.run(a1);
    r.evaluations += ls.evaluations;
    if (!ok) {
      r.status = Status::stalled;
      r.message = "the line search found no decrease along the search direction";
      return r;
    }
    s = ls.x - x;
    y = ls.g - g;
    const double f_old = f;
    x = ls.x;
    g = ls.g;
    f = ls.f;
    ++r.iterations;
    r.value = f;
    r.gradient_inf_norm = g.lpNorm<Eigen::Infinity>();
    const double sy = s.dot(y), yy = y.squaredNorm();
    if (sy > 1e-10 * yy && yy > 0.0) {
      if (static_cast<int>(s_hist.size()) == o.memory) {
        s_hist.pop_front();
        y_hist.pop_front();
        rho_hist.pop_front();
      }
      s_hist.push_back(s);
      y_hist.push_back(y);
      rho_hist.push_back(1.0 / sy);
    }
    if (r.gradient_inf_norm <= o.gradient_tolerance) {
      r.status = Status::converged;
      r.message = "gradient tolerance met";
      return r;
    }
    if (f_old - f <= o.relative_reduction * std::max({std::abs(f_old), std::abs(f), 1.0})) {
      r.status = Status::converged;
      r.message = "relative reduction of f below tolerance";
      return r;
    }
  }
}

}  // namespace descent
