// The synthetic offline-optimisation tasks (search_nas_co.md §4.5).
#include <algorithm>
#include <cmath>
#include <numbers>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/offline/task.hpp"

namespace descent::offline {
namespace {

constexpr double kPi = std::numbers::pi;

// Maximised: −Ackley(x − shift).
Eigen::VectorXd neg_ackley(const Eigen::MatrixXd& x, const Eigen::RowVectorXd& shift) {
  const double d = double(x.cols());
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const Eigen::ArrayXd z = (x.row(i) - shift).transpose().array();
    const double a = -20.0 * std::exp(-0.2 * std::sqrt(z.square().sum() / d));
    const double b = -std::exp((2.0 * kPi * z).cos().sum() / d);
    y[i] = -(a + b + 20.0 + std::numbers::e);
  }
  return y;
}

Eigen::VectorXd neg_rosenbrock(const Eigen::MatrixXd& x) {
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    double f = 0.0;
    for (Eigen::Index j = 0; j + 1 < x.cols(); ++j) {
      const double a = x(i, j + 1) - x(i, j) * x(i, j), b = 1.0 - x(i, j);
      f += 100.0 * a * a + b * b;
    }
    y[i] = -f;
  }
  return y;
}

// −Branin(u, v) with u = −5 + 15 x_a, v = 15 x_b; its minimum 0.397887 is at three points.
Eigen::VectorXd neg_branin(const Eigen::MatrixXd& x, Eigen::Index a, Eigen::Index b) {
  const double bb = 5.1 / (4.0 * kPi * kPi), c = 5.0 / kPi, t = 1.0 / (8.0 * kPi);
  Eigen::VectorXd y(x.rows());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double u = -5.0 + 15.0 * x(i, a), v = 15.0 * x(i, b);
    const double q = v - bb * u * u + c * u - 6.0;
    y[i] = -(q * q + 10.0 * (1.0 - t) * std::cos(u) + 10.0);
  }
  return y;
}

// The unobserved sample's minimum, in chunks (no 1e6 × d matrix).
double sampled_min(const Oracle& f, Rng& rng, Eigen::Index n, Eigen::Index d, double lo,
                   double hi) {
  double m = std::numeric_limits<double>::infinity();
  for (Eigen::Index done = 0; done < n;) {
    const Eigen::Index k = std::min<Eigen::Index>(20000, n - done);
    m = std::min(m, f(uniform_matrix(rng, k, d, lo, hi)).minCoeff());
    done += k;
  }
  return m;
}

// The rows whose y is at most the median (exactly half of them, lowest first by y).
DesignData lower_half(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  std::vector<Eigen::Index> order(std::size_t(y.size()));
  for (Eigen::Index i = 0; i < y.size(); ++i) order[std::size_t(i)] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto p, auto q) { return y[p] < y[q]; });
  const Eigen::Index keep = y.size() / 2;
  std::sort(order.begin(), order.begin() + keep);  // keep the sample's order
  DesignData d;
  d.x.resize(keep, x.cols());
  d.y.resize(keep);
  for (Eigen::Index i = 0; i < keep; ++i) {
    d.x.row(i) = x.row(order[std::size_t(i)]);
    d.y[i] = y[order[std::size_t(i)]];
  }
  for (Eigen::Index j = 0; j < x.cols(); ++j) d.columns.push_back(numbered("x", j + 1));
  return d;
}

Task continuous(std::string name, Eigen::Index dim, double lo, double hi, Oracle f, double optimum,
                Eigen::RowVectorXd best, const SyntheticOptions& o) {
  Task t;
  t.name = std::move(name);
  t.space.dimension = dim;
  Rng rng = make_rng(o.seed, {0xda7a});
  const Eigen::MatrixXd x = uniform_matrix(rng, o.samples, dim, lo, hi);
  t.data = lower_half(x, f(x));
  Rng nrng = make_rng(o.seed, {0x40e3});
  t.y_min = sampled_min(f, nrng, o.normalisation_samples, dim, lo, hi);
  t.y_max = optimum;
  t.optimum = optimum;
  t.best_x = std::move(best);
  t.oracle = std::move(f);
  return t;
}

