// The shared training loop: model specs, data tensors, checkpoint + resume bit for bit.
#include <gtest/gtest.h>

#include <unistd.h>
#include <fstream>

#include <filesystem>

#include "../support/stop_at.hpp"
#include "descent/core/error.hpp"
#include "descent/train/checkpoint.hpp"
#include "descent/train/data.hpp"
#include "descent/train/model.hpp"
#include "descent/train/run.hpp"

namespace {

using namespace descent;
namespace fs = std::filesystem;

TEST(Model, SpecsBuildTheDocumentedNetworks) {
  const train::InputShape image{1, 28, 28};
  auto mlp = train::make_model("mlp:784-128-10", image, 10);
  EXPECT_EQ(train::parameter_count(*mlp), 784 * 128 + 128 + 128 * 10 + 10);
  auto hidden = train::make_model("mlp:128", image, 10);
  EXPECT_EQ(train::parameter_count(*hidden), train::parameter_count(*mlp));
  auto cnn = train::make_model("cnn-small", image, 10);
  EXPECT_EQ(cnn->forward(torch::zeros({3, 784})).sizes(), (std::vector<int64_t>{3, 10}));
  EXPECT_LT(train::parameter_count(*cnn), 30000);
  EXPECT_EQ(train::parameter_count(*train::make_model("linear", {64, 0, 0}, 10)), 650);
  EXPECT_THROW(train::make_model("mlp:100-10", image, 10), InvalidOption);  // wrong input width
  EXPECT_THROW(train::make_model("mlp:12-x", image, 10), InvalidOption);
  EXPECT_THROW(train::make_model("cnn-small", {64, 0, 0}, 10), InvalidOption);
  EXPECT_THROW(train::make_model("resnet", image, 10), InvalidOption);
  // The widths actually built, as the CLI prints them.
  EXPECT_EQ(train::describe_layers(mlp), "784-128-10");
  EXPECT_EQ(train::describe_layers(train::make_model("mlp:128", {4, 0, 0}, 3)), "4-128-3");
  EXPECT_EQ(train::describe_layers(train::make_model("mlp:784-128-10", {4, 0, 0}, 3)),
            "4-784-128-10-3");  // a full spec for other data reads as hidden widths
  EXPECT_EQ(train::describe_layers(cnn).rfind("conv-", 0), 0u);
}

TEST(Model, FlatParametersRoundTrip) {
  torch::manual_seed(1);
  auto m = train::make_model("mlp:8", {5, 0, 0}, 3);
  const auto flat = train::flat_parameters(*m);
  EXPECT_EQ(flat.numel(), train::parameter_count(*m));
  train::set_flat_parameters(*m, flat * 2);
  EXPECT_TRUE(torch::allclose(train::flat_parameters(*m), flat * 2));
  EXPECT_THROW(train::set_flat_parameters(*m, flat.slice(0, 1)), InvalidOption);
}

TEST(Data, DigitsSplitIsStratifiedTensors) {
  const auto split = train::load_split("digits", {.seed = 3});
  EXPECT_EQ(split.train.size() + split.test.size(), 1797);
  EXPECT_EQ(split.train.x.size(1), 64);
  EXPECT_EQ(split.train.classes, 10);
  EXPECT_EQ(split.train.shape.height, 8);
  EXPECT_EQ(split.test.y.bincount().numel(), 10);  // every class in the test split
}

train::TrainOptions small_run(const fs::path& dir, int epochs) {
  train::TrainOptions o;
  o.data = "digits";
  o.model = "mlp:32";
  o.optimizer = "diffgrad";
  o.lr = 3e-3;
  o.batch = 32;
  o.epochs = epochs;
  o.seed = 11;
  o.standardize = true;
  o.keep_parameters = true;
  if (!dir.empty()) o.checkpoint_dir = dir.string();
  return o;
}

TEST(Checkpoint, ResumeReproducesTheUninterruptedRunBitForBit) {
  const fs::path dir = fs::temp_directory_path() / ("descent_train_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto full = train::run(small_run({}, 4));
  ASSERT_EQ(full.summary.status, Status::max_iterations) << full.summary.brief();
  EXPECT_GT(full.test_accuracy, 0.85);

  const auto first = train::run(small_run(dir, 2));
  ASSERT_EQ(first.epochs.size(), 2u);
  EXPECT_NE(first.final_parameters, full.final_parameters);
  auto resume = small_run(dir, 4);
  resume.resume = true;
  const auto second = train::run(resume);
  EXPECT_EQ(second.start_epoch, 2);
  ASSERT_EQ(second.epochs.size(), 2u);
  EXPECT_EQ(second.final_parameters, full.final_parameters);  // bit for bit
  EXPECT_EQ(second.test_loss, full.test_loss);
  EXPECT_EQ(second.epochs.back().step, full.epochs.back().step);

  // The checkpoint rebuilds the model on its own (what `descent hessian --checkpoint` does).
  const auto meta = train::read_checkpoint_meta(second.checkpoint);
  EXPECT_EQ(meta.model, "mlp:32");
  EXPECT_EQ(meta.epoch, 4);
  auto model = train::make_model(meta.model, {1, 8, 8}, 10);  // digits: 1 x 8 x 8
  train::load_checkpoint(second.checkpoint, *model, nullptr);
  const auto flat = train::flat_parameters(*model).to(torch::kFloat64);
  EXPECT_EQ(std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()),
            full.final_parameters);
  fs::remove_all(dir);
}

// A run killed after an epoch's log row but before its checkpoint (or in the middle of a row)
// resumes with a log holding each epoch exactly once.
TEST(Checkpoint, ResumeKeepsOneLogRowPerEpoch) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_train_log_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto o = small_run(dir, 2);
  o.log = (dir / "log.csv").string();
  ASSERT_EQ(train::run(o).summary.status, Status::max_iterations);
  {
    std::ofstream log(o.log, std::ios::app);
    log << "3,999,0.003,0.1,0.1,0.9,1.5\n4,12";  // epoch 3's row without its checkpoint, a torn row
  }
  o.epochs = 4;
  o.resume = true;
  ASSERT_EQ(train::run(o).start_epoch, 2);
  std::ifstream in(o.log);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].rfind("epoch,step,", 0), 0u);
  for (int e = 1; e <= 4; ++e)
    EXPECT_EQ(lines[std::size_t(e)].rfind(std::to_string(e) + ",", 0), 0u) << lines[std::size_t(e)];
  EXPECT_EQ(lines[3].find(",999,"), std::string::npos);  // the orphan row is gone
  fs::remove_all(dir);
}

