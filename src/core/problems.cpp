#include "descent/core/problems.hpp"

#include <cmath>
#include <numbers>

#include <Eigen/Cholesky>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"
#include "descent/core/rng.hpp"

namespace descent {

namespace {

using Eigen::Index;
using Eigen::VectorXd;
constexpr double pi = std::numbers::pi;

// A problem defined by small lambdas keeps each function's math in one readable place.
template <class Value, class Grad>
class LambdaProblem final : public TestProblem {
 public:
  LambdaProblem(std::string name, Index n, Value value, Grad grad, VectorXd x0, VectorXd xstar,
                double fstar)
      : name_(std::move(name)),
        n_(n),
        value_(value),
        grad_(grad),
        x0_(std::move(x0)),
        xstar_(std::move(xstar)),
        fstar_(fstar) {}
  std::string name() const override { return name_; }
  Index dimension() const override { return n_; }
  double value(const VectorXd& x) const override { return value_(x); }
  void gradient(const VectorXd& x, VectorXd& g) const override {
    g.resize(n_);
    grad_(x, g);
  }
  VectorXd initial_point() const override { return x0_; }
  VectorXd optimum() const override { return xstar_; }
  double optimal_value() const override { return fstar_; }

 private:
  std::string name_;
  Index n_;
  Value value_;
  Grad grad_;
  VectorXd x0_, xstar_;
  double fstar_;
};

template <class Value, class Grad>
std::unique_ptr<TestProblem> make(std::string name, Index n, Value v, Grad g, VectorXd x0,
                                  VectorXd xstar, double fstar) {
  return std::make_unique<LambdaProblem<Value, Grad>>(std::move(name), n, v, g, std::move(x0),
                                                      std::move(xstar), fstar);
}

VectorXd vec2(double a, double b) {
  VectorXd v(2);
  v << a, b;
  return v;
}

void require_dimension(const char* name, Index n, Index min) {
  if (n < min)
    throw InvalidOption("n", std::string(name) + " needs dimension >= " + std::to_string(min) +
                                 ", got " + std::to_string(n));
}

// ---------------------------------------------------------------- logistic regression

class LogisticRegression final : public TestProblem {
 public:
  LogisticRegression(Index samples, Index features, double lambda, std::uint64_t seed)
      : lambda_(lambda) {
    if (samples < 2) throw InvalidOption("samples", "must be >= 2");
    if (features < 1) throw InvalidOption("features", "must be >= 1");
    if (!(lambda > 0)) throw InvalidOption("lambda", "must be > 0 (keeps the optimum unique)");
    Rng rng = make_rng(seed, {0x10615});
    X_ = normal_matrix(rng, samples, features);
    const VectorXd w_true = normal_vector(rng, features);
    y_.resize(samples);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (Index i = 0; i < samples; ++i) {
      const double p = 1.0 / (1.0 + std::exp(-X_.row(i).dot(w_true)));
      y_[i] = u(rng) < p ? 1.0 : 0.0;  // labels drawn from the model: not separable
    }
    // The optimum to machine precision by Newton's method (strongly convex, so it converges).
    xstar_ = VectorXd::Zero(features);
    VectorXd g;
    for (int it = 0; it < 100; ++it) {
      gradient(xstar_, g);
      if (g.norm() < 1e-15) break;
      const VectorXd p = sigmoid(X_ * xstar_);
      const VectorXd w = (p.array() * (1.0 - p.array())).matrix() / double(samples);
      Eigen::MatrixXd H = X_.transpose() * w.asDiagonal() * X_;
      H.diagonal().array() += lambda_;
      xstar_ -= H.ldlt().solve(g);
    }
    fstar_ = value(xstar_);
  }
  std::string name() const override { return "logistic"; }
  Index dimension() const override { return X_.cols(); }
  double value(const VectorXd& w) const override {
    const VectorXd z = X_ * w;
    double loss = 0;
    // log(1 + e^z) - y z, computed without overflow.
    for (Index i = 0; i < z.size(); ++i)
      loss += std::max(z[i], 0.0) + std::log1p(std::exp(-std::abs(z[i]))) - y_[i] * z[i];
    return loss / double(z.size()) + 0.5 * lambda_ * w.squaredNorm();
  }
  void gradient(const VectorXd& w, VectorXd& g) const override {
    g = X_.transpose() * (sigmoid(X_ * w) - y_) / double(X_.rows()) + lambda_ * w;
  }
  VectorXd initial_point() const override { return VectorXd::Zero(X_.cols()); }
  VectorXd optimum() const override { return xstar_; }
  double optimal_value() const override { return fstar_; }

