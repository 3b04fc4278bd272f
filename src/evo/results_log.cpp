#include "descent/evo/results_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/csv.hpp"
#include "search_internals.hpp"

namespace descent::evo {

namespace {

using Index = Eigen::Index;
namespace fs = std::filesystem;

std::string signature_line(const std::string& signature) {
  return "# descent search: " + signature;
}

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot append to " + path + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd) != 0 && errno != EINVAL)  // EINVAL: a pipe or device, nothing to sync
    throw Error("cannot sync " + path + ": " + std::strerror(errno));
}

/// Appends the line break a kill cut off after a complete last row.
void write_file_line_break(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open " + path + " for appending: " + std::strerror(errno));
  const bool ok = ::write(fd, "\n", 1) == 1;
  ::close(fd);
  if (!ok) throw Error("cannot append to " + path + ": " + std::strerror(errno));
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

ResultsLog::ResultsLog(std::string path, SearchSpace space, std::vector<Objective> objectives)
    : path_(std::move(path)), space_(std::move(space)), objectives_(std::move(objectives)) {
  if (objectives_.empty()) throw Error("results log: no objectives");
  X_.resize(0, space_.size());
  F_.resize(0, static_cast<Index>(objectives_.size()));
}

ResultsLog::~ResultsLog() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> ResultsLog::columns() const {
  std::vector<std::string> c = space_.names();
  for (const auto& o : objectives_) c.push_back(o.name);
  return c;
}

void ResultsLog::open_for_append(const std::string& signature, bool write_header) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("cannot open " + path_ + " for appending: " + std::strerror(errno));
  if (write_header) {
    std::string text = signature_line(signature) + "\n";
    const auto cols = columns();
    for (std::size_t i = 0; i < cols.size(); ++i) text.append(i ? "," : "").append(cols[i]);
    write_all(fd_, text + "\n", path_);
  }
}

namespace {

constexpr const char* kMagic = "# descent search:";

/// True if `line` is a complete row of `fields` numbers (a last line that lost only its line
/// break).
bool complete_row(const std::string& line, std::size_t fields) {
  std::size_t count = 0, at = 0;
  while (true) {
    const std::size_t end = std::min(line.find(',', at), line.size());
    const std::string field = line.substr(at, end - at);
    char* stop = nullptr;
    if (field.empty()) return false;
    std::strtod(field.c_str(), &stop);
    if (stop != field.c_str() + field.size()) return false;
    ++count;
    if (end == line.size()) break;
    at = end + 1;
  }
  return count == fields;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out.append(out.empty() ? "" : ",").append(n);
  return out;
}

}  // namespace

std::shared_ptr<ResultsLog> ResultsLog::create(const std::string& path, SearchSpace space,
                                               std::vector<Objective> objectives,
                                               const std::string& signature) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0) {
    // Only a descent results file holding no row yet (a search that failed before its first
    // validation) is started again; anything else is never overwritten.
    const std::string text = io::read_file(path);
    std::size_t lines = 0;
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = std::min(text.find('\n', at), text.size());
      if (end > at && text[at] != '#') ++lines;
      at = end + 1;
    }
    if (text.rfind(kMagic, 0) != 0)
      throw Error(path +
                  " exists and is not a descent search results file: choose another "
                  "results file (it is left as it is)");
    if (lines > 1)
      throw Error(path +
                  " already holds results: pass --resume to continue that search, or "
                  "choose another results file");
    if (::truncate(path.c_str(), 0) != 0)
      throw Error("cannot rewrite " + path + ": " + std::strerror(errno));
  }
  std::shared_ptr<ResultsLog> log(new ResultsLog(path, std::move(space), std::move(objectives)));
  log->open_for_append(signature, true);
  return log;
}

