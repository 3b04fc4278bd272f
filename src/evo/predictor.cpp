#include "descent/evo/predictor.hpp"

#include <libsvm/svm.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Cholesky>

#include "descent/core/error.hpp"
#include "descent/core/parallel.hpp"
#include "descent/core/threads.hpp"

namespace descent::evo {

namespace {

void check_xy(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const char* who) {
  if (X.rows() != y.size())
    throw Error(std::string(who) + ": " + std::to_string(X.rows()) + " rows but " +
                std::to_string(y.size()) + " labels");
  if (X.rows() < 2) throw Error(std::string(who) + ": needs at least 2 rows");
  if (!X.allFinite() || !y.allFinite())
    throw Error(std::string(who) + ": features and labels must be finite");
}

/// The training rows of a K-fold split: every row outside [start, start + size).
struct TrainingFold {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};
TrainingFold training_rows(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, Eigen::Index start,
                           Eigen::Index size) {
  const Eigen::Index n = X.rows();
  TrainingFold t{Eigen::MatrixXd(n - size, X.cols()), Eigen::VectorXd(n - size)};
  t.X << X.topRows(start), X.bottomRows(n - start - size);
  t.y << y.head(start), y.tail(n - start - size);
  return t;
}

/// The first index of the highest score, as numpy's argmax (scikit-learn's rank 1, ties to
/// the first).
std::size_t first_best(const std::vector<double>& scores) {
  return static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

// libsvm prints progress to stdout unless told otherwise.
void quiet(const char*) {}

}  // namespace

double mape(const Eigen::VectorXd& y, const Eigen::VectorXd& predicted) {
  if (y.size() != predicted.size() || y.size() == 0)
    throw Error("mape: the vectors must be non-empty and of equal length");
  const double eps = std::numeric_limits<double>::epsilon();
  double sum = 0.0;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    sum += std::abs(y(i) - predicted(i)) / std::max(std::abs(y(i)), eps);
  return sum / static_cast<double>(y.size());
}

double kendall_tau(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  if (a.size() != b.size() || a.size() < 2)
    throw Error("kendall_tau: needs two vectors of equal length >= 2");
  // tau-b = (C − D) / sqrt((n0 − n1)(n0 − n2)), n1, n2 the pairs tied in a, in b.
  double concordant = 0, discordant = 0, tied_a = 0, tied_b = 0, pairs = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    for (Eigen::Index j = i + 1; j < a.size(); ++j) {
      const double da = a(i) - a(j), db = b(i) - b(j);
      pairs += 1;
      if (da == 0 && db == 0) {
        tied_a += 1;
        tied_b += 1;
      } else if (da == 0) {
        tied_a += 1;
      } else if (db == 0) {
        tied_b += 1;
      } else if ((da > 0) == (db > 0)) {
        concordant += 1;
      } else {
        discordant += 1;
      }
    }
  }
  const double denom = std::sqrt((pairs - tied_a) * (pairs - tied_b));
  return denom > 0 ? (concordant - discordant) / denom : std::numeric_limits<double>::quiet_NaN();
}

std::vector<std::pair<Eigen::Index, Eigen::Index>> kfold(Eigen::Index n, int folds) {
  if (folds < 2 || n < folds)
    throw Error("kfold: needs 2 <= folds <= rows, got " + std::to_string(folds) + " folds for " +
                std::to_string(n) + " rows");
  std::vector<std::pair<Eigen::Index, Eigen::Index>> out;
  Eigen::Index start = 0;
  for (int i = 0; i < folds; ++i) {
    const Eigen::Index size = n / folds + (i < n % folds ? 1 : 0);
    out.emplace_back(start, size);
    start += size;
  }
  return out;
}

// --- Ridge ------------------------------------------------------------------------------

Ridge::Ridge(double alpha) : alpha_(alpha) {
  if (!(alpha >= 0.0)) throw InvalidOption("alpha", "must be >= 0");
}

void Ridge::fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  check_xy(X, y, "ridge");
  const Eigen::RowVectorXd mean = X.colwise().mean();
  const double ymean = y.mean();
  const Eigen::MatrixXd Xc = X.rowwise() - mean;
  Eigen::MatrixXd A = Xc.transpose() * Xc;
  A.diagonal().array() += alpha_;
  // LDLT: A is only semi-definite when alpha = 0 and features are collinear.
  w_ = A.ldlt().solve(Xc.transpose() * (y.array() - ymean).matrix());
  b_ = ymean - mean.dot(w_);
}

Eigen::VectorXd Ridge::predict(const Eigen::MatrixXd& X) const {
  if (X.cols() != w_.size()) throw Error("ridge: predict before fit, or wrong feature count");
  return (X * w_).array() + b_;
}

// --- SVR (libsvm) -------------------------------------------------------------------------

struct Svr::Model {
  std::vector<svm_node> nodes;  // the training rows, each ended by index -1
  std::vector<svm_node*> rows;
  std::vector<double> labels;
  svm_problem problem{};
  svm_parameter parameter{};
  svm_model* model = nullptr;
  int features = 0;
  ~Model() {
    if (model) svm_free_and_destroy_model(&model);
  }
};

