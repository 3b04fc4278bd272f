// `descent repro normgrad`: NormGrad (Rebuffi, Fong, Ji, Vedaldi, CVPR 2020) on the spec's
// synthetic pointing game (4.5): Fashion-MNIST items pasted at random positions on 64×64 noise
// canvases (train::load_split "fashion-mnist-canvas"), a small CNN with global pooling trained by
// the shared loop (descent::train) on one thread, then every map scored by whether its maximum
// falls in the item's box grown by 3 px (saliency::pointing_game): NormGrad at each conv layer,
// "combi", the input gradient and Grad-CAM, against the centre point and the box-area baseline.
// Class sensitivity (top vs bottom class), meta-saliency (one SGD step), cascading
// re-initialisation and the cost of all layers' maps against one gradient map complete the
// spec's checks; a PNG grid shows the maps of 8 test images.
//
// --quick: fewer canvases and epochs (under a minute), thresholds labelled quick.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "descent/core/error.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/png.hpp"
#include "descent/saliency/explain.hpp"
#include "descent/saliency/heatmap.hpp"
#include "descent/saliency/saliency.hpp"
#include "descent/torch_support/threads.hpp"
#include "descent/train/checkpoint.hpp"
#include "descent/train/data.hpp"
#include "descent/train/run.hpp"

namespace descent::experiments {
namespace {

namespace sal = saliency;

std::string fmt(double v, const char* f = "%.3g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// The recipe: a conv-BN-ReLU net with global max pooling (train::make_model "gmp-cnn"), Adam
// with a linear warm-up over the first quarter of the steps and a cosine decay after it. Global
// max pooling, not average: under average pooling the score's gradient at the last conv layer is
// the same at every location, so NormGrad there is ‖x(u)‖ times a class-dependent constant and
// cannot tell classes apart (docs/saliency.md).
struct Recipe {
  std::string model = "gmp-cnn";
  std::string optimizer = "adam";
  double lr = 1e-2;
  std::size_t batch = 64;
  int epochs = 3;
  std::size_t train_canvases = 60000, test_canvases = 1000, probe = 300;
  double meta_lr = 1e-2;
};

Recipe recipe(bool quick) {
  Recipe r;
  if (quick) {
    r.epochs = 2;
    r.train_canvases = 10000;
    r.test_canvases = 300;
    r.probe = 100;
  }
  return r;
}

struct Trained {
  train::LoadedModel model;
  double seconds = 0, accuracy = 0;
};

Trained train_model(const Recipe& rc, const ExperimentConfig& cfg) {
  train::TrainOptions o;
  o.data = "fashion-mnist-canvas";
  o.model = rc.model;
  o.optimizer = rc.optimizer;
  o.lr = rc.lr;
  o.batch = rc.batch;
  o.epochs = rc.epochs;
  o.train_limit = rc.train_canvases;
  o.test_limit = rc.test_canvases;
  o.seed = cfg.seed;
  const std::size_t steps =
      std::size_t(rc.epochs) * ((rc.train_canvases + rc.batch - 1) / rc.batch);
  const std::size_t warm = steps / 4;
  o.schedule = "warmup:" + std::to_string(warm) + "+cosine:" + std::to_string(steps);
  o.checkpoint_dir = cfg.out_dir + "/model";
  const train::TrainResult r = train::run(o);
  if (r.summary.status != Status::max_iterations)
    throw Error("normgrad: training ended " + std::string(to_string(r.summary.status)) + ": " +
                r.summary.message);
  Trained t;
  t.model = train::load_model(r.checkpoint);
  t.accuracy = r.test_accuracy;
  t.seconds = r.epochs.back().seconds;  // the loop's clock is cumulative
  return t;
}

// Mean Pearson correlation, per layer, between the maps of the top and the bottom class.
std::vector<double> class_correlation(torch::nn::Sequential& model, const torch::Tensor& images,
                                      const std::vector<std::string>& layers, double meta_lr) {
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    logits = model->forward(images.reshape({images.size(0), -1}));
  }
  const auto maps = [&](const torch::Tensor& cls) {
    return meta_lr > 0 ? sal::meta_explain(model, images, cls, layers, meta_lr)
                       : sal::explain(model, images, cls, layers);
  };
  const sal::Maps top = maps(logits.argmax(1)), bottom = maps(logits.argmin(1));
  std::vector<double> out;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    double s = 0;
    for (std::int64_t i = 0; i < images.size(0); ++i)
      s += sal::pearson(top.normgrad[l][i], bottom.normgrad[l][i]);
    out.push_back(s / double(images.size(0)));
  }
  return out;
}

double seconds_of(const std::function<void()>& f, int repeats) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto s = std::chrono::steady_clock::now();
    f();
    best =
        std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - s).count());
  }
  return best;
}

