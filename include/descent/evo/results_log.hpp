// The results file of a search: one CSV row per validated configuration, appended and fsync'ed
// as soon as the validation returns, so that a killed search loses at most the validations in
// flight and resumes from the file without repeating any (DyNAS-T keeps the same kind of CSV;
// spec search_nas_co.md §2.1).
//
//   # descent search: method=linas seed=0 ...          <- the search's signature
//   ks_0,...,d_4,accuracy,macs                          <- variable names, objective names
//   3,5,...,4,76.1,312.4                                <- choice values, objectives as measured
//
// Resuming replays the search: the same method, seed and options make the same decisions, and
// every configuration the file already holds is answered from it instead of being evaluated
// again (`logged`). The signature on line 1 must match, so a file is never continued by a
// different search; the budget is not part of it, so a finished search can be extended.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "descent/evo/nsga2.hpp"
#include "descent/evo/space.hpp"

namespace descent::evo {

/// An objective as the user names and measures it. Searches minimise; a maximised objective
/// (accuracy) is negated on the way in and back on the way out.
struct Objective {
  std::string name;
  bool maximise = false;
};

class ResultsLog {
 public:
  /// Starts a new file at `path`. descent::Error if a non-empty file is there already: a
  /// previous search's results are never overwritten.
  static std::shared_ptr<ResultsLog> create(const std::string& path, SearchSpace space,
                                            std::vector<Objective> objectives,
                                            const std::string& signature);
  /// Opens `path` to continue it (a missing or empty file starts a new one). A last line
  /// without its line break (a write cut short by a kill) is removed. descent::InputError naming
  /// the file, line and column for a different signature or header, a value outside the space,
  /// or a non-finite objective.
  static std::shared_ptr<ResultsLog> resume(const std::string& path, SearchSpace space,
                                            std::vector<Objective> objectives,
                                            const std::string& signature);
  ~ResultsLog();
  ResultsLog(const ResultsLog&) = delete;
  ResultsLog& operator=(const ResultsLog&) = delete;

  /// The rows read when resuming: choice indices and minimised objectives.
  const Eigen::MatrixXd& X() const noexcept { return X_; }
  const Eigen::MatrixXd& F() const noexcept { return F_; }
  /// Bytes of a torn last line removed by resume() (0 if none).
  std::size_t truncated_bytes() const noexcept { return truncated_; }
  /// Rows appended by this process.
  std::size_t appended() const noexcept { return appended_; }
  const std::string& path() const noexcept { return path_; }

  /// Appends one validated configuration (indices, minimised objectives), then fsyncs.
  void append(const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& f);

  /// The values as the user sees them: decoded choices, objectives with their sign restored.
  Eigen::MatrixXd user_values(const Eigen::MatrixXd& X, const Eigen::MatrixXd& F) const;
  std::vector<std::string> columns() const;

 private:
  ResultsLog(std::string path, SearchSpace space, std::vector<Objective> objectives);
  void open_for_append(const std::string& signature, bool write_header);

  std::string path_;
  SearchSpace space_;
  std::vector<Objective> objectives_;
  Eigen::MatrixXd X_, F_;
  std::size_t truncated_ = 0, appended_ = 0;
  int fd_ = -1;
};

/// `problem` with its evaluations recorded in `log`: a configuration the log already holds is
/// answered from it; the others are evaluated `chunk` at a time (so a killed run loses at most
/// one chunk) and appended. replayed() reports how many answers came from the log.
struct LoggedProblem {
  Problem problem;
  std::shared_ptr<std::size_t> replayed, evaluated;
};
LoggedProblem logged(const Problem& problem, std::shared_ptr<ResultsLog> log,
                     std::size_t chunk = 1);
/// The same over configurations known_X / known_F (indices, minimised objectives), calling
/// `record` (if set) for each new evaluation: the form the ranks of a distributed search use,
/// where only rank 0 writes the file.
LoggedProblem logged(
    const Problem& problem, const Eigen::MatrixXd& known_X, const Eigen::MatrixXd& known_F,
    std::function<void(const Eigen::RowVectorXd&, const Eigen::RowVectorXd&)> record,
    std::size_t chunk = 1);

}  // namespace descent::evo
