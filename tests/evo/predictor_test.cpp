// descent::evo's predictors against scikit-learn (golden values from tests/evo/make_golden.py on
// the vendored DyNAS-T measurements): the same chosen hyper-parameters, Ridge predictions to
// 1e-6, SVR (both libsvm) to 1e-3 (spec check D3).
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/evo/predictor.hpp"

namespace evo = descent::evo;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

nlohmann::json golden() {
  std::ifstream in(DESCENT_SOURCE_DIR "/data/evo/sklearn_predictor_golden.json");
  return nlohmann::json::parse(in);
}

MatrixXd configs(const nlohmann::json& rows) {
  MatrixXd X(static_cast<Eigen::Index>(rows.size()), 45);
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < 45; ++c)
      X(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows[r][c].get<double>();
  return X;
}

VectorXd vec(const nlohmann::json& v) {
  VectorXd out(static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out(static_cast<Eigen::Index>(i)) = v[i].get<double>();
  return out;
}

const std::vector<int> kChoices(45, 3);

}  // namespace

class PredictorGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(PredictorGolden, MatchesScikitLearn) {
  const auto g = golden();
  const auto& t = g["targets"][GetParam()];
  const MatrixXd Xtr_all = evo::one_hot(configs(g["configs_train"]), kChoices);
  const MatrixXd Xte_all = evo::one_hot(configs(g["configs_test"]), kChoices);
  ASSERT_EQ(Xtr_all.cols(), 135);
  // DyNAS-T drops the features that are constant on the training rows.
  const auto columns = evo::varying_columns(Xtr_all);
  ASSERT_EQ(columns.size(), t["columns"].size());
  for (std::size_t i = 0; i < columns.size(); ++i)
    ASSERT_EQ(columns[i], t["columns"][i].get<long>());
  const MatrixXd Xtr = evo::select_columns(Xtr_all, columns);
  const MatrixXd Xte = evo::select_columns(Xte_all, columns);
  const VectorXd ytr = vec(t["y_train"]), yte = vec(t["y_test"]);
  const double scale = t["scale"].get<double>();
  const VectorXd ys = ytr / scale;

  const auto ridge = evo::grid_search([](double a) { return std::make_unique<evo::Ridge>(a); },
                                      evo::Predictor::ridge_grid(), Xtr, ys);
  EXPECT_DOUBLE_EQ(ridge.best_value(), t["ridge_alpha"].get<double>());
  EXPECT_NEAR(ridge.best_score(), t["ridge_score"].get<double>(), 1e-9);
  // The fast search (one Gram matrix per fold) gives the same scores.
  const auto fast = evo::ridge_grid_search(evo::Predictor::ridge_grid(), Xtr, ys);
  ASSERT_EQ(fast.scores.size(), ridge.scores.size());
  for (std::size_t i = 0; i < fast.scores.size(); ++i)
    EXPECT_NEAR(fast.scores[i], ridge.scores[i], 1e-13 * std::abs(ridge.scores[i]));
  evo::Ridge r(ridge.best_value());
  r.fit(Xtr, ys);
  const VectorXd ridge_test = r.predict(Xte) * scale;
  EXPECT_LT((ridge_test - vec(t["ridge_test"])).cwiseAbs().maxCoeff(), 1e-6);

  const auto svr = evo::grid_search([](double c) { return std::make_unique<evo::Svr>(c); },
                                    evo::Predictor::svr_grid(), Xtr, ys);
  EXPECT_DOUBLE_EQ(svr.best_value(), t["svr_C"].get<double>());
  EXPECT_NEAR(svr.best_score(), t["svr_score"].get<double>(), 1e-4);
  evo::Svr s(svr.best_value());
  s.fit(Xtr, ys);
  const VectorXd svr_test = s.predict(Xte) * scale;
  EXPECT_LT((svr_test - vec(t["svr_test"])).cwiseAbs().maxCoeff(), 1e-3);

