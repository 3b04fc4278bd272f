// `descent saliency` (one image's maps as a heat-map PNG and .npy) and `descent pointing-game`
// (every method's pointing-game score), on a model trained by `descent train` (descent::saliency).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/io/json.hpp"
#ifdef DESCENT_HAVE_TORCH
#include "descent/io/atomic_file.hpp"
#include "descent/io/idx.hpp"
#include "descent/io/npy.hpp"
#include "descent/io/png.hpp"
#include "descent/saliency/explain.hpp"
#include "descent/saliency/heatmap.hpp"
#include "descent/saliency/saliency.hpp"
#include "descent/train/checkpoint.hpp"
#include "descent/train/data.hpp"
#endif

namespace descent::cli {
namespace {

#ifdef DESCENT_HAVE_TORCH
namespace sal = saliency;

std::string shape_text(std::int64_t c, std::int64_t h, std::int64_t w) {
  return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

// The image to explain, pixels in [0, 1] as C × H × W, and its box when the data has one.
struct Picture {
  torch::Tensor pixels;
  torch::Tensor box;  // 4 numbers, or undefined
  std::int64_t label = -1;
  std::string source;
};

bool is_file_name(const std::string& s) {
  return s.find('/') != std::string::npos || std::filesystem::exists(s) || s.ends_with(".png") ||
         s.ends_with(".idx") || s.ends_with("-ubyte") || s.ends_with(".gz");
}

// A PNG, an IDX image file (N × H × W, or one H × W image) or a data set's test split.
Picture read_picture(const std::string& data, std::int64_t index, std::uint64_t seed) {
  Picture p;
  if (index < 0) throw InvalidOption("--index", "must be >= 0");
  if (is_file_name(data) && (data.ends_with(".png") || data.ends_with(".PNG"))) {
    if (index != 0) throw InvalidOption("--index", "a PNG holds one image: use --index 0");
    const io::Image im = io::read_png(data);
    p.pixels = torch::from_blob(const_cast<std::uint8_t*>(im.pixels.data()),
                                {im.height, im.width, im.channels}, torch::kUInt8)
                   .permute({2, 0, 1})
                   .to(torch::kFloat32)
                   .div(255.0);
    p.source = data;
    return p;
  }
  if (is_file_name(data)) {
    const io::IdxArray a = io::read_idx(data);
    if (a.dims.size() != 2 && a.dims.size() != 3)
      throw InputError(data, 0, "dims",
                       "an image file is N x H x W or H x W, not " + std::to_string(a.dims.size()) +
                           "-dimensional");
    const auto h = static_cast<std::int64_t>(a.dims[a.dims.size() - 2]);
    const auto w = static_cast<std::int64_t>(a.dims.back());
    const std::int64_t n = a.dims.size() == 3 ? static_cast<std::int64_t>(a.dims[0]) : 1;
    if (index >= n)
      throw InvalidOption("--index", std::to_string(index) + " is past the " + std::to_string(n) +
                                         " images in " + data);
    const float* first = a.values.data() + index * h * w;
    p.pixels = torch::from_blob(const_cast<float*>(first), {1, h, w}, torch::kFloat32).clone();
    // u8 files hold 0..255; other types are taken as they are (already scaled).
    if (a.type_code == 0x08) p.pixels.div_(255.0);
    p.source = data + " #" + std::to_string(index);
    return p;
  }
  train::SplitOptions so;
  so.seed = seed;
  so.train_limit = 1;  // only the test split is explained (canvas sets paste every image)
  const train::DataSplit split = train::load_split(data, so);
  const train::TensorDataset& test = split.test;
  if (!test.shape.is_image())
    throw InvalidOption("--data", "'" + data + "' is not an image data set");
  if (index >= test.size())
    throw InvalidOption("--index", std::to_string(index) + " is past the " +
                                       std::to_string(test.size()) + " test images of " + data);
  p.pixels = test.x[index].reshape({test.shape.channels, test.shape.height, test.shape.width});
  if (test.boxes.defined()) p.box = test.boxes[index];
  p.label = test.y[index].item<std::int64_t>();
  p.source = data + " (test #" + std::to_string(index) + ")";
  return p;
}

// The picture as the model takes it: channels converted, the training normalisation applied.
torch::Tensor model_input(const Picture& p, const train::CheckpointMeta& m,
                          const std::string& data) {
  torch::Tensor x = p.pixels;
  const std::int64_t want = m.input.channels;
  if (x.size(0) == 3 && want == 1) {
    x = (0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2]).unsqueeze(0);  // ITU-R 601 luma
  } else if (x.size(0) == 1 && want == 3) {
    x = x.expand({3, x.size(1), x.size(2)});
  }
  if (x.size(0) != want || x.size(1) != m.input.height || x.size(2) != m.input.width)
    throw InputError(is_file_name(data) ? data : "--data " + data, 0, "image",
                     "is " + shape_text(p.pixels.size(0), p.pixels.size(1), p.pixels.size(2)) +
                         ", the model takes " + shape_text(want, m.input.height, m.input.width) +
                         " (trained on '" + m.data + "')");
  if (m.standardized)
    throw InvalidOption("--checkpoint",
                        "the model was trained on per-feature z-scores (--standardize); explain "
                        "image models trained without it");
  return ((x - m.input_shift) * m.input_scale).unsqueeze(0).contiguous();
}

std::vector<std::string> pick_layers(torch::nn::Sequential& model, const std::string& layer,
                                     bool all_by_default) {
  const std::vector<std::string> known = sal::conv_layers(model);
  if (known.empty())
    throw InvalidOption("--layer",
                        "the model has no convolution layers to explain (use "
                        "--method gradient or gradient-x-input)");
  if (layer == "all" || (layer.empty() && all_by_default)) return known;
  if (layer.empty()) return {known.back()};
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= layer.size()) {
    const std::size_t comma = std::min(layer.find(',', start), layer.size());
    out.push_back(layer.substr(start, comma - start));
    start = comma + 1;
  }
  for (const auto& name : out)
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw InvalidOption("--layer",
                          "no layer '" + name + "' in this model (layers: " + list + ", or all)");
    }
  return out;
}

