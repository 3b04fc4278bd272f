#include "descent/problems/regression.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "descent/core/error.hpp"
#include "descent/core/numerics.hpp"
#include "descent/data/datasets.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/libsvm.hpp"

namespace descent::problems {
namespace {

// Xᵀ diag(w) X for a weight vector w >= 0 (symmetric rank-k update).
Eigen::MatrixXd weighted_gram(const Eigen::MatrixXd& x, const Eigen::VectorXd& w) {
  const Eigen::MatrixXd scaled = x.array().colwise() * w.array().sqrt();
  Eigen::MatrixXd h = Eigen::MatrixXd::Zero(x.cols(), x.cols());
  h.selfadjointView<Eigen::Lower>().rankUpdate(scaled.transpose());
  h.triangularView<Eigen::StrictlyUpper>() = h.transpose();
  return h;
}

}  // namespace

// ----- logistic ---------------------------------------------------------------------------------

LogisticRegression::LogisticRegression(Eigen::MatrixXd x, Eigen::VectorXd y, double reg)
    : x_(std::move(x)), y_(std::move(y)), reg_(reg) {
  if (x_.rows() != y_.size() || x_.rows() == 0 || x_.cols() == 0)
    throw Error("LogisticRegression: X is " + std::to_string(x_.rows()) + " x " +
                std::to_string(x_.cols()) + " but y has " + std::to_string(y_.size()) + " entries");
  for (Eigen::Index i = 0; i < y_.size(); ++i)
    if (y_[i] != 0.0 && y_[i] != 1.0)
      throw Error("LogisticRegression: label " + std::to_string(i) + " is " +
                  std::to_string(y_[i]) + ", expected 0 or 1");
  if (!(reg_ >= 0)) throw Error("LogisticRegression: reg must be >= 0");
}

double LogisticRegression::value(const Eigen::VectorXd& w) const {
  check_dimension(w, "value");
  const Eigen::VectorXd z = x_ * w;
  double sum = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) sum += softplus(z[i]) - y_[i] * z[i];
  return sum / double(x_.rows()) + 0.5 * reg_ * w.squaredNorm();
}

void LogisticRegression::gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const {
  value_and_gradient(w, g);
}

double LogisticRegression::value_and_gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const {
  check_dimension(w, "gradient");
  const Eigen::VectorXd z = x_ * w;
  Eigen::VectorXd r(z.size());
  double sum = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    sum += softplus(z[i]) - y_[i] * z[i];
    r[i] = sigmoid(z[i]) - y_[i];
  }
  const double m = double(x_.rows());
  g.noalias() = x_.transpose() * r / m;
  g += reg_ * w;
  return sum / m + 0.5 * reg_ * w.squaredNorm();
}

void LogisticRegression::hessian(const Eigen::VectorXd& w, Eigen::MatrixXd& h) const {
  check_dimension(w, "hessian");
  const Eigen::VectorXd z = x_ * w;
  Eigen::VectorXd d(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const double s = sigmoid(z[i]);
    d[i] = s * (1.0 - s);
  }
  h = weighted_gram(x_, d) / double(x_.rows());
  h.diagonal().array() += reg_;
}

void LogisticRegression::approximation(const Eigen::VectorXd& w, HessianApproximation a,
                                       Eigen::MatrixXd& h) const {
  check_dimension(w, "approximate_hessian");
  const double m = double(x_.rows());
  if (a == HessianApproximation::bound) {
    h = weighted_gram(x_, Eigen::VectorXd::Constant(x_.rows(), 0.25)) / m;
  } else {  // wgn: logsumexp over {0, z} without its −σ² term
    const Eigen::VectorXd z = x_ * w;
    Eigen::VectorXd d(z.size());
    for (Eigen::Index i = 0; i < z.size(); ++i) d[i] = sigmoid(z[i]);
    h = weighted_gram(x_, d) / m;
  }
  h.diagonal().array() += reg_;
}

// ----- softmax ----------------------------------------------------------------------------------

SoftmaxRegression::SoftmaxRegression(Eigen::MatrixXd x, Eigen::VectorXd labels, int classes,
                                     double reg)
    : x_(std::move(x)), classes_(classes), reg_(reg) {
  if (x_.rows() != labels.size() || x_.rows() == 0 || x_.cols() == 0)
    throw Error("SoftmaxRegression: X is " + std::to_string(x_.rows()) + " x " +
                std::to_string(x_.cols()) + " but there are " + std::to_string(labels.size()) +
                " labels");
  if (classes_ < 2) throw Error("SoftmaxRegression: classes must be >= 2");
  if (!(reg_ >= 0)) throw Error("SoftmaxRegression: reg must be >= 0");
  labels_.resize(labels.size());
  for (Eigen::Index i = 0; i < labels.size(); ++i) {
    const double l = labels[i];
    if (l < 0 || l >= classes_ || l != std::floor(l))
      throw Error("SoftmaxRegression: label " + std::to_string(i) + " is " + std::to_string(l) +
                  ", expected an integer in [0, " + std::to_string(classes_) + ")");
    labels_[i] = static_cast<int>(l);
  }
}

double SoftmaxRegression::probabilities(const Eigen::VectorXd& w, Eigen::MatrixXd& p) const {
  const Eigen::Map<const Eigen::MatrixXd> wm(w.data(), x_.cols(), classes_);
  p.noalias() = x_ * wm;  // logits, m x K
  double sum = 0;
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    const double top = p.row(i).maxCoeff();
    const double logit_y = p(i, labels_[i]);
    p.row(i) = (p.row(i).array() - top).exp();
    const double z = p.row(i).sum();
    p.row(i) /= z;
    sum += top + std::log(z) - logit_y;
  }
  return sum / double(x_.rows());
}

