#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/run.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/optim/transforms.hpp"
#include "descent/optim_torch/optimizer.hpp"
#include "descent/tract/tract.hpp"
#include "descent/train/checkpoint.hpp"
#include "descent/train/data.hpp"
#include "descent/train/model.hpp"
#include "descent/train/run.hpp"

namespace descent::train {
namespace {

constexpr const char* kLogHeader = "epoch,step,lr,train_loss,test_loss,test_accuracy,seconds";

// The header and the complete rows of a training log whose epoch is <= last_epoch.
std::string log_rows_up_to(const std::string& text, int last_epoch) {
  std::string out = std::string(kLogHeader) + "\n";
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) break;  // a half-written last line
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    const std::size_t comma = line.find(',');
    if (comma == std::string::npos || line.rfind(kLogHeader, 0) == 0) continue;
    char* stop = nullptr;
    const long epoch = std::strtol(line.c_str(), &stop, 10);
    if (stop == line.c_str() + comma && epoch >= 1 && epoch <= last_epoch)
      out.append(line).append("\n");
  }
  return out;
}

// Experiments train several models on one data set: keep the converted tensors per process.
const DataSplit& cached_split(const TrainOptions& o) {
  static std::mutex mutex;
  static std::map<std::string, DataSplit> cache;
  std::ostringstream key;
  key << o.data << '|' << o.train_limit << '|' << o.test_limit << '|' << o.seed << '|'
      << o.standardize << '|' << o.normalize;
  std::lock_guard lock(mutex);
  auto it = cache.find(key.str());
  if (it == cache.end()) {
    SplitOptions so;
    so.train_limit = o.train_limit;
    so.test_limit = o.test_limit;
    so.seed = o.seed;
    so.standardize = o.standardize;
    so.normalize = o.normalize;
    if (cache.size() > 4) cache.clear();  // bounded memory
    it = cache.emplace(key.str(), load_split(o.data, so)).first;
  }
  return it->second;
}

struct Evaluation {
  double loss = 0, accuracy = 0;
};

// In eval mode (batch norm uses its running statistics and is not updated by the test data),
// then back to training mode.
Evaluation evaluate(torch::nn::Sequential& model, const TensorDataset& d) {
  torch::NoGradGuard no_grad;
  model->eval();
  struct BackToTraining {
    torch::nn::Sequential& m;
    ~BackToTraining() { m->train(); }
  } back{model};
  double loss = 0, correct = 0;
  const std::int64_t n = d.size(), chunk = 2000;
  for (std::int64_t i = 0; i < n; i += chunk) {
    const auto x = d.x.slice(0, i, std::min(n, i + chunk));
    const auto y = d.y.slice(0, i, std::min(n, i + chunk));
    const auto logits = model->forward(x);
    loss += torch::nn::functional::cross_entropy(
                logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
    correct += logits.argmax(1).eq(y).sum().item<double>();
  }
  return {n ? loss / double(n) : 0.0, n ? correct / double(n) : 0.0};
}

std::string rng_text(const Rng& rng) {
  std::ostringstream s;
  s << rng;
  return s.str();
}

void set_lr(torch::optim::Optimizer& opt, double lr) {
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);
}

}  // namespace

void TrainOptions::validate() const {
  check::non_negative("lr", lr);
  check::non_negative("weight_decay", weight_decay);
  check::at_least("batch", static_cast<long long>(batch), 1);
  check::at_least("epochs", epochs, 1);
  check::require(!resume || !checkpoint_dir.empty(), "resume", "needs --checkpoint DIR");
  history.validate();
  check::non_negative("tract_lambda", tract_lambda);
  (void)optim::Schedule::parse(schedule);
}