struct SaliencyFlags {
  std::string checkpoint, data, method = "normgrad", layer, out, npy;
  std::int64_t index = 0;
  std::int64_t target = -1;
  double meta_lr = 1e-4;
};

int run_saliency(const SaliencyFlags& f, const Globals& g) {
  static const std::vector<std::string> kMethods = {
      "normgrad", "normgrad-3x3", "combi", "meta", "gradient", "gradient-x-input", "gradcam"};
  if (std::find(kMethods.begin(), kMethods.end(), f.method) == kMethods.end())
    throw InvalidOption("--method", "unknown method '" + f.method +
                                        "' (normgrad, normgrad-3x3, combi, meta, gradient, "
                                        "gradient-x-input, gradcam)");
  if (!(f.meta_lr > 0) || !std::isfinite(f.meta_lr))
    throw InvalidOption("--meta-lr", "must be a finite number > 0, got " + check::show(f.meta_lr));
  train::LoadedModel lm = train::load_model(f.checkpoint);
  if (f.target < -1 || f.target >= lm.meta.classes)
    throw InvalidOption("--class",
                        "the model has classes 0.." + std::to_string(lm.meta.classes - 1));
  const std::string data = f.data.empty() ? lm.meta.data : f.data;
  const Picture pic = read_picture(data, f.index, g.seed);
  const torch::Tensor x = model_input(pic, lm.meta, data);
  const bool per_input = f.method == "gradient" || f.method == "gradient-x-input";
  std::vector<std::string> layers =
      per_input ? sal::conv_layers(lm.model) : pick_layers(lm.model, f.layer, f.method == "combi");
  if (per_input && !f.layer.empty())
    warn("--layer does not apply to --method " + f.method + " (an input-space map)");
  torch::Tensor predicted;
  {
    torch::NoGradGuard no_grad;
    predicted = lm.model->forward(x.reshape({1, -1})).argmax(1);
  }
  const torch::Tensor cls = f.target >= 0 ? torch::full({1}, f.target, torch::kLong) : predicted;
  const sal::Maps m = f.method == "meta" ? sal::meta_explain(lm.model, x, cls, layers, f.meta_lr)
                                         : sal::explain(lm.model, x, cls, layers);
  std::vector<std::pair<std::string, torch::Tensor>> maps;  // label, h × w
  if (f.method == "gradient") maps.emplace_back("gradient", m.gradient[0]);
  if (f.method == "gradient-x-input") maps.emplace_back("gradient-x-input", m.gradient_x_input[0]);
  if (f.method == "combi") {
    std::string label = "combi(";
    for (std::size_t l = 0; l < layers.size(); ++l) label += (l ? "," : "") + layers[l];
    maps.emplace_back(label + ")", sal::combined(m.normgrad, x.size(2), x.size(3))[0]);
  }
  for (std::size_t l = 0; l < layers.size() && !per_input && f.method != "combi"; ++l) {
    const torch::Tensor& map = f.method == "normgrad-3x3" ? m.normgrad_3x3[l]
                               : f.method == "gradcam"    ? m.gradcam[l]
                                                          : m.normgrad[l];
    maps.emplace_back(f.method + ":" + layers[l], map[0]);
  }
  const std::int64_t h = x.size(2), w = x.size(3);
  std::vector<torch::Tensor> upsampled;
  std::vector<io::Image> tiles = {sal::to_rgb_image(pic.pixels)};
  nlohmann::json jmaps = nlohmann::json::array();
  for (const auto& [label, map] : maps) {
    const torch::Tensor up = sal::normalized(map.unsqueeze(0).to(torch::kFloat64), h, w);
    upsampled.push_back(up[0]);
    tiles.push_back(sal::heatmap_overlay(pic.pixels, map));
    const torch::Tensor at = sal::argmax_location(up)[0];
    nlohmann::json jm = {{"map", label},
                         {"argmax_row", at[0].item<std::int64_t>()},
                         {"argmax_col", at[1].item<std::int64_t>()},
                         {"height", map.size(0)},
                         {"width", map.size(1)}};
    if (pic.box.defined()) jm["hit"] = sal::pointing_hits(up, pic.box.unsqueeze(0), h).item<bool>();
    jmaps.push_back(jm);
  }
  // Everything is computed: only now write the files.
  if (f.out.empty() && f.npy.empty() && !g.json)
    warn("no --out or --npy: the maps are summarised on stdout only");
  if (!f.out.empty()) io::write_png(f.out, sal::tile_grid(tiles, static_cast<int>(tiles.size())));
  if (!f.npy.empty()) {
    const torch::Tensor all = torch::stack(upsampled).contiguous();
    std::vector<std::size_t> shape = {static_cast<std::size_t>(all.size(0)),
                                      static_cast<std::size_t>(h), static_cast<std::size_t>(w)};
    if (all.size(0) == 1) shape.erase(shape.begin());
    io::write_npy(f.npy, std::span<const double>(all.data_ptr<double>(), all.numel()), shape);
  }
  const std::int64_t pred = predicted.item<std::int64_t>();
  const std::int64_t explained = cls.item<std::int64_t>();
  if (g.json) {
    nlohmann::json j = {{"checkpoint", f.checkpoint},   {"image", pic.source},
                        {"method", f.method},           {"predicted_class", pred},
                        {"explained_class", explained}, {"maps", jmaps}};
    if (pic.label >= 0) j["label"] = pic.label;
    if (pic.box.defined())
      j["box"] = {pic.box[0].item<std::int64_t>(), pic.box[1].item<std::int64_t>(),
                  pic.box[2].item<std::int64_t>(), pic.box[3].item<std::int64_t>()};
    if (!f.out.empty()) j["png"] = f.out;
    if (!f.npy.empty()) j["npy"] = f.npy;
    print_json(j);
    return 0;
  }
  std::cout << pic.source << ": predicted class " << pred
            << (pic.label >= 0 ? " (label " + std::to_string(pic.label) + ")" : std::string())
            << ", explaining class " << explained << "\n";
  for (const auto& jm : jmaps) {
    std::cout << "  " << jm["map"].get<std::string>() << " (" << jm["height"] << "x" << jm["width"]
              << "): maximum at row " << jm["argmax_row"] << ", column " << jm["argmax_col"];
    if (jm.contains("hit"))
      std::cout << (jm["hit"].get<bool>() ? ", inside" : ", outside") << " the object's box";
    std::cout << "\n";
  }
  if (!f.out.empty()) std::cout << "  heat maps: " << f.out << "\n";
  if (!f.npy.empty()) std::cout << "  maps (normalised, input size): " << f.npy << "\n";
  return 0;
}