// 8 positions × 4 letters: PWM plus an NK landscape with K = 2.
Task tfbind8(const SyntheticOptions& o) {
  constexpr int L = 8, K = 4, kNk = 2;
  Rng rng = make_rng(o.seed, {0x7fb8});
  const Eigen::MatrixXd pwm = normal_matrix(rng, L, K);
  // nk(i, s_i + 4 s_{i+1} + 16 s_{i+2}): each position's contribution with its two neighbours.
  const Eigen::MatrixXd nk = normal_matrix(rng, L, 64);
  const double scale = 1.0 / std::sqrt(2.0 * L);
  Oracle f = [pwm, nk, scale](const Eigen::MatrixXd& codes) {
    if (codes.cols() != L) throw Error("tfbind8: designs must have 8 positions");
    Eigen::VectorXd y(codes.rows());
    for (Eigen::Index r = 0; r < codes.rows(); ++r) {
      int s[L];
      for (int i = 0; i < L; ++i) {
        const double c = codes(r, i);
        if (!(c >= 0 && c < K) || c != std::floor(c))
          throw Error("tfbind8: letter code out of range");
        s[i] = int(c);
      }
      double v = 0.0;
      for (int i = 0; i < L; ++i) {
        int idx = 0, mult = 1;
        for (int k = 0; k <= kNk; ++k, mult *= K) idx += s[(i + k) % L] * mult;
        v += pwm(i, s[i]) + nk(i, idx);
      }
      y[r] = v * scale;
    }
    return y;
  };
  Eigen::MatrixXd all(65536, L);
  for (int n = 0; n < 65536; ++n)
    for (int i = 0, v = n; i < L; ++i, v /= K) all(n, i) = double(v % K);
  const Eigen::VectorXd y = f(all);
  Task t;
  t.name = "tfbind8";
  t.space.discrete = true;
  t.space.dimension = L;
  t.space.alphabet = {"A", "C", "G", "T"};
  // The data: the lower half of all sequences in a seeded random order (as a measured table).
  Eigen::MatrixXd shuffled(65536, L);
  Eigen::VectorXd ys(65536);
  Rng prng = make_rng(o.seed, {0x5eb});
  const auto perm = permutation(prng, 65536);
  for (Eigen::Index i = 0; i < 65536; ++i) {
    shuffled.row(i) = all.row(perm[std::size_t(i)]);
    ys[i] = y[perm[std::size_t(i)]];
  }
  t.data = lower_half(shuffled, ys);
  t.data.columns.clear();
  for (int i = 0; i < L; ++i) t.data.columns.push_back(numbered("p", i + 1));
  Eigen::Index arg = 0;
  t.optimum = y.maxCoeff(&arg);
  t.best_x = all.row(arg);
  t.y_min = y.minCoeff();
  t.y_max = t.optimum;
  t.oracle = std::move(f);
  return t;
}

}  // namespace

void SyntheticOptions::validate() const {
  if (samples < 4) throw InvalidOption("samples", "must be >= 4, got " + std::to_string(samples));
  if (normalisation_samples < 1) throw InvalidOption("normalisation_samples", "must be >= 1");
}

const std::vector<std::string>& synthetic_task_names() {
  static const std::vector<std::string> names{"ackley20", "rosenbrock10", "branin20", "tfbind8"};
  return names;
}

Task make_synthetic_task(const std::string& name, const SyntheticOptions& o) {
  o.validate();
  if (name == "ackley20") {
    Rng rng = make_rng(o.seed, {0xac1e});
    // The optimum inside the box, away from its edges.
    const Eigen::RowVectorXd shift = uniform_vector(rng, 20, -2.5, 2.5).transpose();
    return continuous(
        name, 20, -5.0, 5.0, [shift](const Eigen::MatrixXd& x) { return neg_ackley(x, shift); },
        0.0, shift, o);
  }
  if (name == "rosenbrock10")
    return continuous(name, 10, -2.0, 2.0, neg_rosenbrock, 0.0, Eigen::RowVectorXd::Ones(10), o);
  if (name == "branin20") {
    Rng rng = make_rng(o.seed, {0xb4a1});
    const auto perm = permutation(rng, 20);
    const Eigen::Index a = perm[0], b = perm[1];
    Eigen::RowVectorXd best = Eigen::RowVectorXd::Constant(20, 0.5);
    best[a] = (kPi + 5.0) / 15.0;  // (π, 2.275)
    best[b] = 2.275 / 15.0;
    return continuous(
        name, 20, 0.0, 1.0, [a, b](const Eigen::MatrixXd& x) { return neg_branin(x, a, b); },
        -0.397887357729738, best, o);
  }
  if (name == "tfbind8") return tfbind8(o);
  std::string known;
  for (const auto& n : synthetic_task_names()) known += (known.empty() ? "" : ", ") + n;
  throw InvalidOption("task", "unknown task '" + name + "' (known: " + known + ")");
}

}  // namespace descent::offline