TrainResult run(const TrainOptions& o, Callbacks callbacks) {
  o.validate();
  const optim::Schedule schedule = optim::Schedule::parse(o.schedule);
  const DataSplit& split = cached_split(o);
  const TensorDataset& train = split.train;
  const TensorDataset& test = split.test;

  torch::manual_seed(o.seed);
  auto model = make_model(o.model, train.shape, train.classes);
  if (o.tract_lambda > 0) model = tract::wrap_first_layer(model, o.tract_lambda);
  auto opt = optim_torch::make_optimizer(o.optimizer, model->parameters(), o.lr);
  if (o.weight_decay > 0) {
    auto* ours = dynamic_cast<optim_torch::Optimizer*>(opt.get());
    if (!ours) throw InvalidOption("weight_decay", "only for descent's own optimizers");
    ours->set("weight_decay", o.weight_decay);
  }
  const double base_lr = opt->param_groups().front().options().get_lr();
  Rng rng = make_rng(o.seed, {0x7ea1, 1});

  TrainResult r;
  r.parameters = parameter_count(*model);
  r.architecture = describe_layers(model);
  r.train_size = train.size();
  r.test_size = test.size();
  std::int64_t step = 0;
  std::string ckpt;
  if (!o.checkpoint_dir.empty()) {
    std::filesystem::create_directories(o.checkpoint_dir);
    ckpt = (std::filesystem::path(o.checkpoint_dir) / "checkpoint.pt").string();
    if (o.resume && !std::filesystem::exists(ckpt))
      r.resume_note = "no checkpoint in " + o.checkpoint_dir + " to resume: started from scratch";
    if (o.resume && std::filesystem::exists(ckpt)) {
      // The metadata first: loading another model's tensors or another optimizer's state would
      // fail deep inside LibTorch (or, for the optimizer, silently continue the old rule under
      // the new name).
      const CheckpointMeta saved = read_checkpoint_meta(ckpt);
      if (saved.model != o.model || saved.data != o.data)
        throw InputError(ckpt, 0, "meta",
                         "checkpoint is for model '" + saved.model + "' on '" + saved.data +
                             "', not '" + o.model + "' on '" + o.data + "'");
      if (saved.optimizer != o.optimizer)
        throw InputError(ckpt, 0, "meta.optimizer",
                         "checkpoint was trained with optimizer '" + saved.optimizer + "', not '" +
                             o.optimizer + "': resume with --optimizer " + saved.optimizer +
                             ", or start a new --checkpoint DIR");
      if (saved.tract_lambda != o.tract_lambda)
        throw InputError(ckpt, 0, "meta.tract_lambda",
                         "checkpoint was trained with --tract " + check::show(saved.tract_lambda) +
                             ", not " + check::show(o.tract_lambda) + ": resume with --tract " +
                             check::show(saved.tract_lambda) + ", or start a new --checkpoint DIR");
      const CheckpointMeta meta = load_checkpoint(ckpt, *model, opt.get());
      std::istringstream in(meta.rng_state);
      in >> rng;
      if (!in) throw InputError(ckpt, 0, "meta.rng_state", "unreadable RNG state");
      r.start_epoch = static_cast<int>(meta.epoch);
      step = meta.step;
    }
  }

  std::ofstream log;
  if (!o.log.empty()) {
    const bool append = o.resume && r.start_epoch > 0 && std::filesystem::exists(o.log);
    // A run killed after writing an epoch's row but before its checkpoint redoes that epoch:
    // keep only the rows the checkpoint covers (and no half-written last line), atomically.
    if (append) io::write_file_atomic(o.log, log_rows_up_to(io::read_file(o.log), r.start_epoch));
    log.open(o.log, append ? std::ios::app : std::ios::trunc);
    if (!log) throw Error("cannot open log file " + o.log);
    if (!append) log << kLogHeader << '\n';
  }

  Run run(o.optimizer, static_cast<std::size_t>(r.parameters), static_cast<std::size_t>(o.epochs),
          o.history, callbacks);
  model->train();
  const std::int64_t n = train.size();
  const auto batch = static_cast<std::int64_t>(o.batch);
  for (int epoch = r.start_epoch + 1; epoch <= o.epochs; ++epoch) {
    const auto perm = permutation(rng, n);
    const torch::Tensor order =
        torch::from_blob(const_cast<Eigen::Index*>(perm.data()), {n}, torch::kInt64).clone();
    double loss_sum = 0;
    bool diverged = false;
    double lr = base_lr;
    for (std::int64_t i = 0; i < n; i += batch) {
      const auto idx = order.slice(0, i, std::min(n, i + batch));
      const auto xb = train.x.index_select(0, idx);
      const auto yb = train.y.index_select(0, idx);
      opt->zero_grad();
      const auto loss = torch::nn::functional::cross_entropy(model->forward(xb), yb);
      loss.backward();
      const double l = loss.item<double>();
      if (!std::isfinite(l)) {
        diverged = true;
        break;
      }
      loss_sum += l * double(idx.size(0));
      ++step;
      lr = base_lr * schedule.factor(step);
      set_lr(*opt, lr);
      opt->step();
    }
    if (diverged) {
      run.end(Status::diverged, "training loss became non-finite in epoch " +
                                    std::to_string(epoch) + "; reduce the learning rate");
      break;
    }
    const Evaluation ev = evaluate(model, test);
    EpochRow row{epoch, step, lr, loss_sum / double(n), ev.loss, ev.accuracy, run.seconds()};
    r.epochs.push_back(row);
    r.train_loss = row.train_loss;
    r.test_loss = row.test_loss;
    r.test_accuracy = row.test_accuracy;
    if (log.is_open()) {
      log.precision(17);
      log << row.epoch << ',' << row.step << ',' << row.lr << ',' << row.train_loss << ','
          << row.test_loss << ',' << row.test_accuracy << ',' << row.seconds << '\n';
      log.flush();
      if (!log) throw Error("cannot write log file " + o.log + ": " + std::strerror(errno));
    }
    if (!ckpt.empty()) {
      CheckpointMeta meta;
      meta.model = o.model;
      meta.data = o.data;
      meta.optimizer = o.optimizer;
      meta.epoch = epoch;
      meta.step = step;
      meta.rng_state = rng_text(rng);
      meta.tract_lambda = o.tract_lambda;
      meta.input = train.shape;
      meta.classes = train.classes;
      meta.input_shift = split.input_shift;
      meta.input_scale = split.input_scale;
      meta.standardized = o.standardize;
      save_checkpoint(ckpt, *model, opt.get(), meta);
    }
    const Metric extras[] = {{"test_loss", row.test_loss}, {"test_accuracy", row.test_accuracy}};
    IterationInfo info;
    info.iteration = static_cast<std::size_t>(epoch);
    info.objective = row.train_loss;
    info.step_size = lr;
    info.seconds = row.seconds;
    info.extras = extras;
    if (run.record(info)) break;
  }
  if (r.epochs.empty() && !run.ended()) {
    // Resumed a run that had already finished: report the restored model (it used to report
    // 0.0 for every loss and accuracy). The training loss is over the whole training set in
    // evaluation mode, not the last epoch's running mean.
    const Evaluation te = evaluate(model, test);
    const Evaluation tr = evaluate(model, train);
    r.test_loss = te.loss;
    r.test_accuracy = te.accuracy;
    r.train_loss = tr.loss;
    run.summary().iterations = static_cast<std::size_t>(r.start_epoch);
    run.end(Status::max_iterations, "the checkpoint had already trained " +
                                        std::to_string(r.start_epoch) + " epochs (>= --epochs " +
                                        std::to_string(o.epochs) + "): evaluated it");
  }
  run.end(Status::max_iterations, "trained " + std::to_string(o.epochs) + " epochs");
  Summary& s = run.summary();
  s.gradient_evaluations = static_cast<std::size_t>(step);
  s.counters["test_accuracy"] = r.test_accuracy;
  s.counters["test_loss"] = r.test_loss;
  r.checkpoint = ckpt;
  if (o.keep_parameters) {
    const torch::Tensor flat = flat_parameters(*model).to(torch::kFloat64).contiguous();
    r.final_parameters.assign(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
  }
  r.summary = run.finish(r.train_loss, std::numeric_limits<double>::quiet_NaN());
  return r;
}

}  // namespace descent::train
