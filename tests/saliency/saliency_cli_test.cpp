// `descent saliency` and `descent pointing-game`, run as a user would: maps and files for every
// method, and bad input (missing checkpoint, unknown layer, image of the wrong size, a model
// without convolutions, data without boxes) refused with exit 2, a clear message and no files.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../support/cli_runner.hpp"
#include "../support/temp_dir.hpp"
#include "descent/io/json.hpp"
#include "descent/io/npy.hpp"
#include "descent/io/png.hpp"

namespace {

namespace fs = std::filesystem;
using descent::test::CliResult;
using descent::test::CliStderr;

CliResult cli(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args, CliStderr::merge);
}
CliResult cli_json(const std::string& args) {
  return descent::test::run_cli(DESCENT_CLI, args, CliStderr::discard);
}

// One small CNN on digits (8×8) and one MLP, trained once for every test.
class SaliencyCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(descent::test::fresh_temp_dir("saliency_cli"));
    const std::string common = " --data digits --seed 1 --quiet --checkpoint ";
    ASSERT_EQ(cli("train --model cnn-small --epochs 3" + common + (*dir_ / "cnn").string()).code,
              0);
    ASSERT_EQ(cli("train --model mlp:16 --epochs 1" + common + (*dir_ / "mlp").string()).code, 0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string cnn() { return (*dir_ / "cnn" / "checkpoint.pt").string(); }
  static std::string mlp() { return (*dir_ / "mlp" / "checkpoint.pt").string(); }
  static fs::path out(const std::string& name) { return *dir_ / name; }
  static fs::path* dir_;
};
fs::path* SaliencyCli::dir_ = nullptr;

TEST_F(SaliencyCli, NormGradAtEveryLayerWritesHeatMapsAndMaps) {
  const auto png = out("all.png"), npy = out("all.npy");
  const CliResult r =
      cli_json("saliency --json --checkpoint " + cnn() + " --index 3 --layer all --out " +
               png.string() + " --npy " + npy.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["method"], "normgrad");
  EXPECT_EQ(j["maps"].size(), 2u);
  EXPECT_EQ(j["maps"][0]["map"], "normgrad:conv1");
  EXPECT_EQ(j["maps"][0]["height"], 8);
  EXPECT_EQ(j["maps"][1]["height"], 4);  // after one max-pool
  EXPECT_EQ(j["explained_class"], j["predicted_class"]);
  // One row: the image and a heat map per layer, each 8×8 with 2-pixel gaps.
  const descent::io::Image im = descent::io::read_png(png.string());
  EXPECT_EQ(im.channels, 3);
  EXPECT_EQ(im.height, 8 + 4);
  EXPECT_EQ(im.width, 3 * (8 + 2) + 2);
  const auto maps = descent::io::read_npy(npy.string());
  EXPECT_EQ(maps.shape, (std::vector<std::size_t>{2, 8, 8}));
  for (double v : maps.data) {
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0);
  }
}

TEST_F(SaliencyCli, EveryMethodRunsAndAnyClassCanBeExplained) {
  for (const std::string m :
       {"normgrad-3x3", "combi", "meta", "gradient", "gradient-x-input", "gradcam"}) {
    const CliResult r =
        cli_json("saliency --json --checkpoint " + cnn() + " --method " + m + " --class 4");
    ASSERT_EQ(r.code, 0) << m << ": " << r.out;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["explained_class"], 4) << m;
    EXPECT_EQ(j["maps"].size(), 1u) << m;  // the last layer, combi, or the input map
  }
  // An IDX file and a PNG of the right size are explained like data set images.
  const auto png = out("digit.png");
  descent::io::Image im{8, 8, 1, std::vector<std::uint8_t>(64, 0)};
  for (int r = 2; r < 6; ++r) im.pixels[r * 8 + 4] = 255;
  descent::io::write_png(png.string(), im);
  const CliResult r = cli("saliency --checkpoint " + cnn() + " --data " + png.string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("normgrad:conv2"), std::string::npos) << r.out;
}

TEST_F(SaliencyCli, BadInputExitsTwoWithAClearMessageAndNoFiles) {
  const auto png = out("bad.png"), npy = out("bad.npy");
  const std::string outputs = " --out " + png.string() + " --npy " + npy.string();
  struct Case {
    std::string args, message;
  };
  const auto wrong_size = out("wrong.png");
  descent::io::write_png(wrong_size.string(), {10, 10, 1, std::vector<std::uint8_t>(100, 9)});
  const Case cases[] = {
      {"saliency --checkpoint " + out("nothing.pt").string(), "nothing.pt"},
      {"saliency --checkpoint " + cnn() + " --layer conv7", "conv1, conv2"},
      {"saliency --checkpoint " + cnn() + " --data " + wrong_size.string(),
       "is 1x10x10, the model takes 1x8x8"},
      {"saliency --checkpoint " + cnn() + " --method occlusion", "unknown method"},
      {"saliency --checkpoint " + cnn() + " --index 99999", "--index"},
      {"saliency --checkpoint " + cnn() + " --class 10", "--class"},
      {"saliency --checkpoint " + mlp(), "no convolution layers"},
      {"saliency --checkpoint " + cnn() + " --data " + out("absent.png").string(), "absent.png"},
      {"pointing-game --checkpoint " + cnn() + " --out " + png.string(), "no object boxes"},
  };
  for (const auto& c : cases) {
    const bool pointing = c.args.starts_with("pointing-game");
    const CliResult r = cli(c.args + (pointing ? "" : outputs));
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.out;
    EXPECT_NE(r.out.find(c.message), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_EQ(r.out.find("internal error"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(png)) << c.args;
    EXPECT_FALSE(fs::exists(npy)) << c.args;
  }
}

TEST(PointingGameCli, ScoresEveryMethodOnCanvases) {
  const fs::path dir = descent::test::fresh_temp_dir("pointing_cli");
  ASSERT_EQ(cli("train --data fashion-mnist-canvas --model cnn-small --epochs 1 --quiet "
                "--train-limit 600 --test-limit 50 --checkpoint " +
                (dir / "ck").string())
                .code,
            0);
  const auto csv = dir / "scores.csv";
  const CliResult r = cli_json("pointing-game --json --limit 40 --checkpoint " +
                               (dir / "ck" / "checkpoint.pt").string() + " --out " + csv.string());
  ASSERT_EQ(r.code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images"], 40);
  for (const std::string m :
       {"normgrad:conv1", "normgrad:conv2", "combi", "gradient", "gradcam:conv2", "center"}) {
    ASSERT_TRUE(j["hit_rate"].contains(m)) << m;
    EXPECT_GE(j["hit_rate"][m].get<double>(), 0.0);
    EXPECT_LE(j["hit_rate"][m].get<double>(), 1.0);
  }
  EXPECT_NEAR(j["box_area_baseline"].get<double>(), 34.0 * 34.0 / 4096.0, 0.05);
  EXPECT_TRUE(fs::exists(csv));
  fs::remove_all(dir);
}

}  // namespace