Report run_normgrad(const ExperimentConfig& cfg) {
  Report report;
  const torch_support::ScopedTorchThreads one_thread(1);
  const bool q = cfg.quick;
  const Recipe rc = recipe(q);
  const std::string tag = q ? " (QUICK: " + std::to_string(rc.train_canvases) + " canvases, " +
                                  std::to_string(rc.epochs) + " epochs)"
                            : "";
  torch::manual_seed(cfg.seed);
  Trained t = train_model(rc, cfg);
  torch::nn::Sequential& net = t.model.model;
  report.metric("model.test_accuracy", t.accuracy);
  report.metric("model.train_seconds", t.seconds);

  // The test canvases, exactly as the training loop's test split.
  train::SplitOptions so;
  so.seed = cfg.seed;
  so.train_limit = 1;  // only the test split is used, and it does not depend on this
  so.test_limit = rc.test_canvases;
  const train::DataSplit split = train::load_split("fashion-mnist-canvas", so);
  const train::TensorDataset& test = split.test;
  const torch::Tensor images = test.x.reshape({test.size(), 1, 64, 64});
  const std::vector<std::string> layers = sal::conv_layers(net);
  const std::string first = layers.front(), last = layers.back();

  // Pointing game for the predicted class.
  const sal::PointingResult pg = sal::pointing_game(net, images, test.y, test.boxes, layers);
  std::string per_layer;
  for (const auto& l : layers) {
    report.metric("pointing.normgrad_" + l + "_hit", pg.hit("normgrad:" + l));
    report.metric("pointing.normgrad3x3_" + l + "_hit", pg.hit("normgrad-3x3:" + l));
    per_layer +=
        (per_layer.empty() ? "" : ", ") + l + " " + fmt(100 * pg.hit("normgrad:" + l), "%.0f");
  }
  const double last_hit = pg.hit("normgrad:" + last), combi = pg.hit("combi");
  const double centre = pg.hit("center"), area = pg.box_area_baseline;
  report.metric("pointing.last_layer_hit", last_hit);
  report.metric("pointing.combi_hit", combi);
  report.metric("pointing.gradient_hit", pg.hit("gradient"));
  report.metric("pointing.gradient_x_input_hit", pg.hit("gradient-x-input"));
  report.metric("pointing.gradcam_hit", pg.hit("gradcam:" + last));
  report.metric("pointing.center_baseline", centre);
  report.metric("pointing.box_area_baseline", area);
  {
    std::string csv = "method,hit_rate\n";
    for (const auto& s : pg.scores) csv += s.method + "," + fmt(s.hit_rate, "%.6g") + "\n";
    io::write_file_atomic(cfg.out_dir + "/pointing.csv", csv);
  }

  // Class sensitivity per layer, then with meta-saliency.
  const torch::Tensor probe = images.slice(0, 0, static_cast<std::int64_t>(rc.probe));
  const std::vector<double> corr = class_correlation(net, probe, layers, 0.0);
  for (std::size_t l = 0; l < layers.size(); ++l)
    report.metric("class_sensitivity.corr_" + layers[l], corr[l]);
  report.metric("class_sensitivity.corr_first_layer", corr.front());
  report.metric("class_sensitivity.corr_last_layer", corr.back());
  const std::vector<double> meta = class_correlation(net, probe, layers, rc.meta_lr);
  const double meta_drop = corr.back() - meta.back();
  report.metric("meta.corr_last_layer", meta.back());
  report.metric("meta.corr_drop", meta_drop);
  report.metric("meta.lr", rc.meta_lr);

  // Cascading re-initialisation from the top: Spearman of the last layer's maps after each step.
  torch::Tensor predicted;
  {
    torch::NoGradGuard no_grad;
    predicted = net->forward(probe.reshape({probe.size(0), -1})).argmax(1);
  }
  const sal::Maps original = sal::explain(net, probe, predicted, {last});
  double spearman = 0;
  {
    const std::string ckpt = cfg.out_dir + "/model/checkpoint.pt";
    train::LoadedModel all = train::load_model(ckpt);
    const std::size_t weighted = sal::reinitialize_top_layers(all.model, SIZE_MAX);
    // Reload and randomise 1, 2, ... layers from the top (the last: every layer).
    for (std::size_t k = 1; k <= weighted; ++k) {
      train::LoadedModel m = train::load_model(ckpt);
      torch::manual_seed(cfg.seed + 99);
      sal::reinitialize_top_layers(m.model, k);
      const sal::Maps rnd = sal::explain(m.model, probe, predicted, {last});
      double s = 0;
      for (std::int64_t i = 0; i < probe.size(0); ++i)
        s += sal::spearman(original.normgrad[0][i], rnd.normgrad[0][i]) / double(probe.size(0));
      report.metric("sanity.spearman_top" + std::to_string(k), s);
      spearman = s;
    }
  }
  report.metric("sanity.spearman_last_layer", spearman);

  // Cost: every layer's maps from one pass against one input-gradient map (batch 128).
  const torch::Tensor batch = images.slice(0, 0, 128);
  torch::Tensor bcls;
  {
    torch::NoGradGuard no_grad;
    bcls = net->forward(batch.reshape({batch.size(0), -1})).argmax(1);
  }
  const double t_all = seconds_of(
      [&] {
        const torch::Tensor x = batch.clone().requires_grad_(true);
        const sal::Forward f = sal::forward_keeping(net, x, layers);
        std::vector<torch::Tensor> wrt = f.activations;
        const auto g = sal::layer_gradients(f.logits.gather(1, bcls.unsqueeze(1)), wrt);
        for (std::size_t l = 0; l < layers.size(); ++l)
          (void)sal::normgrad(f.activations[l].detach(), g[l]);
      },
      7);
  const double t_grad = seconds_of(
      [&] {
        const torch::Tensor x = batch.reshape({batch.size(0), -1}).clone().requires_grad_(true);
        const torch::Tensor s = net->forward(x).gather(1, bcls.unsqueeze(1));
        (void)sal::gradient_map(sal::layer_gradients(s, {x})[0].reshape(batch.sizes()));
      },
      7);
  const double ratio = t_all / t_grad;
  report.metric("speed.normgrad_all_layers_over_gradient", ratio);

  // Maps of 8 test images: image, NormGrad per layer, combi, gradient, Grad-CAM.
  {
    const torch::Tensor eight = images.slice(0, 0, 8);
    torch::Tensor pred8;
    {
      torch::NoGradGuard no_grad;
      pred8 = net->forward(eight.reshape({8, -1})).argmax(1);
    }
    const sal::Maps m = sal::explain(net, eight, pred8, layers);
    const torch::Tensor combi8 = sal::combined(m.normgrad, 64, 64);
    std::vector<io::Image> tiles;
    for (std::int64_t i = 0; i < eight.size(0); ++i) {
      const torch::Tensor img = test.x[i].reshape({1, 64, 64});
      tiles.push_back(sal::to_rgb_image(img));
      for (const auto& map : m.normgrad) tiles.push_back(sal::heatmap_overlay(img, map[i]));
      tiles.push_back(sal::heatmap_overlay(img, combi8[i]));
      tiles.push_back(sal::heatmap_overlay(img, m.gradient[i]));
      tiles.push_back(sal::heatmap_overlay(img, m.gradcam.back()[i]));
    }
    io::write_png(cfg.out_dir + "/maps.png",
                  sal::tile_grid(tiles, static_cast<int>(layers.size()) + 4));
    std::string cols = "image";
    for (const auto& l : layers) cols += ", NormGrad " + l;
    report.notes.push_back("maps.png: 8 test canvases, one per row; columns: " + cols +
                           ", combi, input gradient, Grad-CAM (" + last + ").");
  }

  // Claims.
  const double need_acc = q ? 0.70 : 0.85;
  report.check(q ? "model_accuracy_quick" : "model_accuracy",
               "The pointing-game CNN reaches the accuracy the game needs",
               "spec 4.5: >= 85% after 2-3 epochs", fmt(100 * t.accuracy, "%.1f") + "%" + tag,
               t.accuracy >= need_acc);
  report.check(q ? "last_layer_hit_quick" : "last_layer_hit",
               q ? "QUICK: NormGrad at the last conv layer points into the box >= 80% of the time"
                 : "NormGrad at the last conv layer points into the box >= 90% of the time",
               "spec 4.5 check 2.1 (prototype scale; the paper's VOC/COCO tables are out of reach)",
               fmt(100 * last_hit, "%.1f") + "% (" + per_layer + ")" + tag,
               last_hit >= (q ? 0.80 : 0.90));
  report.check(
      "combi_close_to_last", "combi scores >= the last layer's score - 2 pp", "spec 4.5 check 2.2",
      "combi " + fmt(100 * combi, "%.1f") + "% vs last " + fmt(100 * last_hit, "%.1f") + "%",
      combi >= last_hit - 0.02);
  report.check("beats_box_area_baseline",
               "Both beat the random-point (box-area) baseline by >= 50 pp",
               "spec 4.5 check 2.3 (its 'centre baseline', sized as the box-area fraction)",
               "box area " + fmt(100 * area, "%.1f") + "%: last " + fmt(100 * last_hit, "%.1f") +
                   "%, combi " + fmt(100 * combi, "%.1f") + "% (gradient " +
                   fmt(100 * pg.hit("gradient"), "%.1f") + "%, Grad-CAM " +
                   fmt(100 * pg.hit("gradcam:" + last), "%.1f") + "%)",
               last_hit >= area + 0.5 && combi >= area + 0.5);
  report.check("beats_centre_point",
               "Both beat the centre point (a map peaking at the canvas centre), which hits far "
               "more often than the box area because a 28-px item fills most of the 64-px "
               "canvas's placements",
               "issue 17 acceptance 4 asks for +50 pp over the centre baseline",
               "centre point " + fmt(100 * centre, "%.1f") + "%: last " +
                   fmt(100 * last_hit, "%.1f") + "%, combi " + fmt(100 * combi, "%.1f") + "%",
               last_hit >= centre + 0.5 && combi >= centre + 0.5);
  report.check("class_sensitivity",
               "Maps of the top and bottom class correlate less at the last conv layer than at "
               "the first",
               "spec 4.5 check 3.1 (paper: early-layer gradient maps are class-insensitive)",
               "mean Pearson " + fmt(corr.front(), "%.3f") + " (" + first + ") vs " +
                   fmt(corr.back(), "%.3f") + " (" + last + ")",
               corr.back() < corr.front());
  report.check("meta_saliency",
               "Meta-saliency (one SGD step, lr " + fmt(rc.meta_lr, "%g") +
                   ") lowers the last-layer correlation by >= 0.05",
               "spec 4.5 check 3.2",
               "Pearson " + fmt(corr.back(), "%.3f") + " -> " + fmt(meta.back(), "%.3f") +
                   " (drop " + fmt(meta_drop, "%.3f") + ")",
               meta_drop >= 0.05);
  report.check(
      "sanity_reinit", "Cascading re-initialisation drops the last layer's map Spearman below 0.5",
      "spec 4.5 check 4 (Adebayo et al.)", "Spearman " + fmt(spearman, "%.3f"), spearman < 0.5);
  report.check("speed", "All layers' NormGrad cost < 2x one input-gradient map", "spec 4.5 check 5",
               fmt(ratio, "%.2f") + "x (" + std::to_string(layers.size()) +
                   " layers, best of 7, batch 128, 1 thread)",
               ratio < 2.0);
  report.config = {{"data", "fashion-mnist-canvas (64x64, noise sigma 0.1)"},
                   {"model", rc.model},
                   {"optimizer", rc.optimizer},
                   {"lr", rc.lr},
                   {"schedule", "cosine over all steps"},
                   {"batch", rc.batch},
                   {"epochs", rc.epochs},
                   {"train_canvases", rc.train_canvases},
                   {"test_canvases", rc.test_canvases},
                   {"probe_images", rc.probe},
                   {"meta_lr", rc.meta_lr},
                   {"tolerance_px", 3},
                   {"threads", 1}};
  return report;
}

const Registrar registrar{{
    .id = "normgrad",
    .paper = "S.-A. Rebuffi, R. Fong, X. Ji, A. Vedaldi, There and Back Again: Revisiting "
             "Backpropagation Saliency Methods, CVPR 2020",
    .summary = "NormGrad at every layer and combined on a synthetic pointing game (Fashion-MNIST "
               "items on noise canvases), against the gradient, Grad-CAM, the centre point and "
               "the box area; class sensitivity, meta-saliency, re-initialisation, cost.",
    .run = &run_normgrad,
}};

}  // namespace
}  // namespace descent::experiments
