// `descent distill`: dataset distillation by implicit differentiation (Blondel et al. 2022).
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/data/datasets.hpp"
#include "descent/implicit/distill.hpp"
#include "descent/io/json.hpp"

namespace descent::cli {
namespace {

namespace im = implicit;

struct DistillFlags {
  std::string data = "digits";
  int images_per_class = 1;
  std::size_t outer_steps = 50;
  double lambda = 0.1;
  std::size_t limit = 10000;  // fashion-mnist: first N training images
  std::string out;
  RunFlags run;
};

int run_distill(const DistillFlags& f, const Globals& g) {
  // The grid is written as PNG; a name that says otherwise is refused before the run.
  if (!f.out.empty()) {
    std::string ext = std::filesystem::path(f.out).extension().string();
    for (auto& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".png")
      throw InvalidOption("--out", "'" + f.out + "': distill writes PNG images, use a .png name");
  }
  im::DistillOptions o;
  o.images_per_class = f.images_per_class;
  o.outer_steps = f.outer_steps;
  o.lambda = f.lambda;
  o.seed = g.seed;
  o.validate();
  data::LoadOptions lo;
  lo.limit = f.data == "digits" ? 0 : f.limit;
  const data::Dataset all = data::load(f.data, lo);
  if (all.classes < 2 || all.image_height == 0)
    throw InvalidOption("data", "'" + f.data + "' is not an image classification set");
  auto [tr, te] = data::train_validation_split(all, 0.3, g.seed);
  const im::DistillResult r =
      im::distill(tr.features, tr.targets.cast<int>(), te.features, te.targets.cast<int>(),
                  all.classes, o, make_callbacks(f.run, g));
  if (!f.out.empty())
    im::write_image_grid_png(f.out, r.images, all.image_height, all.image_width, all.classes,
                             all.image_height <= 8 ? 6 : 2);
  if (g.json) {
    nlohmann::json j = io::to_json(r.summary);
    j["data"] = f.data;
    j["images"] = r.images.rows();
    j["acc_distilled"] = r.acc_distilled;
    j["acc_random_real"] = r.acc_random_real;
    j["acc_random_real_std"] = r.acc_random_real_std;
    j["outer_loss"] = r.outer_loss;
    if (!f.out.empty()) j["png"] = f.out;
    print_json(j);
  } else {
    std::printf("distill %s: %zu images, %s\n", f.data.c_str(), std::size_t(r.images.rows()),
                r.summary.brief().c_str());
    std::printf("  training loss        %.4f -> %.4f\n", r.outer_loss.front(), r.outer_loss.back());
    std::printf("  test accuracy        distilled %.3f, random real %.3f +- %.3f\n",
                r.acc_distilled, r.acc_random_real, r.acc_random_real_std);
    if (!f.out.empty()) std::printf("  images               %s\n", f.out.c_str());
  }
  return exit_code(r.summary.status, Goal::budget);
}

const CommandRegistrar registrar("distill", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<DistillFlags>();
  auto* cmd = app.add_subcommand(
      "distill", "Dataset distillation: learn a few training images by implicit differentiation");
  cmd->add_option("--data", f->data, "digits | fashion-mnist")
      ->check(CLI::IsMember({"digits", "fashion-mnist", "mnist-10k"}))
      ->capture_default_str();
  cmd->add_option("--images-per-class", f->images_per_class)
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--outer-steps", f->outer_steps)->capture_default_str();
  cmd->add_option("--lambda", f->lambda, "inner L2 regularisation")->capture_default_str();
  cmd->add_option("--limit", f->limit, "use the first N images (not digits)")
      ->capture_default_str();
  cmd->add_option("--out", f->out, "write the learned images as a PNG grid");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_distill(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
