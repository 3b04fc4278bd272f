// Cheap objective predictors for predictor-in-the-loop search (DyNAS-T / LINAS, Cummings et al.,
// arXiv 2202.12954; spec search_nas_co.md §2.1): closed-form Ridge and RBF-SVR (libsvm, the
// library scikit-learn wraps), each tuned by scikit-learn's GridSearchCV protocol, the better
// one kept.
//
// The protocol, reproduced so that the chosen hyper-parameters and predictions match
// scikit-learn's (a test compares with golden values from tests/evo/make_golden.py):
//  - features with zero variance on the training rows are dropped first (DyNAS-T's
//    Predictor.train), so gamma = 1 / (features kept);
//  - labels divided by 10^(floor(log10 max|y|) − 1) before fitting (and multiplied back);
//  - unshuffled K-fold (fold i holds rows [start_i, start_i + n/K + (i < n mod K))), K = 5;
//  - score = −MAPE with MAPE = mean(|y − ŷ| / max(|y|, machine ε)), averaged over folds;
//  - the first grid point with the best mean score wins, then a refit on all rows;
//  - Ridge: alpha in {0.1, 0.2, ..., 10}, unpenalised intercept (centred X and y);
//  - SVR: RBF kernel, gamma = 1 / n_features ('auto'), epsilon = 0, tol = 1e-3, C in
//    {1, 2, ..., 100}.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace descent::evo {

/// mean(|y − ŷ| / max(|y|, ε)), ε = machine epsilon (scikit-learn's MAPE).
double mape(const Eigen::VectorXd& y, const Eigen::VectorXd& predicted);
/// Kendall's tau-b (ties in either ranking handled as scipy.stats.kendalltau does). O(n^2).
double kendall_tau(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

/// scikit-learn's unshuffled KFold: (first row, row count) of each test fold.
std::vector<std::pair<Eigen::Index, Eigen::Index>> kfold(Eigen::Index n, int folds);

class Regressor {
 public:
  virtual ~Regressor() = default;
  virtual void fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) = 0;
  virtual Eigen::VectorXd predict(const Eigen::MatrixXd& X) const = 0;
  virtual std::string name() const = 0;
};

/// min |y − Xw − b|^2 + alpha |w|^2 (b unpenalised), solved in closed form.
class Ridge final : public Regressor {
 public:
  explicit Ridge(double alpha = 1.0);
  void fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& X) const override;
  std::string name() const override { return "ridge"; }
  const Eigen::VectorXd& coefficients() const noexcept { return w_; }
  double intercept() const noexcept { return b_; }

 private:
  double alpha_;
  Eigen::VectorXd w_;
  double b_ = 0.0;
};

/// epsilon-SVR with an RBF kernel through libsvm. gamma <= 0 means 1 / n_features.
class Svr final : public Regressor {
 public:
  explicit Svr(double C = 1.0, double gamma = 0.0, double epsilon = 0.0, double tol = 1e-3);
  ~Svr() override;
  Svr(const Svr&) = delete;
  Svr& operator=(const Svr&) = delete;
  void fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& X) const override;
  std::string name() const override { return "svr"; }

 private:
  struct Model;
  double C_, gamma_, epsilon_, tol_;
  std::unique_ptr<Model> model_;
};

struct GridSearch {
  std::vector<double> grid;    ///< the hyper-parameter values tried, in order
  std::vector<double> scores;  ///< mean CV score (−MAPE) of each
  std::size_t best = 0;        ///< the first index with the highest score
  double best_value() const { return grid[best]; }
  double best_score() const { return scores[best]; }
};

/// K-fold grid search of make(value) over `grid` (scikit-learn's GridSearchCV with
/// neg_mean_absolute_percentage_error and an unshuffled KFold).
GridSearch grid_search(const std::function<std::unique_ptr<Regressor>(double)>& make,
                       const std::vector<double>& grid, const Eigen::MatrixXd& X,
                       const Eigen::VectorXd& y, int folds = 5);

/// The same search for Ridge over alphas, computing each fold's centred Gram matrix once (one
/// p x p solve per alpha instead of a refit): identical results, ~100x less work.
GridSearch ridge_grid_search(const std::vector<double>& alphas, const Eigen::MatrixXd& X,
                             const Eigen::VectorXd& y, int folds = 5);

/// DyNAS-T's predictor for one objective: label scaling, Ridge and SVR grid searches, the
/// better by CV score refitted on all rows. `model` restricts it to "ridge" or "svr" ("best"
/// keeps the better).
/// The columns of X whose values are not all equal (DyNAS-T keeps only these).
std::vector<Eigen::Index> varying_columns(const Eigen::MatrixXd& X);
/// X restricted to `columns`, in that order.
Eigen::MatrixXd select_columns(const Eigen::MatrixXd& X, const std::vector<Eigen::Index>& columns);

class Predictor {
 public:
  explicit Predictor(std::string model = "best", int folds = 5);
  void fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);
  Eigen::VectorXd predict(const Eigen::MatrixXd& X) const;

  const std::string& chosen() const noexcept { return chosen_; }  ///< "ridge" or "svr"
  double label_scale() const noexcept { return scale_; }
  const GridSearch& ridge_search() const noexcept { return ridge_; }
  const GridSearch& svr_search() const noexcept { return svr_; }
  const std::vector<Eigen::Index>& columns() const noexcept { return columns_; }

  static std::vector<double> ridge_grid();  ///< 0.1, 0.2, ..., 10.0
  static std::vector<double> svr_grid();    ///< 1, 2, ..., 100

 private:
  std::string model_;
  int folds_;
  double scale_ = 1.0;
  std::string chosen_;
  GridSearch ridge_, svr_;
  std::vector<Eigen::Index> columns_;
  std::unique_ptr<Regressor> fitted_;
};

/// One-hot features of integer configurations: variable i with choices[i] values becomes
/// choices[i] columns (DyNAS-T's onehot_generic; 135 columns for 45 three-way variables).
Eigen::MatrixXd one_hot(const Eigen::MatrixXd& configurations, const std::vector<int>& choices);

}  // namespace descent::evo
