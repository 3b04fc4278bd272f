// `descent repro tract`: TrAct (Petersen et al., NeurIPS 2024) against the plain first-layer
// gradient on the spec's CPU-scale protocol (spec 1.5): the patch CNN on Fashion-MNIST, Adam
// 3e-3, batch 128, cosine learning rate stepped every iteration, global normalisation, 2 seeds,
// one thread; the λ sweep, λ = 1e4 (≈ the baseline under Adam), SGD, the whole-image MLP (the
// setting where TrAct is expected to lose) and the step-time overhead. The golden check rebuilds
// the official code's Linear test from torch's generator and compares with its published values.
//
// --quick: a 15k/5k subset, one seed, 2 epochs (baseline at 2 and 3, TrAct at 2); the accuracy
// claims are labelled quick, the full run judges the spec's thresholds.
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "descent/core/error.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/io/csv.hpp"
#include "descent/torch_support/threads.hpp"
#include "descent/tract/tract.hpp"
#include "descent/train/run.hpp"

namespace descent::experiments {
namespace {

std::string fmt(double v, const char* f = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// The official __main__ golden test (seed 0, Linear(8, 5), λ = 0.1, loss mean((y - ŷ)²)) and
// its conv twin, built from torch's generator: max |ours - published| over the printed values.
void golden(Report& report) {
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({30, 8}), y = torch::randn({30, 5});
  tract::TrActLinear lin(8, 5, 0.1);
  (y - lin->forward(x)).pow(2).mean().backward();
  const std::vector<float> w0 = {0.0741,  0.0949, -0.0559, -0.0398,
                                 -0.1364, 0.0013, 0.1603,  -0.0468};
  const std::vector<float> b = {-0.1162, 0.1062, -0.1275, -0.0206, -0.1149};
  const double lin_err =
      std::max((lin->weight.grad()[0] - torch::tensor(w0)).abs().max().item<double>(),
               (lin->bias.grad() - torch::tensor(b)).abs().max().item<double>());
  torch::manual_seed(0);
  const torch::Tensor xc = torch::randn({30, 2, 6, 4}), yc = torch::randn({30, 5, 4, 2});
  tract::TrActConv2d conv(torch::nn::Conv2dOptions(2, 5, 3), 0.1);
  (yc - conv->forward(xc)).pow(2).mean().backward();
  const std::vector<float> cw = {-0.0501, -0.0166, 0.0214, -0.0230, 0.0324,
                                 0.0655,  0.0010,  0.0600, 0.0290};
  const std::vector<float> cb = {0.0052, -0.0397, 0.1093, 0.0464, -0.1079};
  const double conv_err = std::max(
      (conv->weight.grad()[0][0].reshape({-1}) - torch::tensor(cw)).abs().max().item<double>(),
      (conv->bias.grad() - torch::tensor(cb)).abs().max().item<double>());
  report.metric("golden.linear_max_abs_err", lin_err);
  report.metric("golden.conv_max_abs_err", conv_err);
  report.check(
      "golden_gradients",
      "The official code's Linear and Conv2d golden gradients (seed 0) are reproduced "
      "to 1e-4 (4-digit published values)",
      "src/tract.py __main__ (spec 1.5)",
      "max abs err " + fmt(lin_err, "%.2e") + " (linear), " + fmt(conv_err, "%.2e") + " (conv)",
      lin_err <= 1e-4 && conv_err <= 1e-4);
}

struct Setup {
  std::string model = "patch-cnn";
  std::string optimizer = "adam";
  double lr = 3e-3;
  std::size_t train_limit = 0, test_limit = 0;
};

struct Run {
  double accuracy = 0;
  std::vector<double> curve;  // test accuracy after each epoch
  double seconds_per_epoch = 0;
};

// One training run: `epochs` epochs with a cosine schedule over exactly those steps.
Run train_once(const Setup& s, int epochs, double lambda, std::uint64_t seed) {
  train::TrainOptions o;
  o.data = "fashion-mnist";
  o.model = s.model;
  o.optimizer = s.optimizer;
  o.lr = s.lr;
  o.batch = 128;
  o.epochs = epochs;
  o.train_limit = s.train_limit;
  o.test_limit = s.test_limit;
  o.normalize = true;
  o.seed = seed;
  o.tract_lambda = lambda;
  const std::size_t n = s.train_limit ? s.train_limit : 60000;
  const std::size_t steps = std::size_t(epochs) * ((n + o.batch - 1) / o.batch);
  o.schedule = "cosine:" + std::to_string(steps);
  const train::TrainResult r = train::run(o);
  if (r.summary.status != Status::max_iterations)
    throw Error("tract: training ended " + std::string(to_string(r.summary.status)) + ": " +
                r.summary.message);
  Run out;
  out.accuracy = r.test_accuracy;
  for (const auto& e : r.epochs) out.curve.push_back(e.test_accuracy);
  out.seconds_per_epoch = r.epochs.back().seconds / double(r.epochs.size());
  return out;
}

// Mean test accuracy (in %) over seeds, and the mean seconds per epoch.
struct Mean {
  double acc = 0, seconds = 0;
  std::vector<double> curve;
};
Mean over_seeds(const Setup& s, int epochs, double lambda, const ExperimentConfig& cfg, int seeds,
                Report& report, const std::string& key) {
  Mean m;
  m.curve.assign(std::size_t(epochs), 0.0);
  for (int k = 0; k < seeds; ++k) {
    const Run r = train_once(s, epochs, lambda, cfg.seed + std::uint64_t(k));
    report.metric(key + ".seed" + std::to_string(k), 100 * r.accuracy);
    m.acc += 100 * r.accuracy / seeds;
    m.seconds += r.seconds_per_epoch / seeds;
    for (int e = 0; e < epochs; ++e)
      m.curve[std::size_t(e)] += 100 * r.curve[std::size_t(e)] / seeds;
  }
  report.metric(key, m.acc);
  return m;
}

Report run_tract(const ExperimentConfig& cfg) {
  Report report;
  // One thread, the spec's protocol (small models train faster so); restored afterwards.
  const torch_support::ScopedTorchThreads one_thread(1);
  golden(report);
  const bool q = cfg.quick;
  const int seeds = q ? 1 : 2;
  Setup patch;
  if (q) {
    patch.train_limit = 15000;
    patch.test_limit = 5000;
  }
  const std::string tag = q ? " (QUICK: 15k/5k subset, 1 seed)" : " (2 seeds)";
  const double lambda = 0.1;

  // Patch CNN, Adam: baseline at 2, 3 (and 4) epochs, TrAct at 2 (and 4).
  std::map<int, Mean> base, tr;
  const std::vector<int> base_epochs = q ? std::vector<int>{2, 3} : std::vector<int>{2, 3, 4};
  const std::vector<int> tract_epochs = q ? std::vector<int>{2} : std::vector<int>{2, 4};
  for (int e : base_epochs)
    base[e] = over_seeds(patch, e, 0.0, cfg, seeds, report,
                         "patchcnn_adam.e" + std::to_string(e) + ".baseline_acc");
  for (int e : tract_epochs)
    tr[e] = over_seeds(patch, e, lambda, cfg, seeds, report,
                       "patchcnn_adam.e" + std::to_string(e) + ".tract_acc");
  for (int e : tract_epochs)
    report.metric("patchcnn_adam.e" + std::to_string(e) + ".margin_pp", tr[e].acc - base[e].acc);
  const double margin2 = tr[2].acc - base[2].acc;
  const double speedup = tr[2].acc - base[3].acc;
  report.metric("patchcnn_adam.tract_e2_minus_baseline_e3_pp", speedup);
  const double overhead = tr[2].seconds / base[2].seconds;
  report.metric("overhead.step_time_ratio", overhead);

  // Accuracy against epochs (the longest runs of each arm).
  {
    const int e_max = tract_epochs.back();
    Eigen::MatrixXd table(e_max, 3);
    for (int e = 0; e < e_max; ++e)
      table.row(e) << e + 1, base[e_max].curve[std::size_t(e)], tr[e_max].curve[std::size_t(e)];
    io::write_csv(cfg.out_dir + "/patchcnn_accuracy.csv", table, {"epoch", "baseline", "tract"});
    Plot p;
    p.file = "patchcnn_accuracy.png";
    p.title = "patch CNN on Fashion-MNIST, Adam 3e-3, cosine over " + std::to_string(e_max) +
              " epochs" + tag;
    p.xlabel = "epoch";
    p.ylabel = "test accuracy (%)";
    p.series = {{"patchcnn_accuracy.csv", "epoch", "baseline", "baseline"},
                {"patchcnn_accuracy.csv", "epoch", "tract", "TrAct (lambda 0.1)"}};
    report.plots.push_back(p);
  }

  const std::string acc2 = "TrAct " + fmt(tr[2].acc, "%.2f") + "% vs baseline " +
                           fmt(base[2].acc, "%.2f") + "% at 2 epochs: " + fmt(margin2, "%+.2f") +
                           " pp" + tag;
  if (q) {
    report.check("patchcnn_adam_e2_margin_quick",
                 "QUICK run: TrAct beats the baseline at 2 epochs (the +0.8 pp threshold is the "
                 "full run's)",
                 "prototype +1.66 pp (spec 1.5)", acc2, margin2 > 0);
  } else {
    const double margin4 = tr[4].acc - base[4].acc;
    report.check("patchcnn_adam_e2_margin", "TrAct - baseline >= +0.8 pp at 2 epochs",
                 "prototype +1.66 pp (77.41 -> 79.07; spec 1.5, not the paper's CIFAR numbers)",
                 acc2, margin2 >= 0.8);
    report.check("patchcnn_adam_e4_margin", "TrAct - baseline >= +0.8 pp at 4 epochs",
                 "prototype +1.86 pp (80.30 -> 82.16)",
                 "TrAct " + fmt(tr[4].acc, "%.2f") + "% vs baseline " + fmt(base[4].acc, "%.2f") +
                     "%: " + fmt(margin4, "%+.2f") + " pp" + tag,
                 margin4 >= 0.8);
  }
  report.check(q ? "tract_e2_reaches_baseline_e3_quick" : "tract_e2_reaches_baseline_e3",
               "TrAct at 2 epochs reaches the baseline's accuracy at 3 epochs (the paper's "
               "speed-up claim in epochs, here at ratio 1.5)",
               "paper: 1.25x-4x fewer epochs (CIFAR/ImageNet); prototype 79.1 vs ~78.9",
               "TrAct@2 " + fmt(tr[2].acc, "%.2f") + "% vs baseline@3 " + fmt(base[3].acc, "%.2f") +
                   "%" + tag,
               speedup >= 0);
  report.check("overhead_at_most_2x", "A TrAct epoch costs at most 2x a baseline epoch",
               "prototype 1.5-1.9x (Python); spec acceptance <= 2 (aim <= 1.5)",
               fmt(overhead, "%.2f") + "x (seconds per epoch incl. evaluation, 1 thread)",
               overhead <= 2.0);

  if (q) {
    report.not_measured("lambda_sweep", "lambda in {0.05, 0.1, 0.2} all beat the baseline",
                        "spec 1.5 check 3.1 (proposed)", "full run only");
    report.not_measured("lambda_1e4_is_baseline", "lambda = 1e4 within 0.3 pp of the baseline",
                        "spec 1.5 check 3.2", "full run only");
    report.not_measured("mlp_whole_image", "Whole-image MLP: TrAct does not help",
                        "prototype -0.3 to -0.9 pp", "full run only");
  } else {
    bool all = true;
    std::string ours;
    for (double l : {0.05, 0.2}) {
      const std::string key = "lambda_sweep." + fmt(l, "%g");
      const Mean m = over_seeds(patch, 2, l, cfg, seeds, report, key + ".tract_acc");
      report.metric(key + ".margin_pp", m.acc - base[2].acc);
      all = all && m.acc > base[2].acc;
      ours += "lambda " + fmt(l, "%g") + ": " + fmt(m.acc - base[2].acc, "%+.2f") + " pp; ";
    }
    report.metric("lambda_sweep.0.1.margin_pp", margin2);
    ours += "lambda 0.1: " + fmt(margin2, "%+.2f") + " pp (2 epochs)";
    report.check("lambda_sweep", "TrAct beats the baseline at 2 epochs for lambda 0.05, 0.1, 0.2",
                 "spec 1.5 check 3.1 (proposed; only 0.1 measured there)", ours,
                 all && margin2 > 0);
    const Mean big = over_seeds(patch, 2, 1e4, cfg, seeds, report, "lambda_1e4.tract_acc");
    const double diff = std::abs(big.acc - base[2].acc);
    report.metric("lambda_1e4.abs_diff_pp", diff);
    report.check("lambda_1e4_is_baseline",
                 "Under Adam (scale-invariant), lambda = 1e4 reproduces the baseline within 0.3 pp",
                 "spec 1.5 check 3.2",
                 fmt(big.acc, "%.2f") + "% vs " + fmt(base[2].acc, "%.2f") + "% (|diff| " +
                     fmt(diff, "%.2f") + " pp)",
                 diff <= 0.3);
    Setup sgd = patch;
    sgd.optimizer = "momentum";
    sgd.lr = 0.05;
    const Mean sb = over_seeds(sgd, 2, 0.0, cfg, seeds, report, "patchcnn_sgd.e2.baseline_acc");
    const Mean st = over_seeds(sgd, 2, lambda, cfg, seeds, report, "patchcnn_sgd.e2.tract_acc");
    report.metric("patchcnn_sgd.e2.margin_pp", st.acc - sb.acc);
    Setup mlp = patch;
    mlp.model = "mlp:784-256-10";
    mlp.optimizer = "momentum";
    mlp.lr = 0.05;
    const Mean mb = over_seeds(mlp, 2, 0.0, cfg, seeds, report, "mlp.e2.baseline_acc");
    const Mean mt = over_seeds(mlp, 2, lambda, cfg, seeds, report, "mlp.e2.tract_acc");
    report.metric("mlp.e2.margin_pp", mt.acc - mb.acc);
    report.check("mlp_whole_image",
                 "Reported, not a positive test: on a whole-image MLP (Woodbury branch) TrAct "
                 "does not beat the baseline by more than 0.3 pp",
                 "prototype -0.3 to -0.9 pp (spec 1.5: the wrong setting for TrAct)",
                 "TrAct " + fmt(mt.acc, "%.2f") + "% vs " + fmt(mb.acc, "%.2f") + "%: " +
                     fmt(mt.acc - mb.acc, "%+.2f") + " pp (SGD 0.05, momentum 0.9, 2 epochs)",
                 mt.acc - mb.acc <= 0.3);
  }
  report.config = {{"data", "fashion-mnist, global normalisation"},
                   {"model", "patch-cnn: conv4x4/4(1->32)-ReLU-conv3x3(32->64)-ReLU-GAP-Linear"},
                   {"optimizer", "adam lr 3e-3 (SGD rows: momentum 0.9, lr 0.05)"},
                   {"batch", 128},
                   {"schedule", "cosine over all steps, per iteration"},
                   {"lambda", lambda},
                   {"seeds", seeds},
                   {"threads", 1},
                   {"quick", q}};
  report.notes.push_back(
      "The thresholds come from the spec's prototype (Python, 2 seeds), not from the paper, "
      "whose CIFAR-10/ImageNet budgets are out of CPU reach; the paper's claim is the speed-up "
      "in epochs, checked here as TrAct@2 >= baseline@3.");
  return report;
}

const Registrar registrar{{
    .id = "tract",
    .paper = "F. Petersen et al., TrAct: Making First-layer Pre-Activations Trainable, "
             "NeurIPS 2024",
    .summary = "TrAct vs the plain first-layer gradient on the patch CNN (Fashion-MNIST, Adam, "
               "cosine), the lambda sweep, SGD, the whole-image MLP and the step-time overhead.",
    .run = &run_tract,
}};

}  // namespace
}  // namespace descent::experiments