  // The predictor keeps the better search and scales back.
  evo::Predictor p;
  p.fit(Xtr_all, ytr);
  EXPECT_DOUBLE_EQ(p.label_scale(), scale);
  const bool svr_better = t["svr_score"].get<double>() > t["ridge_score"].get<double>();
  EXPECT_EQ(p.chosen(), svr_better ? "svr" : "ridge");
  const VectorXd pred = p.predict(Xte_all);
  std::printf("%s: chosen %s, held-out MAPE %.4f, Kendall tau %.3f\n", GetParam(),
              p.chosen().c_str(), evo::mape(yte, pred), evo::kendall_tau(yte, pred));
  RecordProperty("held_out_mape", std::to_string(evo::mape(yte, pred)));
  RecordProperty("kendall_tau", std::to_string(evo::kendall_tau(yte, pred)));
}

INSTANTIATE_TEST_SUITE_P(Targets, PredictorGolden, ::testing::Values("macs", "accuracy"));

TEST(Predictor, MetricsByHand) {
  VectorXd y(4), p(4);
  y << 1, 2, 4, -8;
  p << 1.5, 2, 3, -8;
  EXPECT_DOUBLE_EQ(evo::mape(y, p), (0.5 + 0 + 0.25 + 0) / 4);
  VectorXd a(5), b(5);
  a << 1, 2, 3, 4, 5;
  b << 1, 3, 2, 4, 5;  // one discordant pair of ten
  EXPECT_DOUBLE_EQ(evo::kendall_tau(a, b), 0.8);
  EXPECT_DOUBLE_EQ(evo::kendall_tau(a, -a), -1.0);
  const auto folds = evo::kfold(12, 5);  // 3, 3, 2, 2, 2 as scikit-learn's KFold
  ASSERT_EQ(folds.size(), 5u);
  EXPECT_EQ(folds[0], std::make_pair(Eigen::Index{0}, Eigen::Index{3}));
  EXPECT_EQ(folds[2], std::make_pair(Eigen::Index{6}, Eigen::Index{2}));
  EXPECT_EQ(folds[4], std::make_pair(Eigen::Index{10}, Eigen::Index{2}));
}

TEST(Predictor, RidgeSolvesTheNormalEquations) {
  descent::Rng rng = descent::make_rng(3);
  const MatrixXd X = descent::normal_matrix(rng, 30, 4);
  const VectorXd y = descent::normal_vector(rng, 30);
  evo::Ridge r(0.7);
  r.fit(X, y);
  // Gradient of |y - Xw - b|^2 + 0.7 |w|^2 vanishes at the solution.
  const VectorXd res = y - X * r.coefficients() - VectorXd::Constant(30, r.intercept());
  EXPECT_LT((-X.transpose() * res + 0.7 * r.coefficients()).norm(), 1e-10);
  EXPECT_LT(std::abs(res.sum()), 1e-10);
}

TEST(Predictor, DropsConstantFeaturesAsDynasT) {
  descent::Rng rng = descent::make_rng(8);
  MatrixXd X = descent::normal_matrix(rng, 40, 4);
  X.col(2).setConstant(1.0);
  const VectorXd y = (X.col(0) * 3 + X.col(1)).array() + 10.0;
  evo::Predictor p("svr");
  p.fit(X, y);
  EXPECT_EQ(p.columns(), (std::vector<Eigen::Index>{0, 1, 3}));
  X.col(2).setConstant(-7.0);  // a dropped column cannot change a prediction
  const VectorXd a = p.predict(X.topRows(5));
  X.col(2).setConstant(3.0);
  EXPECT_EQ(a, p.predict(X.topRows(5)));
}

TEST(Predictor, BadInput) {
  EXPECT_THROW(evo::Predictor("forest"), descent::InvalidOption);
  EXPECT_THROW(evo::Ridge(-1), descent::InvalidOption);
  EXPECT_THROW(evo::Svr(0), descent::InvalidOption);
  evo::Ridge r;
  EXPECT_THROW(r.fit(MatrixXd::Ones(3, 2), VectorXd::Ones(2)), descent::Error);
  EXPECT_THROW(r.predict(MatrixXd::Ones(3, 2)), descent::Error);
  MatrixXd bad(2, 2);
  bad << 0, 1, 3, 4;
  EXPECT_THROW(evo::one_hot(bad, {3, 3}), descent::Error);
}