std::shared_ptr<ResultsLog> ResultsLog::resume(const std::string& path, SearchSpace space,
                                               std::vector<Objective> objectives,
                                               const std::string& signature) {
  std::error_code ec;
  if (!fs::exists(path, ec) || (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == 0))
    return create(path, std::move(space), std::move(objectives), signature);
  std::shared_ptr<ResultsLog> log(new ResultsLog(path, std::move(space), std::move(objectives)));
  std::string text = io::read_file(path);
  const std::string expected_first = signature_line(signature);
  const auto expected = log->columns();
  // Nothing is cut before the file is known to be this search's.
  if (text.find('\n') == std::string::npos) {
    // A kill while the signature itself was being written: start again.
    if (expected_first.rfind(text, 0) == 0) {
      if (::truncate(path.c_str(), 0) != 0)
        throw Error("cannot rewrite " + path + ": " + std::strerror(errno));
      return create(path, log->space_, log->objectives_, signature);
    }
    throw InputError(path, 1, "",
                     "is not a results file of this search (its first line is "
                     "not \"" +
                         expected_first + "\")");
  }
  const std::string first = text.substr(0, text.find('\n'));
  if (first.rfind(kMagic, 0) != 0)
    throw InputError(path, 1, "",
                     "is not a descent search results file (it does not start with "
                     "\"" +
                         std::string(kMagic) + "\"); it is left as it is");
  if (first != expected_first)
    throw InputError(path, 1, "",
                     "was written by a different search (\"" + first + "\", this one is \"" +
                         expected_first +
                         "\"): resume with the same method, space, objectives, seed and "
                         "options, or choose another results file");
  if (text.back() != '\n') {  // the last line lost its line break: a row cut short by a kill?
    const std::size_t start = text.rfind('\n') + 1;
    const std::string last = text.substr(start);
    const std::size_t second_line = text.find('\n') + 1;
    if (start > second_line && complete_row(last, expected.size())) {
      text += '\n';  // a whole row: keep it
      write_file_line_break(path);
    } else {
      log->truncated_ = text.size() - start;
      text.resize(start);
      if (::truncate(path.c_str(), static_cast<off_t>(start)) != 0)
        throw Error("cannot cut the torn last line of " + path + ": " + std::strerror(errno));
    }
  }
  std::size_t data_lines = 0;
  std::string header_line;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    std::string line = text.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] != '#' && data_lines++ == 0) header_line = line;
    at = end == std::string::npos ? text.size() : end + 1;
  }
  if (data_lines == 0) {  // killed before the header was written: write it now
    log->open_for_append(signature, false);
    write_all(log->fd_, join(expected) + "\n", path);
    return log;
  }
  if (header_line != join(expected))
    throw InputError(path, 2, "",
                     "the header does not match this search's columns (" + join(expected) + ")");
  if (data_lines == 1) {  // the header alone
    log->open_for_append(signature, false);
    return log;
  }
  io::CsvOptions opts;
  opts.header = io::CsvOptions::Header::yes;
  const io::CsvTable t = io::read_csv(path, opts);
  const Index nv = log->space_.size();
  const Index no = static_cast<Index>(log->objectives_.size());
  log->X_.resize(t.values.rows(), nv);
  log->F_.resize(t.values.rows(), no);
  for (Index r = 0; r < t.values.rows(); ++r) {
    const std::size_t line = t.lines[static_cast<std::size_t>(r)];
    try {
      log->X_.row(r) = log->space_.encode(t.values.row(r).head(nv));
    } catch (const InputError&) {
      throw;
    } catch (const Error& e) {
      std::string why = e.what();
      const auto var = why.find("variable '");
      const std::string field =
          var == std::string::npos ? "" : why.substr(var + 10, why.find('\'', var + 10) - var - 10);
      throw InputError(path, line, field, why.substr(why.find(": ") + 2));
    }
    for (Index k = 0; k < no; ++k) {
      const double v = t.values(r, nv + k);
      log->F_(r, k) = log->objectives_[static_cast<std::size_t>(k)].maximise ? -v : v;
    }
  }
  log->open_for_append(signature, false);
  return log;
}