struct PointingFlags {
  std::string checkpoint, data, layer = "all", out;
  std::size_t limit = 1000;
  std::int64_t tolerance = 3;
};

int run_pointing(const PointingFlags& f, const Globals& g) {
  train::LoadedModel lm = train::load_model(f.checkpoint);
  const std::string data = f.data.empty() ? lm.meta.data : f.data;
  if (lm.meta.standardized)
    throw InvalidOption("--checkpoint", "the model was trained with --standardize");
  train::SplitOptions so;
  so.seed = g.seed;
  so.train_limit = 1;  // only the test split is scored
  so.test_limit = f.limit;
  const train::DataSplit split = train::load_split(data, so);
  const train::TensorDataset& test = split.test;
  if (!test.boxes.defined())
    throw InvalidOption("--data", "'" + data +
                                      "' has no object boxes: use a localisation set such as "
                                      "fashion-mnist-canvas");
  const train::InputShape& s = test.shape;
  if (s.channels != lm.meta.input.channels || s.height != lm.meta.input.height ||
      s.width != lm.meta.input.width)
    throw InvalidOption(
        "--data",
        "'" + data + "' has " + shape_text(s.channels, s.height, s.width) +
            " images, the model takes " +
            shape_text(lm.meta.input.channels, lm.meta.input.height, lm.meta.input.width));
  const torch::Tensor images = ((test.x - lm.meta.input_shift) * lm.meta.input_scale)
                                   .reshape({test.size(), s.channels, s.height, s.width});
  sal::PointingOptions po;
  po.tolerance = f.tolerance;
  const sal::PointingResult r = sal::pointing_game(lm.model, images, test.y, test.boxes,
                                                   pick_layers(lm.model, f.layer, true), po);
  if (!f.out.empty()) {
    std::string csv = "method,hit_rate\n";
    for (const auto& sc : r.scores) csv += sc.method + "," + check::show(sc.hit_rate) + "\n";
    csv += "box-area-baseline," + check::show(r.box_area_baseline) + "\n";
    io::write_file_atomic(f.out, csv);
  }
  if (g.json) {
    nlohmann::json scores = nlohmann::json::object();
    for (const auto& sc : r.scores) scores[sc.method] = sc.hit_rate;
    print_json({{"checkpoint", f.checkpoint},
                {"data", data},
                {"images", r.images},
                {"accuracy", r.accuracy},
                {"tolerance_px", f.tolerance},
                {"box_area_baseline", r.box_area_baseline},
                {"hit_rate", scores}});
    return 0;
  }
  std::cout << "pointing game on " << r.images << " test images of " << data << " (model accuracy "
            << r.accuracy << ", box grown by " << f.tolerance << " px)\n";
  for (const auto& sc : r.scores)
    std::cout << "  " << sc.method
              << std::string(sc.method.size() < 24 ? 24 - sc.method.size() : 1, ' ') << sc.hit_rate
              << "\n";
  std::cout << "  random point (box area)" << std::string(1, ' ') << r.box_area_baseline << "\n";
  return 0;
}
#endif

