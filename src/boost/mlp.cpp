// One-hidden-layer perceptrons: forward pass, closed-form gradients, L-BFGS and Adam fits.
#include "descent/boost/mlp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/core/error.hpp"

namespace descent::boost {

std::string_view to_string(Activation a) noexcept {
  switch (a) {
    case Activation::identity:
      return "identity";
    case Activation::logistic:
      return "logistic";
    case Activation::tanh:
      return "tanh";
    case Activation::relu:
      return "relu";
  }
  return "?";
}

Activation activation_from_string(std::string_view name) {
  for (Activation a :
       {Activation::identity, Activation::logistic, Activation::tanh, Activation::relu})
    if (name == to_string(a)) return a;
  throw InvalidOption("activation",
                      "unknown '" + std::string(name) + "' (identity, logistic, tanh, relu)");
}

namespace {

void activate(Activation a, Eigen::MatrixXd& z) {
  switch (a) {
    case Activation::identity:
      break;
    case Activation::logistic:
      z = (1.0 / (1.0 + (-z.array()).exp())).matrix();
      break;
    case Activation::tanh:
      z = z.array().tanh().matrix();
      break;
    case Activation::relu:
      z = z.cwiseMax(0.0);
      break;
  }
}

// d act / dz expressed through the activation value a = act(z), multiplied into `delta`.
void multiply_derivative(Activation act, const Eigen::MatrixXd& a, Eigen::MatrixXd& delta) {
  switch (act) {
    case Activation::identity:
      break;
    case Activation::logistic:
      delta.array() *= a.array() * (1.0 - a.array());
      break;
    case Activation::tanh:
      delta.array() *= 1.0 - a.array().square();
      break;
    case Activation::relu:
      delta.array() *= (a.array() > 0.0).cast<double>();
      break;
  }
}

void check_columns(const Mlp& m, const Eigen::MatrixXd& x) {
  if (x.cols() != m.inputs())
    throw Error("Mlp: expected " + std::to_string(m.inputs()) + " input columns, got " +
                std::to_string(x.cols()));
}

// Gradients of a loss whose output delta is `e` (n × K, already divided by the batch size),
// with the L2 term alpha/(2·scale)·(‖W1‖² + ‖W2‖²); written into `g` in pack() layout.
void backward(const Mlp& m, const Eigen::MatrixXd& x, const Eigen::MatrixXd& a,
              const Eigen::MatrixXd& e, double l2, Eigen::VectorXd& g) {
  const Eigen::Index h = m.hidden(), d = m.inputs(), k = m.outputs();
  g.resize(m.parameter_count());
  Eigen::Index at = 0;
  Eigen::MatrixXd delta = e * m.w2;  // n × H
  multiply_derivative(m.activation, a, delta);
  Eigen::Map<Eigen::MatrixXd>(g.data() + at, h, d) = delta.transpose() * x + l2 * m.w1;
  at += h * d;
  g.segment(at, h) = delta.colwise().sum().transpose();
  at += h;
  Eigen::Map<Eigen::MatrixXd>(g.data() + at, k, h) = e.transpose() * a + l2 * m.w2;
  at += k * h;
  g.segment(at, k) = e.colwise().sum().transpose();
}

}  // namespace

Eigen::MatrixXd Mlp::hidden_layer(const Eigen::MatrixXd& x) const {
  check_columns(*this, x);
  Eigen::MatrixXd z = x * w1.transpose();
  z.rowwise() += b1.transpose();
  activate(activation, z);
  return z;
}

Eigen::MatrixXd Mlp::predict(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd out = hidden_layer(x) * w2.transpose();
  out.rowwise() += b2.transpose();
  return out;
}

Eigen::VectorXd Mlp::pack() const {
  Eigen::VectorXd p(parameter_count());
  p << Eigen::Map<const Eigen::VectorXd>(w1.data(), w1.size()), b1,
      Eigen::Map<const Eigen::VectorXd>(w2.data(), w2.size()), b2;
  return p;
}

void Mlp::unpack(const Eigen::VectorXd& p) {
  if (p.size() != parameter_count())
    throw Error("Mlp::unpack: expected " + std::to_string(parameter_count()) + " parameters, got " +
                std::to_string(p.size()));
  Eigen::Index at = 0;
  w1 = Eigen::Map<const Eigen::MatrixXd>(p.data(), w1.rows(), w1.cols());
  at += w1.size();
  b1 = p.segment(at, b1.size());
  at += b1.size();
  w2 = Eigen::Map<const Eigen::MatrixXd>(p.data() + at, w2.rows(), w2.cols());
  at += w2.size();
  b2 = p.segment(at, b2.size());
}

Mlp glorot_mlp(Eigen::Index inputs, Eigen::Index hidden, Eigen::Index outputs,
               Activation activation, Rng& rng) {
  if (inputs < 1 || hidden < 1 || outputs < 1)
    throw Error("glorot_mlp: inputs, hidden and outputs must be >= 1");
  const double c = activation == Activation::logistic ? 2.0 : 6.0;
  Mlp m;
  m.activation = activation;
  const double b1 = std::sqrt(c / double(inputs + hidden));
  m.w1 = uniform_matrix(rng, hidden, inputs, -b1, b1);
  m.b1 = uniform_vector(rng, hidden, -b1, b1);
  const double b2 = std::sqrt(c / double(hidden + outputs));
  m.w2 = uniform_matrix(rng, outputs, hidden, -b2, b2);
  m.b2 = uniform_vector(rng, outputs, -b2, b2);
  return m;
}

double squared_objective(const Mlp& shape, const Eigen::VectorXd& params, const Eigen::MatrixXd& x,
                         const Eigen::MatrixXd& y, double alpha, Eigen::VectorXd* gradient) {
  Mlp m = shape;
  m.unpack(params);
  if (y.rows() != x.rows() || y.cols() != m.outputs())
    throw Error("squared_objective: targets must be " + std::to_string(x.rows()) + " × " +
                std::to_string(m.outputs()));
  const double n = double(x.rows());
  const Eigen::MatrixXd a = m.hidden_layer(x);
  Eigen::MatrixXd e = a * m.w2.transpose();
  e.rowwise() += m.b2.transpose();
  e -= y;
  const double value =
      0.5 * e.squaredNorm() / n + 0.5 * alpha * (m.w1.squaredNorm() + m.w2.squaredNorm()) / n;
  if (gradient != nullptr) {
    e /= n;
    backward(m, x, a, e, alpha / n, *gradient);
  }
  return value;
}

LbfgsResult fit_squared_lbfgs(Mlp& m, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                              const LbfgsFitOptions& o) {
  if (!(o.alpha >= 0.0) || !std::isfinite(o.alpha)) throw InvalidOption("alpha", "must be >= 0");
  if (!(o.tol >= 0.0) || !std::isfinite(o.tol)) throw InvalidOption("tol", "must be >= 0");
  if (x.rows() < 1) throw Error("fit_squared_lbfgs: no rows");
  check_columns(m, x);
  LbfgsOptions lo;
  lo.max_iterations = o.max_iter;
  lo.max_evaluations = o.max_fun;
  lo.gradient_tolerance = o.tol;
  Eigen::VectorXd p = m.pack();
  const Mlp shape = m;
  const LbfgsResult r = lbfgs_minimize(
      [&](const Eigen::VectorXd& q, Eigen::VectorXd& g) {
        return squared_objective(shape, q, x, y, o.alpha, &g);
      },
      p, lo);
  m.unpack(p);
  return r;
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
  Eigen::MatrixXd p = logits.colwise() - logits.rowwise().maxCoeff();
  p = p.array().exp().matrix();
  p.array().colwise() /= p.rowwise().sum().array();
  return p;
}

AdamFit fit_adam(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, OutputLoss loss,
                 const AdamFitOptions& o) {
  if (o.hidden < 1) throw InvalidOption("hidden", "must be >= 1");
  if (o.batch_size < 1) throw InvalidOption("batch_size", "must be >= 1");
  if (!(o.learning_rate > 0.0) || !std::isfinite(o.learning_rate))
    throw InvalidOption("learning_rate", "must be > 0");
  if (o.max_iter < 1) throw InvalidOption("max_iter", "must be >= 1");
  if (o.n_iter_no_change < 1) throw InvalidOption("n_iter_no_change", "must be >= 1");
  if (!(o.alpha >= 0.0) || !std::isfinite(o.alpha)) throw InvalidOption("alpha", "must be >= 0");
  if (x.rows() < 1 || y.rows() != x.rows() || y.cols() < 1)
    throw Error("fit_adam: x and y need the same (non-zero) number of rows");
  Rng rng = make_rng(o.seed, {0xada3});
  AdamFit fit;
  fit.model = glorot_mlp(x.cols(), o.hidden, y.cols(), o.activation, rng);
  Mlp& m = fit.model;
  const Eigen::Index n = x.rows(), batch = std::min<Eigen::Index>(o.batch_size, n);
  Eigen::VectorXd p = m.pack(), g, mom = Eigen::VectorXd::Zero(p.size()),
                  vel = Eigen::VectorXd::Zero(p.size());
  double best = std::numeric_limits<double>::infinity();
  int no_improvement = 0;
  long step = 0;
  Eigen::MatrixXd xb, yb;
  for (int epoch = 0; epoch < o.max_iter; ++epoch) {
    const std::vector<Eigen::Index> order = permutation(rng, n);
    double total = 0.0;
    for (Eigen::Index start = 0; start < n; start += batch) {
      const Eigen::Index b = std::min(batch, n - start);
      xb.resize(b, x.cols());
      yb.resize(b, y.cols());
      for (Eigen::Index i = 0; i < b; ++i) {
        xb.row(i) = x.row(order[static_cast<std::size_t>(start + i)]);
        yb.row(i) = y.row(order[static_cast<std::size_t>(start + i)]);
      }
      m.unpack(p);
      const Eigen::MatrixXd a = m.hidden_layer(xb);
      Eigen::MatrixXd out = a * m.w2.transpose();
      out.rowwise() += m.b2.transpose();
      double value = 0.0;
      if (loss == OutputLoss::squared) {
        out -= yb;
        value = 0.5 * out.squaredNorm() / double(b);
      } else {
        out = softmax_rows(out);
        value = -(yb.array() * out.array().max(1e-300).log()).sum() / double(b);
        out -= yb;
      }
      value += 0.5 * o.alpha * (m.w1.squaredNorm() + m.w2.squaredNorm()) / double(b);
      total += value * double(b);
      out /= double(b);
      backward(m, xb, a, out, o.alpha / double(b), g);
      ++step;
      mom = o.beta1 * mom + (1.0 - o.beta1) * g;
      vel = o.beta2 * vel + (1.0 - o.beta2) * g.cwiseAbs2();
      // sklearn's bias-corrected step size on the raw moments.
      const double lr = o.learning_rate * std::sqrt(1.0 - std::pow(o.beta2, double(step))) /
                        (1.0 - std::pow(o.beta1, double(step)));
      p.array() -= lr * mom.array() / (vel.array().sqrt() + o.epsilon);
    }
    fit.epochs = epoch + 1;
    fit.loss = total / double(n);
    if (!std::isfinite(fit.loss)) break;
    // sklearn: count epochs whose loss is not below best − tol; stop after n_iter_no_change.
    if (fit.loss > best - o.tol)
      ++no_improvement;
    else
      no_improvement = 0;
    best = std::min(best, fit.loss);
    if (no_improvement > o.n_iter_no_change) break;
  }
  m.unpack(p);
  return fit;
}

}  // namespace descent::boost
