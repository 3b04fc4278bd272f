// `descent train --method noprop`: NoProp-DT (or its back-propagation baseline) on a data set.
#include "descent/noprop/run.hpp"

#include <chrono>
#include <filesystem>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/noprop/noprop.hpp"

namespace descent::noprop {

namespace {

NoPropOptions library_options(const RunOptions& r) {
  NoPropOptions o;
  const std::string& m = r.model;
  auto width = [&](std::size_t colon) {
    try {
      std::size_t used = 0;
      const int h = std::stoi(m.substr(colon + 1), &used);
      if (used != m.size() - colon - 1 || h < 1) throw std::invalid_argument("");
      return h;
    } catch (const std::exception&) {
      throw InvalidOption("model", "'" + m + "': expected mlp:H or cnn[:H] with H >= 1");
    }
  };
  if (m.rfind("mlp:", 0) == 0) {
    o.block = "mlp";
    o.hidden = width(3);
  } else if (m == "cnn" || m == "cnn-small") {
    o.block = "cnn";
    o.hidden = 128;
  } else if (m.rfind("cnn:", 0) == 0) {
    o.block = "cnn";
    o.hidden = width(3);
  } else {
    throw InvalidOption("model", "'" + m + "': NoProp blocks are mlp:H or cnn[:H]");
  }
  o.blocks = r.blocks;
  o.embedding = r.embedding;
  o.embedding_dim = r.embedding_dim;
  o.eta = r.eta;
  o.inference_noise = r.inference_noise;
  o.epochs = r.epochs;
  o.batch = static_cast<int>(r.batch);
  o.lr = r.lr;
  o.weight_decay = r.weight_decay;
  o.seed = r.seed;
  o.validate();
  return o;
}

}  // namespace

RunResult run(const RunOptions& r, Callbacks callbacks) {
  const NoPropOptions o = library_options(r);
  train::SplitOptions so;
  so.train_limit = r.train_limit;
  so.test_limit = r.test_limit;
  so.seed = r.seed;
  so.standardize = r.standardize;
  so.normalize = r.normalize;
  const train::DataSplit split = train::load_split(r.data, so);
  torch::manual_seed(r.seed);
  NoPropDT model(split.train.shape, split.train.classes, o);
  RunResult result;
  for (const auto& p : model->parameters()) result.parameters += p.numel();
  result.train_size = split.train.size();
  result.test_size = split.test.size();
  std::string path;
  if (!r.checkpoint_dir.empty()) {
    std::filesystem::create_directories(r.checkpoint_dir);
    path = (std::filesystem::path(r.checkpoint_dir) / "noprop.pt").string();
  }
  RunInfo info;
  info.method = r.backprop ? "noprop-backprop" : "noprop";
  info.dimension = static_cast<std::size_t>(result.parameters);
  info.max_iterations = static_cast<std::size_t>(r.epochs);
  callbacks.begin(info);
  Summary& s = result.summary;
  s.method = info.method;
  s.status = Status::max_iterations;
  s.message = "all epochs ran";
  const auto start = std::chrono::steady_clock::now();
  auto on_epoch = [&](const EpochReport& e) {
    result.epochs.push_back({e.epoch, e.train_loss, e.test_accuracy, e.seconds});
    if (!path.empty()) {
      torch::serialize::OutputArchive archive;
      model->save(archive);
      std::ostringstream bytes;
      archive.save_to(bytes);
      io::write_file_atomic(path, bytes.str());
      result.checkpoint = path;
    }
    const Metric extras[] = {{"test_accuracy", e.test_accuracy}};
    IterationInfo it;
    it.iteration = static_cast<std::size_t>(e.epoch);
    it.objective = e.train_loss;
    it.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    it.extras = extras;
    if (!std::isfinite(e.train_loss)) {
      s.status = Status::diverged;
      s.message = "the training loss became non-finite";
      return false;
    }
    if (callbacks.iteration(it)) {
      s.status = Status::stopped;
      s.message = callbacks.stop_reason();
      return false;
    }
    return true;
  };
  const auto rows = r.backprop ? train_backprop(model, split, o, on_epoch)
                               : train_noprop(model, split, o, on_epoch);
  if (!rows.empty() && !std::isfinite(rows.back().train_loss)) {
    s.status = Status::diverged;
    s.message = "the training loss became non-finite";
  }
  s.iterations = rows.size();
  s.objective = rows.empty() ? NAN : rows.back().train_loss;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.test_accuracy = rows.empty() ? 0.0 : rows.back().test_accuracy;
  result.test_accuracy_no_noise = accuracy(model, split.test, false, r.backprop, r.seed);
  callbacks.end(s);
  return result;
}

}  // namespace descent::noprop