double SoftmaxRegression::value(const Eigen::VectorXd& w) const {
  check_dimension(w, "value");
  Eigen::MatrixXd p;
  return probabilities(w, p) + 0.5 * reg_ * w.squaredNorm();
}

void SoftmaxRegression::gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const {
  value_and_gradient(w, g);
}

double SoftmaxRegression::value_and_gradient(const Eigen::VectorXd& w, Eigen::VectorXd& g) const {
  check_dimension(w, "gradient");
  Eigen::MatrixXd p;
  const double f = probabilities(w, p);
  for (Eigen::Index i = 0; i < p.rows(); ++i) p(i, labels_[i]) -= 1.0;
  g.resize(dimension());
  Eigen::Map<Eigen::MatrixXd> gm(g.data(), x_.cols(), classes_);
  gm.noalias() = x_.transpose() * p / double(x_.rows());
  g += reg_ * w;
  return f + 0.5 * reg_ * w.squaredNorm();
}

void SoftmaxRegression::hessian(const Eigen::VectorXd& w, Eigen::MatrixXd& h) const {
  check_dimension(w, "hessian");
  Eigen::MatrixXd p;
  probabilities(w, p);
  const Eigen::Index d = x_.cols();
  const double m = double(x_.rows());
  h.setZero(dimension(), dimension());
  // Block (k, l) = (1/m) Xᵀ diag(δ_kl p_k − p_k ∘ p_l) X; the weights can be negative, so this
  // uses a general product rather than a rank update.
  for (int k = 0; k < classes_; ++k) {
    for (int l = k; l < classes_; ++l) {
      Eigen::VectorXd wts = -p.col(k).cwiseProduct(p.col(l));
      if (k == l) wts += p.col(k);
      const Eigen::MatrixXd block =
          x_.transpose() * (x_.array().colwise() * wts.array()).matrix() / m;
      h.block(k * d, l * d, d, d) = block;
      if (k != l) h.block(l * d, k * d, d, d) = block.transpose();
    }
  }
  h.diagonal().array() += reg_;
}

void SoftmaxRegression::approximation(const Eigen::VectorXd& w, HessianApproximation a,
                                      Eigen::MatrixXd& h) const {
  check_dimension(w, "approximate_hessian");
  const Eigen::Index d = x_.cols();
  const double m = double(x_.rows());
  h.setZero(dimension(), dimension());
  if (a == HessianApproximation::bound) {
    // ½(I − 11ᵀ/K) ⊗ XᵀX/m.
    const Eigen::MatrixXd gram = weighted_gram(x_, Eigen::VectorXd::Ones(x_.rows())) / m;
    for (int k = 0; k < classes_; ++k)
      for (int l = 0; l < classes_; ++l)
        h.block(k * d, l * d, d, d) = 0.5 * ((k == l ? 1.0 : 0.0) - 1.0 / classes_) * gram;
  } else {  // wgn: block diagonal (1/m) Xᵀ diag(p_k) X
    Eigen::MatrixXd p;
    probabilities(w, p);
    for (int k = 0; k < classes_; ++k)
      h.block(k * d, k * d, d, d) = weighted_gram(x_, p.col(k)) / m;
  }
  h.diagonal().array() += reg_;
}

// ----- data -------------------------------------------------------------------------------------

namespace {
bool has_suffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

ClassificationData load_classification(const std::string& name_or_file) {
  Eigen::MatrixXd features;
  Eigen::VectorXd raw;
  std::string source;
  const auto names = data::dataset_names();
  if (std::find(names.begin(), names.end(), name_or_file) != names.end()) {
    const data::Dataset ds = data::load(name_or_file);
    if (ds.classes < 2) throw Error(name_or_file + " is not a classification data set");
    features = ds.features;
    raw = ds.targets;
    source = ds.source;
  } else if (has_suffix(name_or_file, ".svm") || has_suffix(name_or_file, ".libsvm") ||
             has_suffix(name_or_file, ".svmlight") || has_suffix(name_or_file, ".txt")) {
    const io::SvmlightData s = io::read_libsvm(name_or_file);
    features = Eigen::MatrixXd(s.features);
    raw = s.labels;
    source = name_or_file;
  } else {
    const Eigen::MatrixXd table = io::read_csv_matrix(name_or_file);
    if (table.cols() < 2) throw Error(name_or_file + ": need at least one feature and a label");
    features = table.leftCols(table.cols() - 1);
    raw = table.col(table.cols() - 1);
    source = name_or_file;
  }
  // A classification problem needs class labels: a continuous target (a regression file)
  // used to become "100 classes".
  for (Eigen::Index i = 0; i < raw.size(); ++i)
    if (!std::isfinite(raw[i]) || raw[i] != std::floor(raw[i]))
      throw InputError(name_or_file, 0, "label",
                       "data row " + std::to_string(i + 1) + " has label " +
                           std::to_string(raw[i]) +
                           ": class labels must be integers (is this a regression target?)");
  // Labels -> 0..K−1 in sorted order of the distinct values.
  std::map<double, int> index;
  for (Eigen::Index i = 0; i < raw.size(); ++i) index.emplace(raw[i], 0);
  if (index.size() < 2) throw Error(name_or_file + ": labels take fewer than two values");
  int next = 0;
  for (auto& kv : index) kv.second = next++;
  ClassificationData out;
  out.labels.resize(raw.size());
  for (Eigen::Index i = 0; i < raw.size(); ++i) out.labels[i] = index[raw[i]];
  out.classes = next;
  const data::Standardizer scaler(features);
  out.design.resize(features.rows(), features.cols() + 1);
  out.design.leftCols(features.cols()) = scaler.transform(features);
  out.design.col(features.cols()).setOnes();
  out.source = source;
  return out;
}

}  // namespace descent::problems
