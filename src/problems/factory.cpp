#include "descent/problems/factory.hpp"

#include <charconv>
#include <cmath>
#include <map>

#include <Eigen/Dense>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/problems/logsumexp.hpp"
#include "descent/problems/nonlinear_equations.hpp"
#include "descent/problems/regression.hpp"

namespace descent::problems {
namespace {

struct Spec {
  std::string name;
  std::string file;  // the one item without '=' (logreg / softmax)
  std::map<std::string, std::string> keys;
};

Spec parse(const std::string& text) {
  Spec s;
  const auto colon = text.find(':');
  s.name = text.substr(0, colon);
  if (colon == std::string::npos) return s;
  std::string rest = text.substr(colon + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    const auto comma = rest.find(',', start);
    const std::string item =
        rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) {
      const auto eq = item.find('=');
      if (eq == std::string::npos) {
        if (!s.file.empty())
          throw Error("problem spec '" + text + "': more than one item without '='");
        s.file = item;
      } else {
        s.keys[item.substr(0, eq)] = item.substr(eq + 1);
      }
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return s;
}

double number(Spec& s, const std::string& key, double fallback) {
  const auto it = s.keys.find(key);
  if (it == s.keys.end()) return fallback;
  const std::string v = it->second;
  s.keys.erase(it);
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d))
    throw Error("problem spec: '" + key + "=" + v + "' is not a number");
  return d;
}

Eigen::Index count(Spec& s, const std::string& key, Eigen::Index fallback) {
  const double d = number(s, key, double(fallback));
  if (d < 1 || d != std::floor(d))
    throw Error("problem spec: '" + key + "' must be a positive integer");
  return static_cast<Eigen::Index>(d);
}

void finish(const Spec& s) {
  if (!s.keys.empty())
    throw Error("problem spec '" + s.name + "': unknown key '" + s.keys.begin()->first + "'");
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::vector<std::string> instance_names() {
  return {"logsumexp", "nle", "chebyshev", "rosenbrock", "logreg", "softmax"};
}

Instance make_instance(const std::string& text, std::uint64_t seed) {
  Spec s = parse(text);
  Instance in;
  in.name = s.name;
  if (s.name != "logreg" && s.name != "softmax" && !s.file.empty())
    throw Error("problem spec '" + text + "': unexpected item '" + s.file + "'");

  if (s.name == "logsumexp") {
    const Eigen::Index n = count(s, "n", 500), m = count(s, "m", 500);
    const double mu = number(s, "mu", 1.0);
    finish(s);
    Eigen::MatrixXd original;
    auto f = std::make_shared<LogSumExp>(make_random_logsumexp(m, n, mu, seed, &original));
    in.x0 = Eigen::VectorXd::Ones(n);
    in.metric = original.transpose() * original;
    in.optimal_value = f->value(Eigen::VectorXd::Zero(n));
    in.optimum = Eigen::VectorXd::Zero(n);
    in.default_approximation = HessianApproximation::weighted_gauss_newton;
    in.description = "LogSumExp (m = " + std::to_string(m) + ", n = " + std::to_string(n) +
                     ", mu = " + fmt(mu) + ", zero optimum)";
    in.oracle = f;
  } else if (s.name == "nle") {
    const double p = number(s, "p", 4.0);
    const Eigen::Index m = count(s, "m", 100), n = count(s, "n", 200);
    finish(s);
    auto f = std::make_shared<NonlinearEquations>(make_linear_equations(m, n, p, seed));
    const auto& lin = static_cast<const LinearResidual&>(f->residual());
    in.x0 = Eigen::VectorXd::Ones(n);
    in.metric = lin.matrix().transpose() * lin.matrix();
    in.metric.diagonal().array() += 1e-8;
    // The least-squares solution minimises ||Ax − b||^p for every p.
    const Eigen::VectorXd xs = lin.matrix().completeOrthogonalDecomposition().solve(lin.rhs());
    in.optimum = xs;
    in.optimal_value = m < n ? 0.0 : f->value(xs);
    in.default_approximation = HessianApproximation::fisher;
    in.description = "linear equations, p = " + fmt(p) + " (" + std::to_string(m) + " x " +
                     std::to_string(n) + ")";
    in.oracle = f;
  } else if (s.name == "chebyshev") {
    const Eigen::Index n = count(s, "n", 1000);
    const double p = number(s, "p", 4.0);
    finish(s);
    in.oracle = std::make_shared<NonlinearEquations>(make_chebyshev(n, p));
    Rng rng = make_rng(seed, {0xcb5});
    in.x0 = uniform_vector(rng, n, 0.0, 1.0);
    in.optimum = Eigen::VectorXd::Ones(n);
    in.optimal_value = 0.0;
    in.default_approximation = HessianApproximation::gauss_newton_fisher;
    in.description = "Chebyshev chain, n = " + std::to_string(n) + ", p = " + fmt(p);
  } else if (s.name == "rosenbrock") {
    const double p = number(s, "p", 4.0);
    finish(s);
    in.oracle = std::make_shared<NonlinearEquations>(make_rosenbrock_equations(p));
    in.x0 = Eigen::Vector2d(-2.0, 2.0);
    in.optimum = Eigen::Vector2d(1.0, 1.0);
    in.optimal_value = 0.0;
    in.default_approximation = HessianApproximation::gauss_newton_fisher;
    in.description = "Rosenbrock equations, p = " + fmt(p);
  } else if (s.name == "logreg" || s.name == "softmax") {
    if (s.file.empty())
      throw Error("problem spec '" + text + "': give a data set, e.g. " + s.name +
                  ":breast-cancer");
    const bool logistic = s.name == "logreg";
    const double reg = number(s, "reg", logistic ? 1e-4 : 1e-3);
    finish(s);
    ClassificationData d = load_classification(s.file);
    if (logistic && d.classes != 2)
      throw Error(s.file + " has " + std::to_string(d.classes) +
                  " classes; logreg needs 2 (use softmax)");
    const Eigen::Index rows = d.design.rows(), cols = d.design.cols();
    if (logistic) {
      in.oracle = std::make_shared<LogisticRegression>(std::move(d.design), d.labels, reg);
      in.x0 = Eigen::VectorXd::Zero(cols);
    } else {
      in.oracle =
          std::make_shared<SoftmaxRegression>(std::move(d.design), d.labels, d.classes, reg);
      in.x0 = Eigen::VectorXd::Zero(cols * d.classes);
    }
    in.default_approximation = HessianApproximation::weighted_gauss_newton;
    in.description = std::string(logistic ? "logistic" : "softmax") + " regression on " + s.file +
                     " (" + std::to_string(rows) + " x " + std::to_string(cols - 1) +
                     " + intercept, " + std::to_string(d.classes) + " classes, reg = " + fmt(reg) +
                     ")";
  } else {
    throw Error("unknown problem '" + s.name +
                "' (expected logsumexp, nle, chebyshev, rosenbrock, logreg:FILE or softmax:FILE)");
  }
  return in;
}

}  // namespace descent::problems
