// GBNN's merged network loads into a plain LibTorch Sequential (no descent code on the reading
// side) and computes the model's decision scores: `boost_torch::save_sequential`, and `descent
// boost fit --torch` end to end.
#include <gtest/gtest.h>

#include <filesystem>

#include "../support/cli_runner.hpp"
#include "../support/temp_dir.hpp"
#include "descent/boost/gbnn.hpp"
#include "descent/boost/model_file.hpp"
#include "descent/boost_torch/sequential.hpp"
#include "descent/data/datasets.hpp"

namespace {

namespace fs = std::filesystem;
using namespace descent;

torch::Tensor as_tensor(const Eigen::MatrixXd& m) {
  const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> f = m.cast<float>();
  return torch::from_blob(const_cast<float*>(f.data()), {f.rows(), f.cols()}).clone();
}

TEST(BoostTorch, PlainSequentialLoadsTheMergedNetwork) {
  const fs::path dir = test::fresh_temp_dir("boost_torch");
  const data::Dataset wine = data::load("wine");
  const data::Standardizer z(wine.features);
  const Eigen::MatrixXd x = z.transform(wine.features);
  boost::GbnnOptions o;
  o.total_units = 12;
  o.units_per_round = 3;
  const boost::Gbnn g = boost::Gbnn::fit(x, wine.targets, boost::Task::multiclass, 3, o);
  const std::string path = (dir / "net.pt").string();
  boost_torch::save_sequential(path, g.to_network());

  torch::nn::Sequential plain(torch::nn::Linear(13, 12), torch::nn::Sigmoid(),
                              torch::nn::Linear(12, 3));
  torch::load(plain, path);
  const torch::Tensor out = plain->forward(as_tensor(x));
  const Eigen::MatrixXd ref = g.raw(x);
  double worst = 0;
  for (Eigen::Index i = 0; i < ref.rows(); ++i)
    for (Eigen::Index k = 0; k < 3; ++k)
      worst = std::max(worst, std::abs(out[i][k].item<double>() - ref(i, k)) /
                                  std::max(1.0, std::abs(ref(i, k))));
  EXPECT_LT(worst, 1e-4);  // float32 weights and arithmetic
  fs::remove_all(dir);
}

TEST(BoostTorch, CliWritesATorchLoadableBinaryModel) {
  const fs::path dir = test::fresh_temp_dir("boost_torch_cli");
  const std::string model = (dir / "m.json").string(), pt = (dir / "net.pt").string();
  const auto r = test::run_cli(DESCENT_CLI,
                               "boost fit --data breast-cancer --task binary "
                               "--rounds 8 --quiet --out " +
                                   model + " --torch " + pt);
  ASSERT_EQ(r.code, 0) << r.out;
  const boost::BoostModel m = boost::load_model(model);
  torch::nn::Sequential plain(torch::nn::Linear(30, 8), torch::nn::Sigmoid(),
                              torch::nn::Linear(8, 1));
  torch::load(plain, pt);
  const data::Dataset d = data::load("breast-cancer");
  const Eigen::MatrixXd x = m.prepare(d.features);
  // The binary output is the logit 2F: σ(output) is P(class 1).
  const torch::Tensor p = torch::sigmoid(plain->forward(as_tensor(x)));
  const Eigen::MatrixXd ref = m.gbnn.probabilities(m.gbnn.raw(x));
  double worst = 0;
  for (Eigen::Index i = 0; i < ref.rows(); ++i)
    worst = std::max(worst, std::abs(p[i][0].item<double>() - ref(i, 1)));
  EXPECT_LT(worst, 1e-5);
  fs::remove_all(dir);
}

}  // namespace
