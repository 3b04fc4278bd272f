#include "descent/train/data.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::train {
namespace {

// A seeded random subset (sorted rows): some sets are stored grouped by class, so "the first N"
// would drop whole classes.
data::Dataset random_subset(const data::Dataset& d, std::size_t limit, std::uint64_t seed,
                            std::uint64_t key) {
  if (limit == 0 || limit >= static_cast<std::size_t>(d.size())) return d;
  Rng rng = make_rng(seed, {0x7a1b, key});
  auto perm = permutation(rng, d.size());
  perm.resize(limit);
  std::sort(perm.begin(), perm.end());
  return d.subset(perm);
}

}  // namespace

TensorDataset to_tensors(const data::Dataset& d) {
  if (d.classes < 2)
    throw InvalidOption("data", "'" + d.name + "' is not a classification data set");
  TensorDataset t;
  const auto n = static_cast<std::int64_t>(d.size());
  const auto dim = static_cast<std::int64_t>(d.dimension());
  // Eigen is column-major: transpose into a row-major copy, then convert to float32.
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = d.features;
  t.x = torch::from_blob(const_cast<double*>(rows.data()), {n, dim}, torch::kFloat64)
            .to(torch::kFloat32)
            .clone();
  t.y = torch::empty({n}, torch::kInt64);
  auto* y = t.y.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    const double v = d.targets[i];
    if (!(v >= 0 && v < d.classes) || v != std::floor(v))
      throw InvalidOption("data", "'" + d.name + "' row " + std::to_string(i) +
                                      " has a label outside 0.." + std::to_string(d.classes - 1));
    y[i] = static_cast<std::int64_t>(v);
  }
  t.classes = d.classes;
  if (d.image_height > 0 && d.image_width > 0 &&
      dim % (std::int64_t{d.image_height} * d.image_width) == 0) {
    t.shape = {dim / (std::int64_t{d.image_height} * d.image_width), d.image_height, d.image_width};
  } else {
    t.shape = {dim, 0, 0};
  }
  return t;
}

TensorDataset paste_on_canvas(const TensorDataset& items, const CanvasOptions& o) {
  const InputShape& in = items.shape;
  if (!in.is_image() || in.channels != 1)
    throw InvalidOption("data", "canvases need one-channel images");
  if (in.height > o.size || in.width > o.size)
    throw InvalidOption("data", "items of " + std::to_string(in.height) + "x" +
                                    std::to_string(in.width) + " do not fit a " +
                                    std::to_string(o.size) + "x" + std::to_string(o.size) +
                                    " canvas");
  const std::int64_t n = items.size(), h = in.height, w = in.width, c = o.size;
  torch::Generator gen = at::detail::createCPUGenerator(o.seed);
  torch::Tensor canvas = o.noise * torch::randn({n, c, c}, gen, torch::kFloat32);
  const torch::Tensor top = torch::randint(c - h + 1, {n}, gen, torch::kLong);
  const torch::Tensor left = torch::randint(c - w + 1, {n}, gen, torch::kLong);
  const torch::Tensor src = items.x.reshape({n, h, w});
  const auto* t = top.data_ptr<std::int64_t>();
  const auto* l = left.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i)
    canvas[i].slice(0, t[i], t[i] + h).slice(1, l[i], l[i] + w) += src[i];
  TensorDataset out;
  out.x = canvas.reshape({n, c * c});
  out.y = items.y;
  out.classes = items.classes;
  out.shape = {1, c, c};
  out.boxes = torch::stack({top, left, top + h, left + w}, 1);
  return out;
}

DataSplit load_split(const std::string& name, const SplitOptions& options) {
  static const std::string kCanvas = "-canvas";
  const bool canvas = name.size() > kCanvas.size() && name.ends_with(kCanvas);
  const std::string base = canvas ? name.substr(0, name.size() - kCanvas.size()) : name;
  data::Dataset train, test;
  if (base == "fashion-mnist" || base == "fashion-mnist:train") {
    train = data::load("fashion-mnist");
    test = data::load("fashion-mnist:test");
  } else {
    std::tie(train, test) =
        data::train_validation_split(data::load(base), options.test_fraction, options.seed);
  }
  train = random_subset(train, options.train_limit, options.seed, 1);
  test = random_subset(test, options.test_limit, options.seed, 2);
  if (options.standardize) {
    const data::Standardizer z(train.features);
    z.transform_in_place(train);
    z.transform_in_place(test);
  }
  DataSplit out;
  if (canvas) {
    // Pasted before normalising, so the statistics are the canvases'. Train and test canvases
    // come from distinct streams of the seed.
    CanvasOptions co;
    co.seed = make_rng(options.seed, {0xca4a, 1})();
    out.train = paste_on_canvas(to_tensors(train), co);
    co.seed = make_rng(options.seed, {0xca4a, 2})();
    out.test = paste_on_canvas(to_tensors(test), co);
    if (options.normalize) {
      const torch::Tensor x = out.train.x.to(torch::kFloat64);
      const double mean = x.mean().item<double>();
      const double sd = (x - mean).pow(2).mean().sqrt().item<double>();
      out.input_shift = mean;
      out.input_scale = sd > 0 ? 1.0 / sd : 1.0;
      out.train.x = (out.train.x - mean) * out.input_scale;
      out.test.x = (out.test.x - mean) * out.input_scale;
    }
    return out;
  }
  if (options.normalize) {
    const double mean = train.features.mean();
    const double sd = std::sqrt((train.features.array() - mean).square().mean());
    const double scale = sd > 0 ? 1.0 / sd : 1.0;
    train.features = (train.features.array() - mean) * scale;
    test.features = (test.features.array() - mean) * scale;
    out.input_shift = mean;
    out.input_scale = scale;
  }
  out.train = to_tensors(train);
  out.test = to_tensors(test);
  return out;
}

}  // namespace descent::train