 private:
  static VectorXd sigmoid(const VectorXd& z) {
    return z.unaryExpr([](double t) { return descent::sigmoid(t); });
  }
  Eigen::MatrixXd X_;
  VectorXd y_;
  double lambda_;
  VectorXd xstar_;
  double fstar_ = 0;
};

}  // namespace

std::unique_ptr<TestProblem> make_sphere(Index n) {
  require_dimension("sphere", n, 1);
  return make(
      "sphere", n, [](const VectorXd& x) { return x.squaredNorm(); },
      [](const VectorXd& x, VectorXd& g) { g = 2.0 * x; }, VectorXd::Constant(n, 3.0),
      VectorXd::Zero(n), 0.0);
}

std::unique_ptr<TestProblem> make_rosenbrock(Index n) {
  require_dimension("rosenbrock", n, 2);
  VectorXd x0(n);
  for (Index i = 0; i < n; ++i) x0[i] = (i % 2 == 0) ? -1.2 : 1.0;
  auto value = [](const VectorXd& x) {
    double f = 0;
    for (Index i = 0; i + 1 < x.size(); ++i)
      f += 100.0 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1.0 - x[i], 2);
    return f;
  };
  auto grad = [](const VectorXd& x, VectorXd& g) {
    g.setZero();
    for (Index i = 0; i + 1 < x.size(); ++i) {
      const double r = x[i + 1] - x[i] * x[i];
      g[i] += -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
      g[i + 1] += 200.0 * r;
    }
  };
  return make("rosenbrock", n, value, grad, x0, VectorXd::Ones(n), 0.0);
}

std::unique_ptr<TestProblem> make_booth() {
  return make(
      "booth", 2,
      [](const VectorXd& x) {
        return std::pow(x[0] + 2 * x[1] - 7, 2) + std::pow(2 * x[0] + x[1] - 5, 2);
      },
      [](const VectorXd& x, VectorXd& g) {
        const double a = x[0] + 2 * x[1] - 7, b = 2 * x[0] + x[1] - 5;
        g << 2 * a + 4 * b, 4 * a + 2 * b;
      },
      vec2(-5, 5), vec2(1, 3), 0.0);
}

std::unique_ptr<TestProblem> make_matyas() {
  return make(
      "matyas", 2,
      [](const VectorXd& x) { return 0.26 * (x[0] * x[0] + x[1] * x[1]) - 0.48 * x[0] * x[1]; },
      [](const VectorXd& x, VectorXd& g) {
        g << 0.52 * x[0] - 0.48 * x[1], 0.52 * x[1] - 0.48 * x[0];
      },
      vec2(5, -3), vec2(0, 0), 0.0);
}

std::unique_ptr<TestProblem> make_mccormick() {
  // Stationarity gives cos(x+y) = -1/2 and x - y = 1, so the minimiser is in closed form.
  const double x = 0.5 * (1.0 - 2.0 * pi / 3.0), y = x - 1.0;
  const double fstar = -std::sqrt(3.0) / 2.0 - 0.5 + x;
  return make(
      "mccormick", 2,
      [](const VectorXd& v) {
        return std::sin(v[0] + v[1]) + std::pow(v[0] - v[1], 2) - 1.5 * v[0] + 2.5 * v[1] + 1;
      },
      [](const VectorXd& v, VectorXd& g) {
        const double c = std::cos(v[0] + v[1]), d = 2 * (v[0] - v[1]);
        g << c + d - 1.5, c - d + 2.5;
      },
      vec2(0, 0), vec2(x, y), fstar);
}

std::unique_ptr<TestProblem> make_styblinski_tang(Index n) {
  require_dimension("styblinski-tang", n, 1);
  // The 1-D minimiser solves 4t^3 - 32t + 5 = 0 near -2.9035; refine it by Newton's method.
  double t = -2.9;
  for (int i = 0; i < 50; ++i) t -= (4 * t * t * t - 32 * t + 5) / (12 * t * t - 32);
  const double f1 = 0.5 * (t * t * t * t - 16 * t * t + 5 * t);
  return make(
      "styblinski-tang", n,
      [](const VectorXd& x) {
        return 0.5 * (x.array().pow(4) - 16 * x.array().square() + 5 * x.array()).sum();
      },
      [](const VectorXd& x, VectorXd& g) {
        g = (2 * x.array().cube() - 16 * x.array() + 2.5).matrix();
      },
      VectorXd::Zero(n), VectorXd::Constant(n, t), f1 * double(n));
}

std::unique_ptr<TestProblem> make_rastrigin(Index n) {
  require_dimension("rastrigin", n, 1);
  VectorXd x0(n);
  for (Index i = 0; i < n; ++i) x0[i] = (i % 2 == 0) ? 0.4 : -0.3;  // inside the global basin
  return make(
      "rastrigin", n,
      [](const VectorXd& x) {
        return 10.0 * double(x.size()) +
               (x.array().square() - 10 * (2 * pi * x.array()).cos()).sum();
      },
      [](const VectorXd& x, VectorXd& g) {
        g = (2 * x.array() + 20 * pi * (2 * pi * x.array()).sin()).matrix();
      },
      x0, VectorXd::Zero(n), 0.0);
}