// Resuming with another optimizer used to continue the saved rule under the new name (or end
// in a LibTorch INTERNAL ASSERT for torch-adam): it is refused, naming the saved optimizer.
TEST(Checkpoint, ResumeWithAnotherOptimizerIsRefused) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_train_opt_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto first = small_run(dir, 1);
  first.optimizer = "diffgrad";
  train::run(first);
  for (const char* other : {"adam", "sgd", "torch-adam"}) {
    auto resume = small_run(dir, 2);
    resume.optimizer = other;
    resume.resume = true;
    try {
      train::run(resume);
      ADD_FAILURE() << other << " resumed a diffgrad checkpoint";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("'diffgrad'"), std::string::npos) << e.what();
    }
  }
  auto same = small_run(dir, 2);
  same.optimizer = "diffgrad";
  same.resume = true;
  EXPECT_EQ(train::run(same).start_epoch, 1);
  fs::remove_all(dir);
}

// Resuming a finished run evaluates the restored model (it reported 0.0 for every loss and the
// accuracy); resuming with no checkpoint says so and starts from scratch.
TEST(Checkpoint, ResumeAfterTheLastEpochEvaluatesTheModel) {
  const fs::path dir =
      fs::temp_directory_path() / ("descent_train_done_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto fresh = small_run(dir, 2);
  fresh.resume = true;
  const auto first = train::run(fresh);
  EXPECT_NE(first.resume_note.find("no checkpoint"), std::string::npos) << first.resume_note;
  EXPECT_EQ(first.start_epoch, 0);
  auto again = small_run(dir, 2);
  again.resume = true;
  const auto done = train::run(again);
  EXPECT_TRUE(done.resume_note.empty());
  EXPECT_TRUE(done.epochs.empty());
  EXPECT_EQ(done.test_loss, first.test_loss);  // same model, same evaluation
  EXPECT_EQ(done.test_accuracy, first.test_accuracy);
  EXPECT_GT(done.train_loss, 0.0);
  EXPECT_EQ(done.summary.iterations, 2u);
  EXPECT_NE(done.summary.message.find("already trained 2 epochs"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Checkpoint, MissingOrCorruptFilesAreInputErrors) {
  EXPECT_THROW(train::read_checkpoint_meta("/nonexistent/ck.pt"), InputError);
  const fs::path bad = fs::temp_directory_path() / ("descent_bad_" + std::to_string(::getpid()));
  { std::ofstream(bad) << "not a checkpoint"; }
  EXPECT_THROW(train::read_checkpoint_meta(bad.string()), InputError);
  fs::remove(bad);
}

TEST(Run, DivergenceIsAStatus) {
  auto o = small_run({}, 1);
  o.optimizer = "sgd";
  o.lr = 1e6;
  const auto r = train::run(o);
  EXPECT_EQ(r.summary.status, Status::diverged) << r.summary.brief();
}

TEST(Run, BadOptionsNameTheField) {
  auto o = small_run({}, 1);
  o.batch = 0;
  try {
    train::run(o);
    FAIL();
  } catch (const InvalidOption& e) {
    EXPECT_EQ(e.field(), "batch");
  }
  o = small_run({}, 1);
  o.resume = true;
  o.checkpoint_dir.clear();
  EXPECT_THROW(train::run(o), InvalidOption);
}

// The loop keeps descent::Run's contract (tests/contract covers the registries' methods).
TEST(Run, CallbackStopKeepsTheLastEpochRow) {
  auto o = small_run({}, 4);
  o.history = {true, 3};  // epoch 2 is not on the stride
  descent::Callbacks cb;
  cb.emplace<descent::test::StopAt>(2, "stop at epoch");
  const auto r = train::run(o, cb);
  EXPECT_EQ(r.summary.status, Status::stopped);
  EXPECT_EQ(r.summary.message, "stop at epoch");
  EXPECT_EQ(r.summary.iterations, 2u);
  ASSERT_EQ(r.epochs.size(), 2u);
  ASSERT_FALSE(r.summary.history.empty());
  EXPECT_EQ(r.summary.history.back().iteration, 2u);
  EXPECT_EQ(r.summary.history.back().objective, r.epochs.back().train_loss);
  EXPECT_EQ(r.summary.objective, r.train_loss);
}

TEST(Run, NoHistoryUnlessAsked) {
  const auto r = train::run(small_run({}, 2));
  EXPECT_TRUE(r.summary.history.empty());
  EXPECT_EQ(r.epochs.size(), 2u);
  EXPECT_EQ(r.summary.status, Status::max_iterations);
}

}  // namespace
