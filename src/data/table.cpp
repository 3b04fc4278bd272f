// Users' tables: CSV or LIBSVM files (or built-in sets) as a Dataset with a chosen target.
#include "descent/data/table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "descent/core/error.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/libsvm.hpp"

namespace descent::data {

namespace fs = std::filesystem;

namespace {

std::string number_text(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string class_list(const std::vector<double>& classes) {
  std::string s;
  for (std::size_t i = 0; i < classes.size() && i < 20; ++i)
    s += (i ? ", " : "") + number_text(classes[i]);
  if (classes.size() > 20) s += ", ...";
  return s;
}

// Maps raw labels to class indices. `where(i)` gives (line, field) for row i's messages.
template <class Where>
void to_classes(Dataset& d, const std::string& file, const TableOptions& o, Where where) {
  const Eigen::Index n = d.targets.size();
  for (Eigen::Index i = 0; i < n; ++i)
    if (d.targets[i] != std::floor(d.targets[i])) {
      const auto [line, field] = where(i);
      throw InputError(file, line, field,
                       "class label " + number_text(d.targets[i]) +
                           " is not an integer (use --task regress for a numeric target)");
    }
  std::vector<double> classes = o.known_classes;
  if (classes.empty()) {
    classes.assign(d.targets.data(), d.targets.data() + n);
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    if (classes.size() < 2) {
      const auto [line, field] = where(0);
      throw InputError(file, 0, field,
                       "every row has class " + number_text(classes.front()) +
                           "; classification needs at least two classes");
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto it = std::lower_bound(classes.begin(), classes.end(), d.targets[i]);
    if (it == classes.end() || *it != d.targets[i]) {
      const auto [line, field] = where(i);
      throw InputError(file, line, field,
                       "class " + number_text(d.targets[i]) +
                           " did not occur in the training data (classes: " + class_list(classes) +
                           ")");
    }
    d.targets[i] = double(it - classes.begin());
  }
  d.classes = static_cast<int>(classes.size());
  d.class_values = std::move(classes);
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string column_label(const io::CsvTable& t, std::size_t c) {
  std::string f = "column " + std::to_string(c + 1);
  if (c < t.columns.size() && !t.columns[c].empty()) f += " (" + t.columns[c] + ")";
  return f;
}

Dataset read_csv_table(const std::string& path, const TableOptions& o) {
  const io::CsvTable t = io::read_csv(path);
  const auto cols = static_cast<std::size_t>(t.values.cols());
  const std::size_t header_line = t.columns.empty() ? 0 : (t.lines.empty() ? 1 : t.lines[0] - 1);
  const std::size_t field_line = header_line > 0 ? header_line : 1;

  // Which column is the target (npos: none).
  std::size_t target = std::string::npos;
  if (o.target.empty()) {
    const bool features_only =
        !o.require_target && o.expected_feature_count > 0 && cols == o.expected_feature_count;
    if (!features_only) target = cols - 1;
  } else if (all_digits(o.target)) {
    const unsigned long k = std::stoul(o.target);
    if (k < 1 || k > cols)
      throw InputError(path, field_line, "target",
                       "column " + o.target + " does not exist (the file has " +
                           std::to_string(cols) + " columns)");
    target = k - 1;
  } else {
    if (t.columns.empty())
      throw InputError(path, 1, "target",
                       "the file has no header row, so the target '" + o.target +
                           "' must be given as a column number");
    const auto it = std::find(t.columns.begin(), t.columns.end(), o.target);
    if (it != t.columns.end()) {
      target = static_cast<std::size_t>(it - t.columns.begin());
    } else if (o.require_target) {
      std::string names;
      for (const auto& c : t.columns) names += (names.empty() ? "" : ", ") + c;
      throw InputError(path, header_line, "target",
                       "no column named '" + o.target + "' (columns: " + names + ")");
    }
  }
  if (target != std::string::npos && cols < 2)
    throw InputError(path, field_line, "",
                     "a table needs at least one feature column besides the target");

  std::vector<std::size_t> feature_cols;
  for (std::size_t c = 0; c < cols; ++c)
    if (c != target) feature_cols.push_back(c);
  // A header and the model's feature names: match by name (columns may come in any order).
  if (!o.expected_features.empty() && !t.columns.empty()) {
    std::vector<std::size_t> matched;
    for (const std::string& name : o.expected_features) {
      const auto it = std::find(t.columns.begin(), t.columns.end(), name);
      if (it == t.columns.end() || static_cast<std::size_t>(it - t.columns.begin()) == target)
        throw InputError(path, header_line, name,
                         "feature column missing (the model was fitted on " +
                             std::to_string(o.expected_features.size()) + " named features)");
      matched.push_back(static_cast<std::size_t>(it - t.columns.begin()));
    }
    feature_cols = std::move(matched);
  }
  if (o.expected_feature_count > 0 && feature_cols.size() != o.expected_feature_count)
    throw InputError(path, field_line, "",
                     "expected " + std::to_string(o.expected_feature_count) +
                         " feature columns (as in the training data), found " +
                         std::to_string(feature_cols.size()));

  Dataset d;
  d.name = fs::path(path).filename().string();
  d.source = path;
  d.features.resize(t.values.rows(), static_cast<Eigen::Index>(feature_cols.size()));
  for (std::size_t j = 0; j < feature_cols.size(); ++j) {
    d.features.col(static_cast<Eigen::Index>(j)) =
        t.values.col(static_cast<Eigen::Index>(feature_cols[j]));
    if (!t.columns.empty()) d.feature_names.push_back(t.columns[feature_cols[j]]);
  }
  if (target != std::string::npos) {
    d.targets = t.values.col(static_cast<Eigen::Index>(target));
    if (!t.columns.empty()) d.target_name = t.columns[target];
    if (o.classification) {
      const std::string field = "target " + column_label(t, target);
      to_classes(d, path, o, [&](Eigen::Index i) {
        return std::pair<std::size_t, std::string>{t.lines[static_cast<std::size_t>(i)], field};
      });
    }
  }
  return d;
}

Dataset read_libsvm_table(const std::string& path, const TableOptions& o) {
  const io::SvmlightData s = io::read_libsvm(path, o.expected_feature_count);
  Dataset d;
  d.name = fs::path(path).filename().string();
  d.source = path;
  // A dense table: refuse widths that would not fit in memory (a stray huge index) up front.
  constexpr double kMaxDenseValues = double(1 << 28);  // 2 GiB of doubles
  if (double(s.features.rows()) * double(s.features.cols()) > kMaxDenseValues)
    throw InputError(path, 0, "index",
                     std::to_string(s.features.rows()) + " rows × " +
                         std::to_string(s.features.cols()) +
                         " features is too large for a dense table (largest feature index too "
                         "high?)");
  d.features = Eigen::MatrixXd(s.features);
  d.targets = s.labels;
  if (o.expected_feature_count > 0 &&
      static_cast<std::size_t>(d.features.cols()) < o.expected_feature_count) {
    // Trailing all-zero features leave no index behind; pad to the model's width.
    d.features.conservativeResizeLike(
        Eigen::MatrixXd::Zero(d.features.rows(), Eigen::Index(o.expected_feature_count)));
  }
  if (o.classification)
    to_classes(d, path, o, [](Eigen::Index i) {
      return std::pair<std::size_t, std::string>{0, "label of data row " + std::to_string(i + 1)};
    });
  return d;
}

Dataset read_builtin(const std::string& name, const TableOptions& o) {
  Dataset d = load(name);
  if (o.classification && d.classes == 0)
    throw Error("data set '" + name + "' has a regression target; use --task regress");
  if (o.expected_feature_count > 0 &&
      static_cast<std::size_t>(d.dimension()) != o.expected_feature_count)
    throw Error("data set '" + name + "' has " + std::to_string(d.dimension()) +
                " features; the model expects " + std::to_string(o.expected_feature_count));
  if (o.classification && !o.known_classes.empty()) {
    TableOptions known = o;
    to_classes(d, name, known, [](Eigen::Index i) {
      return std::pair<std::size_t, std::string>{0, "target of row " + std::to_string(i + 1)};
    });
  }
  return d;
}

}  // namespace

bool is_libsvm_path(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  if (ext == ".gz") ext = fs::path(path).stem().extension().string();
  return ext == ".libsvm" || ext == ".svm" || ext == ".svmlight";
}

Dataset read_table(const std::string& source, const TableOptions& o) {
  std::error_code ec;
  const bool exists = fs::exists(source, ec);
  if (!exists) {
    const auto names = dataset_names();
    if (std::find(names.begin(), names.end(), source) != names.end())
      return read_builtin(source, o);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw Error("no file named '" + source + "' and no data set of that name (" + list + ")");
  }
  if (fs::is_directory(source, ec))
    throw InputError(source, 0, "", "is a directory; expected a CSV or LIBSVM file");
  return is_libsvm_path(source) ? read_libsvm_table(source, o) : read_csv_table(source, o);
}

}  // namespace descent::data
