// The OFA-MobileNetV3 (width 1.0) sub-network space of DyNAS-T's search, and the tier-A oracle
// built from the measured sub-networks in data/dynast/ (spec search_nas_co.md §2.1, §2.5).
//
// A sub-network: 5 stages of up to 4 blocks; per block a kernel size in {3, 5, 7} and an
// expansion ratio in {3, 4, 6}; per stage a depth in {2, 3, 4} (block j of a stage is active iff
// j < depth). Encoded as 45 integers, each the index of its value: 20 kernels, 20 expansions,
// 5 depths (DyNAS-T's param_dict order).
//
// Tier A's oracle ("ground truth" for search benchmarks, seconds per run):
//  - MACs: exactly additive per active block, base + sum over active blocks of m(block, k, e),
//    fitted by least squares on the measured rows (180 block indicators + intercept);
//  - top-1 accuracy: a ridge regression on the same depth-masked features plus the depth
//    one-hot, fitted to the measured rows and then frozen.
#pragma once

#include <array>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace descent::evo {

inline constexpr std::array<int, 3> kOfaKernels{3, 5, 7};
inline constexpr std::array<int, 3> kOfaExpansions{3, 4, 6};
inline constexpr std::array<int, 3> kOfaDepths{2, 3, 4};
inline constexpr int kOfaVariables = 45;

/// 45 variables with 3 choices each.
std::vector<int> ofa_choices();

/// One measured sub-network (a row of DyNAS-T's CSVs).
struct OfaMeasurement {
  Eigen::VectorXd config;  ///< 45 indices
  double params = 0, latency_ms = 0, macs = 0, top1 = 0;
  std::size_t line = 0;  ///< line in its file
};

/// Reads one of DyNAS-T's measurement CSVs (columns Sub-network, Date, Model Parameters,
/// Latency (ms), MACs, Top-1 Acc (%); the sub-network a Python dict with 'ks', 'e', 'd' lists).
/// Throws descent::InputError naming file, line and column for anything malformed (a missing
/// column, a value outside the space, a non-numeric field).
std::vector<OfaMeasurement> read_dynast_csv(const std::string& path);

/// The rows of several files, first occurrence of each configuration kept, in file order.
std::vector<OfaMeasurement> unique_measurements(const std::vector<std::string>& paths);

/// Depth-masked block features: 180 indicators (block b uses kernel k and expansion e and is
/// active), then with `with_depth` the 15 depth one-hots. One row per configuration.
Eigen::MatrixXd ofa_features(const Eigen::MatrixXd& configs, bool with_depth = true);

/// The folder of descent's bundled data (dynast/: DyNAS-T's measurements; evo/: golden values
/// of scikit-learn and pagmo): $DESCENT_DATA_DIR if set, else the installed copy
/// (<prefix>/share/descent), else the source tree's data/. descent::Error naming the places
/// searched if none has the files.
std::string bundled_data_dir();
/// bundled_data_dir() + "/dynast".
std::string dynast_data_dir();

/// DyNAS-T's predictor features for this space (OFAMobileNetV3Encoding.onehot_custom): 60
/// kernel one-hots then 60 expansion one-hots, 3 per block, all zero for a block the stage's
/// depth leaves out (120 columns).
Eigen::MatrixXd ofa_onehot_custom(const Eigen::MatrixXd& configs);

/// The tier-A oracle: additive MACs and a frozen accuracy surrogate fitted to measurements.
class OfaOracle {
 public:
  /// Fits both models (accuracy ridge alpha chosen by the scikit-learn-style grid search).
  explicit OfaOracle(const std::vector<OfaMeasurement>& rows);
  /// The oracle of every CSV in `data_dir` (default: dynast_data_dir()).
  static OfaOracle from_directory(const std::string& data_dir);
  static OfaOracle bundled() { return from_directory(dynast_data_dir()); }

  double macs(const Eigen::VectorXd& config) const;      ///< MACs (same unit as the data)
  double accuracy(const Eigen::VectorXd& config) const;  ///< top-1 (%)
  /// Objectives (−accuracy, MACs / 1e6) of each row: both minimised.
  void evaluate(const Eigen::MatrixXd& X, Eigen::MatrixXd& F) const;

  double accuracy_alpha() const noexcept { return alpha_; }

 private:
  Eigen::VectorXd macs_w_, acc_w_;
  double macs_b_ = 0, acc_b_ = 0, alpha_ = 0;
};

}  // namespace descent::evo
