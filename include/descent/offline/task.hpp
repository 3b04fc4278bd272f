// Offline model-based optimisation: a fixed table of measured designs (x, y), a design space,
// and — for the synthetic tasks — an exact oracle that scores any design, so that proposals can
// be graded the way Design-Bench grades them (normalised percentile scores of the final
// designs).
//
// Eigen only: the surrogates and optimisers that use these tasks are in descent::offline_torch.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace descent::offline {

/// Continuous designs (vectors of `dimension` reals) or sequences of `dimension` letters over
/// `alphabet`.
struct DesignSpace {
  bool discrete = false;
  Eigen::Index dimension = 0;         ///< coordinates, or sequence positions
  std::vector<std::string> alphabet;  ///< discrete only: the letters; code k is alphabet[k]
  int letters() const noexcept { return static_cast<int>(alphabet.size()); }
};

/// The designs already measured. Discrete designs hold letter codes 0..K−1 (as doubles).
struct DesignData {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  std::vector<std::string> columns;  ///< the feature columns' names (for writing proposals)
  std::string target = "y";
  std::size_t skipped_rows = 0;  ///< rows left out because a field was missing (user tables)
};

/// Scores a batch of designs (rows, in the layout of DesignData::x).
using Oracle = std::function<Eigen::VectorXd(const Eigen::MatrixXd&)>;

struct Task {
  std::string name;
  DesignSpace space;
  DesignData data;
  Oracle oracle;  ///< empty for a user's table: proposals only, no scores
  /// The normalisation of scores, (y − y_min)/(y_max − y_min): y_min over a large unobserved
  /// sample (or every design, for small discrete spaces), y_max the known optimum.
  double y_min = 0.0, y_max = 1.0;
  double optimum = 0.0;       ///< the best value of the oracle (synthetic tasks)
  Eigen::RowVectorXd best_x;  ///< a design attaining it
  bool has_oracle() const noexcept { return static_cast<bool>(oracle); }
  double normalise(double y) const noexcept { return (y - y_min) / (y_max - y_min); }
};

/// The synthetic tasks of search_nas_co.md §4.5, all maximised:
///  - "ackley20": −Ackley(x − x*) on [−5, 5]^20, the optimum 0 shifted to a seeded x*;
///  - "rosenbrock10": −Rosenbrock on [−2, 2]^10, optimum 0 at (1, …, 1);
///  - "branin20": −Branin of 2 seeded active coordinates among 20 on [0, 1]^20 (the active ones
///    mapped to [−5, 10] × [0, 15]), optimum −0.397887;
///  - "tfbind8": 8 positions × {A, C, G, T}, a seeded position-weight matrix plus an NK
///    landscape (K = 2: each position interacts with the next two, cyclically); the optimum is
///    found by enumerating all 65,536 sequences.
/// Each keeps only the lower half (by y) of a uniform sample as the offline data, so that an
/// optimiser must extrapolate beyond it (Design-Bench's protocol).
struct SyntheticOptions {
  std::uint64_t seed = 0;  ///< the task's landscape (x*, active coordinates, PWM, NK tables)
  /// Continuous tasks: designs drawn uniformly; the lower half is kept. Default 20,000.
  Eigen::Index samples = 20000;
  /// Continuous tasks: the unobserved sample that sets y_min. Default 1,000,000.
  Eigen::Index normalisation_samples = 1000000;
  void validate() const;
};

const std::vector<std::string>& synthetic_task_names();
/// Throws descent::InvalidOption("task") for an unknown name.
Task make_synthetic_task(const std::string& name, const SyntheticOptions& options = {});

/// The q-th percentile (q in [0, 100]) with linear interpolation between order statistics
/// (numpy's default). NaN if any value is NaN.
double percentile(std::vector<double> values, double q);

/// Normalised 100th, 80th and 50th percentiles of the oracle's values of the final designs.
struct PercentileScores {
  double p100 = 0.0, p80 = 0.0, p50 = 0.0;
};
PercentileScores percentile_scores(const Task& task, const Eigen::VectorXd& oracle_values);

/// "x1", "p8": a column name (built with append: GCC 12 warns falsely on "x" + to_string).
inline std::string numbered(const char* prefix, long long n) {
  return std::string(prefix).append(std::to_string(n));
}

/// Mean and standard error of the mean (s.d. with n − 1 over √n; 0 for one value).
std::pair<double, double> mean_and_se(const std::vector<double>& values);

}  // namespace descent::offline