Svr::Svr(double C, double gamma, double epsilon, double tol)
    : C_(C), gamma_(gamma), epsilon_(epsilon), tol_(tol) {
  if (!(C > 0)) throw InvalidOption("C", "must be > 0");
  if (!(epsilon >= 0)) throw InvalidOption("epsilon", "must be >= 0");
  if (!(tol > 0)) throw InvalidOption("tol", "must be > 0");
}

Svr::~Svr() = default;

namespace {
// libsvm's print hook is a global: set once, before any thread trains.
[[maybe_unused]] const bool libsvm_quiet = (svm_set_print_string_function(&quiet), true);
}  // namespace

void Svr::fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  check_xy(X, y, "svr");
  auto m = std::make_unique<Model>();
  m->features = static_cast<int>(X.cols());
  // Dense rows in libsvm's sparse format (zeros are kept out, as scikit-learn's dense path
  // treats them: the kernel only needs the non-zeros).
  m->nodes.reserve(static_cast<std::size_t>(X.size() + X.rows()));
  std::vector<std::size_t> starts;
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    starts.push_back(m->nodes.size());
    for (Eigen::Index c = 0; c < X.cols(); ++c)
      if (X(r, c) != 0.0) m->nodes.push_back({static_cast<int>(c) + 1, X(r, c)});
    m->nodes.push_back({-1, 0.0});
  }
  for (std::size_t s : starts) m->rows.push_back(&m->nodes[s]);
  m->labels.assign(y.data(), y.data() + y.size());
  m->problem.l = static_cast<int>(X.rows());
  m->problem.y = m->labels.data();
  m->problem.x = m->rows.data();
  svm_parameter& p = m->parameter;
  p.svm_type = EPSILON_SVR;
  p.kernel_type = RBF;
  p.gamma = gamma_ > 0 ? gamma_ : 1.0 / static_cast<double>(X.cols());
  p.C = C_;
  p.p = epsilon_;
  p.eps = tol_;
  p.cache_size = 200;
  p.shrinking = 1;
  p.probability = 0;
  p.nr_weight = 0;
  if (const char* why = svm_check_parameter(&m->problem, &p))
    throw Error(std::string("svr: libsvm refused the parameters: ") + why);
  m->model = svm_train(&m->problem, &p);
  model_ = std::move(m);
}

Eigen::VectorXd Svr::predict(const Eigen::MatrixXd& X) const {
  if (!model_ || X.cols() != model_->features)
    throw Error("svr: predict before fit, or wrong feature count");
  Eigen::VectorXd out(X.rows());
  std::vector<svm_node> row(static_cast<std::size_t>(X.cols()) + 1);
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    std::size_t k = 0;
    for (Eigen::Index c = 0; c < X.cols(); ++c)
      if (X(r, c) != 0.0) row[k++] = {static_cast<int>(c) + 1, X(r, c)};
    row[k] = {-1, 0.0};
    out(r) = svm_predict(model_->model, row.data());
  }
  return out;
}

// --- grid search and the predictor ----------------------------------------------------------

GridSearch grid_search(const std::function<std::unique_ptr<Regressor>(double)>& make,
                       const std::vector<double>& grid, const Eigen::MatrixXd& X,
                       const Eigen::VectorXd& y, int folds) {
  check_xy(X, y, "grid_search");
  if (grid.empty()) throw Error("grid_search: empty grid");
  const auto splits = kfold(X.rows(), folds);
  std::vector<TrainingFold> training;  // built once, shared (read-only) by every grid point
  for (const auto& [start, size] : splits) training.push_back(training_rows(X, y, start, size));
  GridSearch g;
  g.grid = grid;
  g.scores.assign(grid.size(), 0.0);
  // Grid points in parallel (each writes only its own score, so the result does not depend
  // on the thread count), strided because larger C trains longer.
  parallel_strided(grid.size(), threads(), [&](std::size_t i) {
    double total = 0.0;
    for (std::size_t f = 0; f < splits.size(); ++f) {
      const auto [start, size] = splits[f];
      auto model = make(grid[i]);
      model->fit(training[f].X, training[f].y);
      total += -mape(y.segment(start, size), model->predict(X.middleRows(start, size)));
    }
    g.scores[i] = total / static_cast<double>(splits.size());
  });
  g.best = first_best(g.scores);
  return g;
}