std::unique_ptr<TestProblem> make_ackley() {
  return make(
      "ackley", 2,
      [](const VectorXd& x) {
        const double r = std::sqrt(0.5 * x.squaredNorm());
        const double c = 0.5 * (std::cos(2 * pi * x[0]) + std::cos(2 * pi * x[1]));
        return -20 * std::exp(-0.2 * r) - std::exp(c) + std::numbers::e + 20;
      },
      [](const VectorXd& x, VectorXd& g) {
        const double r = std::sqrt(0.5 * x.squaredNorm());
        const double c = 0.5 * (std::cos(2 * pi * x[0]) + std::cos(2 * pi * x[1]));
        // d/dx of -20 e^{-0.2 r} is 2 e^{-0.2 r} x / r; the function is not differentiable at 0,
        // where we return the (sub)gradient 0.
        const double a = r > 0 ? 2.0 * std::exp(-0.2 * r) / r : 0.0;
        for (Index i = 0; i < 2; ++i) g[i] = a * x[i] + std::exp(c) * pi * std::sin(2 * pi * x[i]);
      },
      vec2(0.3, -0.2), vec2(0, 0), 0.0);
}

std::unique_ptr<TestProblem> make_beale() {
  return make(
      "beale", 2,
      [](const VectorXd& v) {
        const double x = v[0], y = v[1];
        return std::pow(1.5 - x + x * y, 2) + std::pow(2.25 - x + x * y * y, 2) +
               std::pow(2.625 - x + x * y * y * y, 2);
      },
      [](const VectorXd& v, VectorXd& g) {
        const double x = v[0], y = v[1];
        const double a = 1.5 - x + x * y, b = 2.25 - x + x * y * y, c = 2.625 - x + x * y * y * y;
        g << 2 * a * (y - 1) + 2 * b * (y * y - 1) + 2 * c * (y * y * y - 1),
            2 * a * x + 2 * b * 2 * x * y + 2 * c * 3 * x * y * y;
      },
      vec2(1, 1), vec2(3, 0.5), 0.0);
}

std::unique_ptr<TestProblem> make_logistic_regression(Index samples, Index features, double lambda,
                                                      std::uint64_t seed) {
  return std::make_unique<LogisticRegression>(samples, features, lambda, seed);
}

std::vector<std::string> problem_names() {
  return {"sphere",          "rosenbrock", "booth",  "matyas", "mccormick",
          "styblinski-tang", "rastrigin",  "ackley", "beale",  "logistic"};
}

std::unique_ptr<TestProblem> make_problem(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  Index n = -1;
  if (colon != std::string::npos) {
    const std::string arg = spec.substr(colon + 1);
    if (arg.rfind("n=", 0) != 0) throw Error("problem '" + spec + "': expected NAME:n=DIM");
    try {
      std::size_t used = 0;
      n = std::stol(arg.substr(2), &used);
      if (used != arg.size() - 2) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw Error("problem '" + spec + "': n must be an integer");
    }
    // A given n is used as given: n <= 0 used to fall back to the default silently, and a huge
    // n ended in std::bad_alloc.
    if (n < 1) throw Error("problem '" + spec + "': n must be >= 1");
    constexpr Index kMaxDimension = 100'000'000;  // a few vectors of 800 MB each
    if (n > kMaxDimension)
      throw Error("problem '" + spec + "': n = " + std::to_string(n) + " is above " +
                  std::to_string(kMaxDimension) + " (each vector would need " +
                  std::to_string(n / 125'000'000) + " GB)");
  }
  auto dim = [&](Index def) { return n < 0 ? def : n; };
  auto fixed = [&](std::unique_ptr<TestProblem> p) {
    if (n >= 0 && n != p->dimension())
      throw Error("problem '" + name + "' has fixed dimension " + std::to_string(p->dimension()));
    return p;
  };
  if (name == "sphere") return make_sphere(dim(10));
  if (name == "rosenbrock") return make_rosenbrock(dim(2));
  if (name == "styblinski-tang") return make_styblinski_tang(dim(2));
  if (name == "rastrigin") return make_rastrigin(dim(2));
  if (name == "logistic") return make_logistic_regression(200, dim(5));
  if (name == "booth") return fixed(make_booth());
  if (name == "matyas") return fixed(make_matyas());
  if (name == "mccormick") return fixed(make_mccormick());
  if (name == "ackley") return fixed(make_ackley());
  if (name == "beale") return fixed(make_beale());
  std::string known;
  for (const auto& p : problem_names()) known += (known.empty() ? "" : ", ") + p;
  throw Error("unknown problem '" + name + "' (known: " + known + ")");
}

}  // namespace descent
