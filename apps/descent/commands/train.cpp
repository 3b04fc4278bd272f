// `descent train`: the shared LibTorch training loop (descent::train) on the offline data sets.
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/io/json.hpp"
#ifdef DESCENT_HAVE_TORCH
#include "descent/noprop/run.hpp"
#include "descent/train/run.hpp"
#endif

namespace descent::cli {
namespace {

#ifdef DESCENT_HAVE_TORCH
struct TrainFlags {
  train::TrainOptions options;
  RunFlags run;
  std::string method = "backprop";
  noprop::RunOptions noprop;  // --blocks, --embedding, ... (the rest comes from options)
  bool no_inference_noise = false;
};

// `--method noprop|noprop-backprop`: NoProp-DT (descent/noprop) with the shared flags.
int run_noprop(TrainFlags f, const Globals& g) {
  noprop::RunOptions& n = f.noprop;
  const train::TrainOptions& o = f.options;
  if (o.resume) throw InvalidOption("--resume", "not available with --method " + f.method);
  if (o.tract_lambda > 0) throw InvalidOption("--tract", "not available with --method " + f.method);
  if (o.optimizer != "adam" && o.optimizer != "adamw")
    warn("--optimizer " + o.optimizer + " is ignored: NoProp trains each block with its own AdamW");
  if (o.schedule != "constant") warn("--schedule is ignored with --method " + f.method);
  n.backprop = f.method == "noprop-backprop";
  n.inference_noise = !f.no_inference_noise;
  n.data = o.data;
  n.model = o.model;
  n.epochs = o.epochs;
  n.batch = o.batch;
  if (o.lr > 0) n.lr = o.lr;
  if (o.weight_decay > 0) n.weight_decay = o.weight_decay;
  n.seed = g.seed;
  n.train_limit = o.train_limit;
  n.test_limit = o.test_limit;
  n.standardize = o.standardize;
  n.normalize = o.normalize;
  n.checkpoint_dir = o.checkpoint_dir;
  const noprop::RunResult r = noprop::run(n, make_callbacks(f.run, g));
  const Summary& s = r.summary;
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["method"] = f.method;
    j["data"] = n.data;
    j["model"] = n.model;
    j["blocks"] = n.blocks;
    j["embedding"] = n.embedding;
    j["parameters"] = r.parameters;
    j["train_size"] = r.train_size;
    j["test_size"] = r.test_size;
    j["test_accuracy"] = r.test_accuracy;
    j["test_accuracy_no_noise"] = r.test_accuracy_no_noise;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& e : r.epochs)
      rows.push_back({{"epoch", e.epoch},
                      {"train_loss", e.train_loss},
                      {"test_accuracy", e.test_accuracy},
                      {"seconds", e.seconds}});
    j["epochs"] = rows;
    if (!r.checkpoint.empty()) j["checkpoint"] = r.checkpoint;
    print_json(j);
  } else {
    for (const auto& e : r.epochs)
      std::cout << "epoch " << e.epoch << ": train loss " << e.train_loss << ", test accuracy "
                << e.test_accuracy << " (" << e.seconds << " s)\n";
    std::cout << (n.backprop ? "back-propagation of NoProp's " : "NoProp-DT, ") << n.blocks
              << " blocks (" << n.model << ", " << n.embedding << " embedding) on " << n.data
              << " (" << r.parameters << " parameters, " << r.train_size << " train / "
              << r.test_size << " test): test accuracy " << r.test_accuracy
              << (n.backprop ? ""
                             : " (without inference noise " +
                                   std::to_string(r.test_accuracy_no_noise) + ")")
              << "; " << s.brief() << "\n";
    if (!r.checkpoint.empty()) std::cout << "  checkpoint: " << r.checkpoint << "\n";
  }
  return exit_code(s.status, Goal::budget);
}

int run_train(TrainFlags f, const Globals& g) {
  if (f.method != "backprop") return run_noprop(std::move(f), g);
  f.options.seed = g.seed;
  if (f.options.log.empty()) f.options.log = f.run.log;
  f.run.log.clear();  // the loop writes its own per-epoch CSV
  check::non_negative("--tract", f.options.tract_lambda);
  const train::TrainResult r = train::run(f.options, make_callbacks(f.run, g));
  const Summary& s = r.summary;
  if (!r.resume_note.empty()) warn(r.resume_note);
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["data"] = f.options.data;
    j["model"] = f.options.model;
    j["optimizer"] = f.options.optimizer;
    j["tract_lambda"] = f.options.tract_lambda > 0 ? nlohmann::json(f.options.tract_lambda)
                                                   : nlohmann::json(nullptr);
    j["parameters"] = r.parameters;
    if (!r.resume_note.empty()) j["resume_note"] = r.resume_note;
    j["architecture"] = r.architecture;
    j["train_size"] = r.train_size;
    j["test_size"] = r.test_size;
    j["start_epoch"] = r.start_epoch;
    j["test_accuracy"] = r.test_accuracy;
    j["test_loss"] = r.test_loss;
    j["train_loss"] = r.train_loss;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& e : r.epochs)
      rows.push_back({{"epoch", e.epoch},
                      {"step", e.step},
                      {"lr", e.lr},
                      {"train_loss", e.train_loss},
                      {"test_loss", e.test_loss},
                      {"test_accuracy", e.test_accuracy},
                      {"seconds", e.seconds}});
    j["epochs"] = rows;
    if (!r.checkpoint.empty()) j["checkpoint"] = r.checkpoint;
    print_json(j);
  } else {
    for (const auto& e : r.epochs)
      std::cout << "epoch " << e.epoch << ": train loss " << e.train_loss << ", test loss "
                << e.test_loss << ", test accuracy " << e.test_accuracy << " (" << e.seconds
                << " s)\n";
    std::cout << f.options.model << " (" << r.architecture << ") on " << f.options.data << " ("
              << r.parameters << " parameters, " << r.train_size << " train / " << r.test_size
              << " test), " << f.options.optimizer
              << (f.options.tract_lambda > 0
                      ? " with TrAct (lambda " + check::show(f.options.tract_lambda) + ")"
                      : std::string())
              << ": " << s.brief() << "\n";
    if (!r.checkpoint.empty()) std::cout << "  checkpoint: " << r.checkpoint << "\n";
  }
  return exit_code(s.status, Goal::budget);
}
#endif

