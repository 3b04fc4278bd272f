#include "descent/surrogate/model.hpp"

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::surrogate {

Eigen::MatrixXd gather_rows(const Eigen::MatrixXd& x, std::span<const Eigen::Index> batch) {
  Eigen::MatrixXd out(static_cast<Eigen::Index>(batch.size()), x.cols());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i] < 0 || batch[i] >= x.rows())
      throw Error("batch index " + std::to_string(batch[i]) + " out of range [0, " +
                  std::to_string(x.rows()) + ")");
    out.row(static_cast<Eigen::Index>(i)) = x.row(batch[i]);
  }
  return out;
}

namespace {
void check_theta(const TargetModel& m, const Eigen::VectorXd& theta) {
  if (theta.size() != m.parameters())
    throw Error(m.name() + ": theta has " + std::to_string(theta.size()) + " entries, expected " +
                std::to_string(m.parameters()));
}
}  // namespace

// ----- linear -----------------------------------------------------------------------------------

LinearModel::LinearModel(std::shared_ptr<const Eigen::MatrixXd> x, Eigen::Index outputs)
    : x_(std::move(x)), k_(outputs) {
  if (!x_ || x_->size() == 0) throw Error("LinearModel: empty feature matrix");
  if (k_ < 1) throw Error("LinearModel: outputs must be >= 1");
}

Eigen::VectorXd LinearModel::initial_parameters(std::uint64_t) const {
  return Eigen::VectorXd::Zero(parameters());
}

void LinearModel::forward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                          Eigen::MatrixXd& z, ForwardState* state) const {
  check_theta(*this, theta);
  const Eigen::Map<const Eigen::MatrixXd> w(theta.data(), x_->cols(), k_);
  Eigen::MatrixXd xs = gather_rows(*x_, batch);
  z.noalias() = xs * w;
  if (state) state->hidden = std::move(xs);  // keep the rows for backward()
}

void LinearModel::backward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                           const ForwardState& state, const Eigen::MatrixXd& w,
                           Eigen::VectorXd& grad) const {
  check_theta(*this, theta);
  const Eigen::MatrixXd& xs =
      state.hidden.rows() == Eigen::Index(batch.size()) ? state.hidden : gather_rows(*x_, batch);
  grad.resize(parameters());
  Eigen::Map<Eigen::MatrixXd> gw(grad.data(), x_->cols(), k_);
  gw.noalias() = xs.transpose() * w;
}

// ----- MLP --------------------------------------------------------------------------------------

MlpModel::MlpModel(std::shared_ptr<const Eigen::MatrixXd> x, Eigen::Index hidden,
                   Eigen::Index outputs, Activation activation)
    : x_(std::move(x)), h_(hidden), k_(outputs), act_(activation) {
  if (!x_ || x_->size() == 0) throw Error("MlpModel: empty feature matrix");
  if (h_ < 1 || k_ < 1) throw Error("MlpModel: hidden and outputs must be >= 1");
}

std::string MlpModel::name() const {
  return "mlp-" + std::to_string(x_->cols()) + "-" + std::to_string(h_) + "-" + std::to_string(k_) +
         (act_ == Activation::relu ? "-relu" : "-tanh");
}

Eigen::Index MlpModel::parameters() const {
  return h_ * x_->cols() + h_ + k_ * h_ + k_;
}

Eigen::VectorXd MlpModel::initial_parameters(std::uint64_t seed) const {
  Rng rng = make_rng(seed, {0x317});
  const Eigen::Index d = x_->cols();
  Eigen::VectorXd theta(parameters());
  const double a1 = 1.0 / std::sqrt(double(d)), a2 = 1.0 / std::sqrt(double(h_));
  theta.head(h_ * d + h_) = uniform_vector(rng, h_ * d + h_, -a1, a1);
  theta.tail(k_ * h_ + k_) = uniform_vector(rng, k_ * h_ + k_, -a2, a2);
  return theta;
}

void MlpModel::forward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                       Eigen::MatrixXd& z, ForwardState* state) const {
  check_theta(*this, theta);
  const Eigen::Index d = x_->cols();
  const Eigen::Map<const Eigen::MatrixXd> w1(theta.data(), h_, d);
  const Eigen::Map<const Eigen::VectorXd> b1(theta.data() + h_ * d, h_);
  const Eigen::Map<const Eigen::MatrixXd> w2(theta.data() + h_ * d + h_, k_, h_);
  const Eigen::Map<const Eigen::VectorXd> b2(theta.data() + h_ * d + h_ + k_ * h_, k_);
  const Eigen::MatrixXd xs = gather_rows(*x_, batch);
  Eigen::MatrixXd pre = xs * w1.transpose();
  pre.rowwise() += b1.transpose();
  Eigen::MatrixXd hid = act_ == Activation::relu ? Eigen::MatrixXd(pre.cwiseMax(0.0))
                                                 : Eigen::MatrixXd(pre.array().tanh());
  z.noalias() = hid * w2.transpose();
  z.rowwise() += b2.transpose();
  if (state) {
    state->pre = std::move(pre);
    state->hidden = std::move(hid);
  }
}

void MlpModel::backward(const Eigen::VectorXd& theta, std::span<const Eigen::Index> batch,
                        const ForwardState& state, const Eigen::MatrixXd& w,
                        Eigen::VectorXd& grad) const {
  check_theta(*this, theta);
  if (state.pre.rows() != Eigen::Index(batch.size()))
    throw Error(name() + "::backward: call forward() with a state for this batch first");
  const Eigen::Index d = x_->cols();
  const Eigen::Map<const Eigen::MatrixXd> w2(theta.data() + h_ * d + h_, k_, h_);
  grad.resize(parameters());
  Eigen::Map<Eigen::MatrixXd> gw1(grad.data(), h_, d);
  Eigen::Map<Eigen::VectorXd> gb1(grad.data() + h_ * d, h_);
  Eigen::Map<Eigen::MatrixXd> gw2(grad.data() + h_ * d + h_, k_, h_);
  Eigen::Map<Eigen::VectorXd> gb2(grad.data() + h_ * d + h_ + k_ * h_, k_);
  gw2.noalias() = w.transpose() * state.hidden;
  gb2 = w.colwise().sum().transpose();
  Eigen::MatrixXd dpre = w * w2;  // ∂/∂hidden
  if (act_ == Activation::relu)
    dpre = (state.pre.array() > 0.0).select(dpre, 0.0);
  else
    dpre.array() *= 1.0 - state.hidden.array().square();
  const Eigen::MatrixXd xs = gather_rows(*x_, batch);
  gw1.noalias() = dpre.transpose() * xs;
  gb1 = dpre.colwise().sum().transpose();
}

}  // namespace descent::surrogate