GridSearch ridge_grid_search(const std::vector<double>& alphas, const Eigen::MatrixXd& X,
                             const Eigen::VectorXd& y, int folds) {
  check_xy(X, y, "ridge_grid_search");
  if (alphas.empty()) throw Error("ridge_grid_search: empty grid");
  for (double a : alphas)
    if (!(a >= 0.0)) throw InvalidOption("alpha", "must be >= 0");
  GridSearch g;
  g.grid = alphas;
  g.scores.assign(alphas.size(), 0.0);
  const auto splits = kfold(X.rows(), folds);
  for (const auto& [start, size] : splits) {
    const auto [Xtr, ytr] = training_rows(X, y, start, size);
    // The same arithmetic as Ridge::fit, with the Gram matrix shared by every alpha.
    const Eigen::RowVectorXd mean = Xtr.colwise().mean();
    const double ymean = ytr.mean();
    const Eigen::MatrixXd Xc = Xtr.rowwise() - mean;
    const Eigen::MatrixXd gram = Xc.transpose() * Xc;
    const Eigen::VectorXd rhs = Xc.transpose() * (ytr.array() - ymean).matrix();
    const Eigen::MatrixXd Xte = X.middleRows(start, size);
    const Eigen::VectorXd yte = y.segment(start, size);
    parallel_strided(alphas.size(), threads(), [&](std::size_t i) {
      Eigen::MatrixXd A = gram;
      A.diagonal().array() += alphas[i];
      const Eigen::VectorXd w = A.ldlt().solve(rhs);
      const double b = ymean - mean.dot(w);
      const Eigen::VectorXd pred = (Xte * w).array() + b;
      g.scores[i] += -mape(yte, pred);
    });
  }
  for (double& score : g.scores) score /= static_cast<double>(splits.size());  // as np.mean
  g.best = first_best(g.scores);
  return g;
}

Predictor::Predictor(std::string model, int folds) : model_(std::move(model)), folds_(folds) {
  if (model_ != "best" && model_ != "ridge" && model_ != "svr")
    throw InvalidOption("model",
                        "unknown predictor '" + model_ + "' (expected ridge | svr | best)");
}

std::vector<double> Predictor::ridge_grid() {
  std::vector<double> g;
  for (int i = 1; i <= 100; ++i) g.push_back(i / 10.0);  // numpy's arange(0.1, 10.1, 0.1) rounded
  return g;
}

std::vector<double> Predictor::svr_grid() {
  std::vector<double> g;
  for (int i = 1; i <= 100; ++i) g.push_back(i);
  return g;
}

std::vector<Eigen::Index> varying_columns(const Eigen::MatrixXd& X) {
  std::vector<Eigen::Index> out;
  for (Eigen::Index c = 0; c < X.cols(); ++c)
    if (X.rows() > 0 && (X.col(c).array() != X(0, c)).any()) out.push_back(c);
  return out;
}

Eigen::MatrixXd select_columns(const Eigen::MatrixXd& X, const std::vector<Eigen::Index>& columns) {
  Eigen::MatrixXd out(X.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t i = 0; i < columns.size(); ++i)
    out.col(static_cast<Eigen::Index>(i)) = X.col(columns[i]);
  return out;
}

void Predictor::fit(const Eigen::MatrixXd& X_all, const Eigen::VectorXd& y) {
  check_xy(X_all, y, "predictor");
  columns_ = varying_columns(X_all);
  if (columns_.empty()) throw Error("predictor: every feature is constant on the training rows");
  const Eigen::MatrixXd X = select_columns(X_all, columns_);
  const double top = y.cwiseAbs().maxCoeff();
  scale_ = top > 0 ? std::pow(10.0, std::floor(std::log10(top)) - 1.0) : 1.0;
  const Eigen::VectorXd ys = y / scale_;
  double best_score = -std::numeric_limits<double>::infinity();
  if (model_ != "svr") {
    ridge_ = ridge_grid_search(ridge_grid(), X, ys, folds_);
    best_score = ridge_.best_score();
    chosen_ = "ridge";
  }
  if (model_ != "ridge") {
    svr_ =
        grid_search([](double c) { return std::make_unique<Svr>(c); }, svr_grid(), X, ys, folds_);
    if (svr_.best_score() > best_score) chosen_ = "svr";
  }
  if (chosen_ == "ridge") {
    fitted_ = std::make_unique<Ridge>(ridge_.best_value());
  } else {
    fitted_ = std::make_unique<Svr>(svr_.best_value());
  }
  fitted_->fit(X, ys);
}

Eigen::VectorXd Predictor::predict(const Eigen::MatrixXd& X) const {
  if (!fitted_) throw Error("predictor: predict before fit");
  return fitted_->predict(select_columns(X, columns_)) * scale_;
}

Eigen::MatrixXd one_hot(const Eigen::MatrixXd& configurations, const std::vector<int>& choices) {
  if (configurations.cols() != static_cast<Eigen::Index>(choices.size()))
    throw Error("one_hot: " + std::to_string(configurations.cols()) + " variables but " +
                std::to_string(choices.size()) + " choice counts");
  Eigen::Index width = 0;
  for (int c : choices) width += c;
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(configurations.rows(), width);
  for (Eigen::Index r = 0; r < configurations.rows(); ++r) {
    Eigen::Index offset = 0;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const double v = configurations(r, static_cast<Eigen::Index>(i));
      const auto k = static_cast<Eigen::Index>(std::lround(v));
      if (v != static_cast<double>(k) || k < 0 || k >= choices[i])
        throw Error("one_hot: row " + std::to_string(r) + " variable " + std::to_string(i) + " = " +
                    std::to_string(v) + " is not one of 0.." + std::to_string(choices[i] - 1));
      out(r, offset + k) = 1.0;
      offset += choices[i];
    }
  }
  return out;
}

}  // namespace descent::evo
