// `descent train`: the shared LibTorch training loop (descent::train) on the offline data sets.
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/io/json.hpp"
#ifdef DESCENT_HAVE_TORCH
#include "descent/train/run.hpp"
#endif

namespace descent::cli {
namespace {

#ifdef DESCENT_HAVE_TORCH
struct TrainFlags {
  train::TrainOptions options;
  RunFlags run;
};

int run_train(TrainFlags f, const Globals& g) {
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
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_train(*f, g); }};
#else
  (void)g;
  return needs_torch(cmd);
#endif
});

}  // namespace
}  // namespace descent::cli