#ifdef DESCENT_HAVE_TORCH
const MethodRegistrar tract_method(
    {"tract", "tract", "descent train --tract 0.1",
     "Petersen, Borgelt, Sutter, Kuehne, Deussen, Ermon, NeurIPS 2024",
     "TrAct: the first layer's weight gradient preconditioned by its damped input Gram matrix"});
#endif

const CommandRegistrar registrar("train", [](CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("train", "Train a small network (LibTorch) with any optimizer");
#ifdef DESCENT_HAVE_TORCH
  auto f = std::make_shared<TrainFlags>();
  auto& o = f->options;
  o.data = "fashion-mnist";
  // Hidden widths only, so that the input and output widths follow the data: 784-128-10 on
  // Fashion-MNIST as before, 4-128-3 on iris (mlp:784-128-10 there built 4-784-128-10-3).
  o.model = "mlp:128";
  cmd->add_option("--data", o.data, "fashion-mnist, mnist-10k, digits, iris, wine, breast-cancer")
      ->capture_default_str();
  cmd->add_option("--model", o.model,
                  "mlp:HIDDEN-... (input/output widths from the data), mlp:IN-...-OUT, linear or "
                  "cnn-small; the widths built are printed")
      ->capture_default_str();
  cmd->add_option("--optimizer", o.optimizer,
                  "sgd, momentum, nesterov, adam, adamw, diffgrad, diffgrad-legacy, diffgrad1..5, "
                  "normalized-momentum, torch-adam, torch-adamw, torch-sgd")
      ->capture_default_str();
  cmd->add_option("--lr", o.lr, "Learning rate (default: the optimizer's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--weight-decay", o.weight_decay)->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch", o.batch, "Minibatch size")->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "Epochs (total, also when resuming)")
      ->capture_default_str();
  cmd->add_option("--schedule", o.schedule,
                  "Per-step lr: constant, step:S:G, cosine:T, warmup:W+...")
      ->capture_default_str();
  cmd->add_option("--train-limit", o.train_limit, "Random training subset of N samples");
  cmd->add_option("--test-limit", o.test_limit, "Random test subset of N samples");
  cmd->add_flag("--standardize", o.standardize, "z-score the features (tabular sets)");
  cmd->add_flag("--normalize", o.normalize,
                "Subtract the global pixel mean and divide by the global std (images)");
  cmd->add_option("--checkpoint", o.checkpoint_dir, "Write DIR/checkpoint.pt after every epoch");
  cmd->add_flag("--resume", o.resume, "Continue from DIR/checkpoint.pt (bit-for-bit)");
  cmd->add_option("--tract", o.tract_lambda,
                  "TrAct on the first Linear/Conv2d layer with this lambda (0.1 is the paper's); "
                  "0 = off");
  cmd->add_option("--method", f->method,
                  "backprop (the loop above), noprop (NoProp-DT: one denoising block per "
                  "step) or noprop-backprop (NoProp's architecture trained end to end)")
      ->check(CLI::IsMember({"backprop", "noprop", "noprop-backprop"}))
      ->capture_default_str();
  cmd->add_option("--blocks", f->noprop.blocks, "NoProp: denoising blocks T")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--embedding", f->noprop.embedding, "NoProp: class embeddings")
      ->check(CLI::IsMember({"onehot", "learned"}))
      ->capture_default_str();
  cmd->add_option("--embedding-dim", f->noprop.embedding_dim, "NoProp: width of learned embeddings")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--noprop-eta", f->noprop.eta, "NoProp: weight of the denoising loss")
      ->check(finite_positive)
      ->capture_default_str();
  cmd->add_flag("--no-inference-noise", f->no_inference_noise,
                "NoProp: predict along the noise-free path (z_0 = 0, no noise per block)");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_train(*f, g); }};
#else
  (void)g;
  return needs_torch(cmd);
#endif
});

}  // namespace
}  // namespace descent::cli