const CommandRegistrar saliency_registrar("saliency", [](CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "saliency", "Saliency maps of one image under a trained model (NormGrad, Grad-CAM, ...)");
#ifdef DESCENT_HAVE_TORCH
  auto f = std::make_shared<SaliencyFlags>();
  cmd->add_option("--checkpoint", f->checkpoint, "checkpoint.pt written by descent train")
      ->required();
  cmd->add_option("--data", f->data,
                  "A data set (its test split; default: the checkpoint's), an IDX image file or "
                  "a PNG");
  cmd->add_option("--index", f->index, "Which image of the data set or IDX file")
      ->capture_default_str();
  cmd->add_option("--method", f->method,
                  "normgrad, normgrad-3x3, combi, meta, gradient, gradient-x-input, gradcam")
      ->capture_default_str();
  cmd->add_option("--layer", f->layer,
                  "conv1, conv2, ... (comma-separated), or all; default: the last conv layer "
                  "(all for combi)");
  cmd->add_option("--class", f->target, "Class to explain (default: the predicted one)");
  cmd->add_option("--meta-lr", f->meta_lr, "Meta-saliency's SGD step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--out", f->out, "Heat maps over the image, as one PNG row");
  cmd->add_option("--npy", f->npy, "The maps (min-max normalised, image size) as .npy");
  return Command{cmd, [f, &g] { return run_saliency(*f, g); }};
#else
  (void)g;
  return needs_torch(cmd);
#endif
});

const CommandRegistrar pointing_registrar("pointing-game", [](CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "pointing-game", "Score every saliency method by where its maps peak (object boxes)");
#ifdef DESCENT_HAVE_TORCH
  auto f = std::make_shared<PointingFlags>();
  cmd->add_option("--checkpoint", f->checkpoint, "checkpoint.pt written by descent train")
      ->required();
  cmd->add_option("--data", f->data,
                  "A localisation set, e.g. fashion-mnist-canvas (default: the checkpoint's)");
  cmd->add_option("--limit", f->limit, "Test images scored (0 = all)")->capture_default_str();
  cmd->add_option("--layer", f->layer, "conv layers for NormGrad and combi (comma-separated)")
      ->capture_default_str();
  cmd->add_option("--tolerance", f->tolerance, "Pixels added to each side of the box")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--out", f->out, "Scores as CSV (method,hit_rate)");
  return Command{cmd, [f, &g] { return run_pointing(*f, g); }};
#else
  (void)g;
  return needs_torch(cmd);
#endif
});

#ifdef DESCENT_HAVE_TORCH
const MethodRegistrar normgrad_method(
    {"normgrad", "saliency", "descent saliency --method normgrad",
     "Rebuffi, Fong, Ji, Vedaldi, CVPR 2020",
     "NormGrad: per-location norms of a virtual identity layer's weight gradient, any layer"});
#endif

}  // namespace
}  // namespace descent::cli
