#include "descent/surrogate/loss.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"

namespace descent::surrogate {
namespace {

void check_shape(const TargetLoss& l, const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch,
                 Eigen::Index n) {
  if (z.rows() != Eigen::Index(batch.size()) || z.cols() != l.outputs())
    throw Error(l.name() + " loss: targets are " + std::to_string(z.rows()) + " x " +
                std::to_string(z.cols()) + ", expected " + std::to_string(batch.size()) + " x " +
                std::to_string(l.outputs()));
  for (auto i : batch)
    if (i < 0 || i >= n)
      throw Error(l.name() + " loss: batch index " + std::to_string(i) + " out of range");
  if (batch.empty()) throw Error(l.name() + " loss: empty batch");
}

}  // namespace

LogisticLoss::LogisticLoss(Eigen::VectorXd labels) : y_(std::move(labels)) {
  for (Eigen::Index i = 0; i < y_.size(); ++i)
    if (y_[i] != 0.0 && y_[i] != 1.0)
      throw Error("LogisticLoss: label " + std::to_string(i) + " is not 0 or 1");
}

double LogisticLoss::value(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch) const {
  check_shape(*this, z, batch, y_.size());
  double s = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const double zi = z(Eigen::Index(i), 0);
    s += softplus(zi) - y_[batch[i]] * zi;
  }
  return s / double(batch.size());
}

double LogisticLoss::value_and_gradient(const Eigen::MatrixXd& z,
                                        std::span<const Eigen::Index> batch,
                                        Eigen::MatrixXd& g) const {
  check_shape(*this, z, batch, y_.size());
  g.resize(z.rows(), 1);
  const double inv = 1.0 / double(batch.size());
  double s = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const double zi = z(Eigen::Index(i), 0);
    s += softplus(zi) - y_[batch[i]] * zi;
    g(Eigen::Index(i), 0) = (sigmoid(zi) - y_[batch[i]]) * inv;
  }
  return s * inv;
}

CrossEntropyLoss::CrossEntropyLoss(Eigen::VectorXd labels, Eigen::Index classes) : k_(classes) {
  if (k_ < 2) throw Error("CrossEntropyLoss: classes must be >= 2");
  y_.resize(labels.size());
  for (Eigen::Index i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= double(k_) || labels[i] != std::floor(labels[i]))
      throw Error("CrossEntropyLoss: label " + std::to_string(i) + " is not in 0..K-1");
    y_[i] = int(labels[i]);
  }
}

double CrossEntropyLoss::value(const Eigen::MatrixXd& z,
                               std::span<const Eigen::Index> batch) const {
  check_shape(*this, z, batch, y_.size());
  double s = 0;
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    const double top = z.row(i).maxCoeff();
    s += top + std::log((z.row(i).array() - top).exp().sum()) - z(i, y_[batch[size_t(i)]]);
  }
  return s / double(batch.size());
}

double CrossEntropyLoss::value_and_gradient(const Eigen::MatrixXd& z,
                                            std::span<const Eigen::Index> batch,
                                            Eigen::MatrixXd& g) const {
  check_shape(*this, z, batch, y_.size());
  const double inv = 1.0 / double(batch.size());
  g.resize(z.rows(), z.cols());
  double s = 0;
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    const double top = z.row(i).maxCoeff();
    g.row(i) = (z.row(i).array() - top).exp();
    const double sum = g.row(i).sum();
    const int y = y_[batch[size_t(i)]];
    s += top + std::log(sum) - z(i, y);
    g.row(i) /= sum;
    g(i, y) -= 1.0;
    g.row(i) *= inv;
  }
  return s * inv;
}

SquaredLoss::SquaredLoss(std::shared_ptr<const Eigen::MatrixXd> targets) : y_(std::move(targets)) {
  if (!y_ || y_->size() == 0) throw Error("SquaredLoss: empty targets");
}

double SquaredLoss::value(const Eigen::MatrixXd& z, std::span<const Eigen::Index> batch) const {
  check_shape(*this, z, batch, y_->rows());
  double s = 0;
  for (Eigen::Index i = 0; i < z.rows(); ++i)
    s += 0.5 * (z.row(i) - y_->row(batch[size_t(i)])).squaredNorm();
  return s / double(batch.size());
}

double SquaredLoss::value_and_gradient(const Eigen::MatrixXd& z,
                                       std::span<const Eigen::Index> batch,
                                       Eigen::MatrixXd& g) const {
  check_shape(*this, z, batch, y_->rows());
  const double inv = 1.0 / double(batch.size());
  g.resize(z.rows(), z.cols());
  double s = 0;
  for (Eigen::Index i = 0; i < z.rows(); ++i) {
    g.row(i) = z.row(i) - y_->row(batch[size_t(i)]);
    s += 0.5 * g.row(i).squaredNorm();
    g.row(i) *= inv;
  }
  return s * inv;
}

}  // namespace descent::surrogate
