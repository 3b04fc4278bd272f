#include "descent/train/checkpoint.hpp"

#include <cstdio>
#include <filesystem>

#include "descent/core/error.hpp"
#include "descent/train/data.hpp"

namespace descent::train {
namespace {

std::string read_string(torch::serialize::InputArchive& in, const std::string& key) {
  c10::IValue v;
  in.read(key, v);
  return v.toStringRef();
}

std::int64_t read_int(torch::serialize::InputArchive& in, const std::string& key) {
  c10::IValue v;
  in.read(key, v);
  return v.toInt();
}

CheckpointMeta read_meta(torch::serialize::InputArchive& in) {
  CheckpointMeta m;
  m.model = read_string(in, "meta.model");
  m.data = read_string(in, "meta.data");
  m.optimizer = read_string(in, "meta.optimizer");
  m.epoch = read_int(in, "meta.epoch");
  m.step = read_int(in, "meta.step");
  m.rng_state = read_string(in, "meta.rng_state");
  c10::IValue lambda;
  if (in.try_read("meta.tract_lambda", lambda)) m.tract_lambda = lambda.toDouble();
  c10::IValue v;
  if (in.try_read("meta.input_shape", v)) {
    const auto dims = v.toIntVector();
    if (dims.size() == 3) m.input = {dims[0], dims[1], dims[2]};
  }
  if (in.try_read("meta.classes", v)) m.classes = v.toInt();
  if (in.try_read("meta.input_shift", v)) m.input_shift = v.toDouble();
  if (in.try_read("meta.input_scale", v)) m.input_scale = v.toDouble();
  if (in.try_read("meta.standardized", v)) m.standardized = v.toBool();
  return m;
}

void open(torch::serialize::InputArchive& in, const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path, 0, "", "checkpoint not found");
  try {
    in.load_from(path);
  } catch (const c10::Error& e) {
    throw InputError(path, 0, "",
                     std::string("not a readable checkpoint: ") + e.what_without_backtrace());
  }
}

}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& model,
                     torch::optim::Optimizer* optimizer, const CheckpointMeta& meta) {
  torch::serialize::OutputArchive out;
  out.write("meta.model", c10::IValue(meta.model));
  out.write("meta.data", c10::IValue(meta.data));
  out.write("meta.optimizer", c10::IValue(meta.optimizer));
  out.write("meta.epoch", c10::IValue(meta.epoch));
  out.write("meta.step", c10::IValue(meta.step));
  out.write("meta.rng_state", c10::IValue(meta.rng_state));
  out.write("meta.tract_lambda", c10::IValue(meta.tract_lambda));
  out.write("meta.input_shape", c10::IValue(std::vector<std::int64_t>{
                                    meta.input.channels, meta.input.height, meta.input.width}));
  out.write("meta.classes", c10::IValue(meta.classes));
  out.write("meta.input_shift", c10::IValue(meta.input_shift));
  out.write("meta.input_scale", c10::IValue(meta.input_scale));
  out.write("meta.standardized", c10::IValue(meta.standardized));
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  out.write("model", model_archive);
  if (optimizer) {
    torch::serialize::OutputArchive opt_archive;
    optimizer->save(opt_archive);
    out.write("optimizer", opt_archive);
  }
  // Temp file + rename: a crash mid-write never leaves a truncated checkpoint behind.
  const std::string tmp = path + ".tmp";
  try {
    out.save_to(tmp);
  } catch (const c10::Error& e) {
    throw Error("cannot write checkpoint " + path + ": " + e.what_without_backtrace());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error("cannot write checkpoint " + path + ": " + ec.message());
}

CheckpointMeta load_checkpoint(const std::string& path, torch::nn::Module& model,
                               torch::optim::Optimizer* optimizer) {
  torch::serialize::InputArchive in;
  open(in, path);
  try {
    CheckpointMeta meta = read_meta(in);
    torch::serialize::InputArchive model_archive;
    in.read("model", model_archive);
    // Module::load replaces tensors whatever their shape: a checkpoint of another architecture
    // (e.g. trained on iris, loaded for digits) only failed later, inside a matmul.
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> expected;
    for (const auto& p : model.named_parameters())
      expected.emplace_back(p.key(), p.value().sizes().vec());
    model.load(model_archive);
    const auto loaded = model.named_parameters();
    for (const auto& [name, shape] : expected) {
      const torch::Tensor* t = loaded.find(name);
      if (t == nullptr || t->sizes().vec() != shape) {
        auto show = [](const std::vector<std::int64_t>& v) {
          std::string out;
          for (auto d : v) out += (out.empty() ? "" : "x") + std::to_string(d);
          return out;
        };
        throw InputError(path, 0, "model",
                         "checkpoint's parameter '" + name + "' is " +
                             (t ? show(t->sizes().vec()) : std::string("missing")) +
                             ", the model for this data needs " + show(shape) +
                             " (checkpoint trained as '" + meta.model + "' on '" + meta.data +
                             "')");
      }
    }
    if (optimizer) {
      torch::serialize::InputArchive opt_archive;
      in.read("optimizer", opt_archive);
      optimizer->load(opt_archive);
    }
    return meta;
  } catch (const c10::Error& e) {
    throw InputError(path, 0, "",
                     std::string("checkpoint does not match the model/optimizer: ") +
                         e.what_without_backtrace());
  }
}

CheckpointMeta read_checkpoint_meta(const std::string& path) {
  torch::serialize::InputArchive in;
  open(in, path);
  try {
    return read_meta(in);
  } catch (const c10::Error& e) {
    throw InputError(path, 0, "meta",
                     std::string("missing checkpoint metadata: ") + e.what_without_backtrace());
  }
}

LoadedModel load_model(const std::string& path) {
  LoadedModel out;
  out.meta = read_checkpoint_meta(path);
  if (out.meta.input.features() == 0 || out.meta.classes < 2) {
    const DataSplit split = load_split(out.meta.data);
    out.meta.input = split.train.shape;
    out.meta.classes = split.train.classes;
  }
  out.model = make_model(out.meta.model, out.meta.input, out.meta.classes);
  load_checkpoint(path, *out.model, nullptr);
  out.model->eval();
  return out;
}

}  // namespace descent::train