void ResultsLog::append(const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& f) {
  const Eigen::MatrixXd values = user_values(x, f);
  std::string line;
  for (Index c = 0; c < values.cols(); ++c) line.append(c ? "," : "").append(number(values(0, c)));
  write_all(fd_, line + "\n", path_);
  ++appended_;
}

Eigen::MatrixXd ResultsLog::user_values(const Eigen::MatrixXd& X, const Eigen::MatrixXd& F) const {
  Eigen::MatrixXd out(X.rows(), X.cols() + F.cols());
  out.leftCols(X.cols()) = space_.decode(X);
  for (Index k = 0; k < F.cols(); ++k)
    out.col(X.cols() + k) = objectives_[static_cast<std::size_t>(k)].maximise
                                ? Eigen::VectorXd(-F.col(k))
                                : Eigen::VectorXd(F.col(k));
  return out;
}

LoggedProblem logged(const Problem& problem, std::shared_ptr<ResultsLog> log, std::size_t chunk) {
  return logged(
      problem, log->X(), log->F(),
      [log](const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& f) { log->append(x, f); },
      chunk);
}

LoggedProblem logged(
    const Problem& problem, const Eigen::MatrixXd& known_X, const Eigen::MatrixXd& known_F,
    std::function<void(const Eigen::RowVectorXd&, const Eigen::RowVectorXd&)> record,
    std::size_t chunk) {
  if (chunk == 0) throw InvalidOption("chunk", "must be >= 1");
  if (known_X.rows() != known_F.rows())
    throw Error("logged: " + std::to_string(known_X.rows()) + " configurations but " +
                std::to_string(known_F.rows()) + " objective rows");
  auto known = std::make_shared<detail::RowMap<Eigen::RowVectorXd>>();
  for (Index r = 0; r < known_X.rows(); ++r) known->emplace(known_X.row(r), known_F.row(r));
  LoggedProblem out;
  out.replayed = std::make_shared<std::size_t>(0);
  out.evaluated = std::make_shared<std::size_t>(0);
  out.problem = problem;
  auto replayed = out.replayed, evaluated = out.evaluated;
  const auto inner = problem.evaluate;
  const Index m = problem.objectives;
  out.problem.evaluate = [=](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) {
    F.resize(X.rows(), m);
    std::vector<Index> missing;
    for (Index r = 0; r < X.rows(); ++r) {
      const auto it = known->find(X.row(r));
      if (it != known->end()) {
        F.row(r) = it->second;
        ++*replayed;
      } else {
        missing.push_back(r);
      }
    }
    for (std::size_t start = 0; start < missing.size(); start += chunk) {
      const std::size_t n = std::min(chunk, missing.size() - start);
      Eigen::MatrixXd Xc(static_cast<Index>(n), X.cols()), Fc(static_cast<Index>(n), m);
      for (std::size_t i = 0; i < n; ++i) Xc.row(static_cast<Index>(i)) = X.row(missing[start + i]);
      inner(Xc, Fc);
      if (Fc.rows() != Xc.rows() || Fc.cols() != m)
        throw Error("evaluate wrote a " + std::to_string(Fc.rows()) + " x " +
                    std::to_string(Fc.cols()) + " matrix for " + std::to_string(Xc.rows()) +
                    " configurations and " + std::to_string(m) + " objectives");
      for (std::size_t i = 0; i < n; ++i) {
        const Index r = missing[start + i];
        F.row(r) = Fc.row(static_cast<Index>(i));
        if (!F.row(r).allFinite())
          throw Error("the evaluation of configuration " + std::to_string(r + 1) +
                      " of the batch has a non-finite objective");
        if (record) record(X.row(r), F.row(r));
        known->emplace(X.row(r), F.row(r));
        ++*evaluated;
      }
    }
  };
  return out;
}

}  // namespace descent::evo
