#include "descent/evo/ofa.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/evo/predictor.hpp"
#include "descent/io/text_scan.hpp"

namespace descent::evo {

namespace {

/// Splits a CSV line on commas outside double quotes; quotes are removed.
std::vector<std::string> split_quoted(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

/// The integers of the list after 'key': in a Python dict literal.
std::vector<int> dict_list(const std::string& text, const std::string& key, const std::string& file,
                           std::size_t line) {
  const std::string tag = "'" + key + "':";
  const auto at = text.find(tag);
  const auto open = at == std::string::npos ? at : text.find('[', at);
  const auto close = open == std::string::npos ? open : text.find(']', open);
  if (close == std::string::npos)
    throw InputError(file, line, "Sub-network", "no '" + key + "' list in " + text);
  std::vector<int> values;
  std::stringstream items(text.substr(open + 1, close - open - 1));
  for (std::string item; std::getline(items, item, ',');) {
    values.push_back(static_cast<int>(
        io::detail::to_int64(io::detail::trim(item), file, line, "Sub-network " + key)));
  }
  return values;
}

template <std::size_t N>
int index_of(const std::array<int, N>& choices, int value, const std::string& what,
             const std::string& file, std::size_t line) {
  const auto it = std::find(choices.begin(), choices.end(), value);
  if (it == choices.end())
    throw InputError(file, line, "Sub-network",
                     what + " " + std::to_string(value) + " is outside the OFA-MobileNetV3 space");
  return static_cast<int>(it - choices.begin());
}

}  // namespace

std::vector<int> ofa_choices() {
  return std::vector<int>(kOfaVariables, 3);
}

std::vector<OfaMeasurement> read_dynast_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, 0, "", "cannot open the file");
  std::string line;
  if (!std::getline(in, line)) throw InputError(path, 1, "", "the file is empty");
  const auto header = split_quoted(line);
  auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw InputError(path, 1, name, "missing column");
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t c_net = column("Sub-network"), c_params = column("Model Parameters"),
                    c_lat = column("Latency (ms)"), c_macs = column("MACs"),
                    c_acc = column("Top-1 Acc (%)");
  std::vector<OfaMeasurement> rows;
  for (std::size_t number = 2; std::getline(in, line); ++number) {
    if (io::detail::trim(line).empty()) continue;
    const auto f = split_quoted(line);
    if (f.size() != header.size())
      throw InputError(
          path, number, "",
          std::to_string(f.size()) + " fields, the header has " + std::to_string(header.size()));
    OfaMeasurement m;
    m.line = number;
    const auto ks = dict_list(f[c_net], "ks", path, number);
    const auto e = dict_list(f[c_net], "e", path, number);
    const auto d = dict_list(f[c_net], "d", path, number);
    if (ks.size() != 20 || e.size() != 20 || d.size() != 5)
      throw InputError(path, number, "Sub-network",
                       "expected 20 kernel sizes, 20 expansions and 5 depths");
    m.config.resize(kOfaVariables);
    for (int b = 0; b < 20; ++b) {
      m.config(b) =
          index_of(kOfaKernels, ks[static_cast<std::size_t>(b)], "kernel size", path, number);
      m.config(20 + b) =
          index_of(kOfaExpansions, e[static_cast<std::size_t>(b)], "expansion", path, number);
    }
    for (int s = 0; s < 5; ++s)
      m.config(40 + s) =
          index_of(kOfaDepths, d[static_cast<std::size_t>(s)], "depth", path, number);
    auto number_at = [&](std::size_t c) {
      return io::detail::to_double(io::detail::trim(f[c]), path, number, header[c]);
    };
    m.params = number_at(c_params);
    m.latency_ms = number_at(c_lat);
    m.macs = number_at(c_macs);
    m.top1 = number_at(c_acc);
    rows.push_back(std::move(m));
  }
  if (rows.empty()) throw InputError(path, 2, "", "no data rows");
  return rows;
}

std::vector<OfaMeasurement> unique_measurements(const std::vector<std::string>& paths) {
  std::set<std::vector<double>> seen;
  std::vector<OfaMeasurement> out;
  for (const auto& p : paths)
    for (auto& m : read_dynast_csv(p))
      if (seen.insert(std::vector<double>(m.config.data(), m.config.data() + m.config.size()))
              .second)
        out.push_back(std::move(m));
  return out;
}

Eigen::MatrixXd ofa_features(const Eigen::MatrixXd& configs, bool with_depth) {
  if (configs.cols() != kOfaVariables)
    throw Error("ofa_features: configurations have " + std::to_string(configs.cols()) +
                " variables, expected 45");
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(configs.rows(), 180 + (with_depth ? 15 : 0));
  for (Eigen::Index r = 0; r < configs.rows(); ++r) {
    for (int b = 0; b < 20; ++b) {
      const int stage = b / 4, position = b % 4;
      const int depth = kOfaDepths[static_cast<std::size_t>(configs(r, 40 + stage))];
      if (position >= depth) continue;  // an inactive block contributes nothing
      const auto k = static_cast<int>(configs(r, b)), e = static_cast<int>(configs(r, 20 + b));
      X(r, 9 * b + 3 * k + e) = 1.0;
    }
    if (with_depth)
      for (int s = 0; s < 5; ++s) X(r, 180 + 3 * s + static_cast<int>(configs(r, 40 + s))) = 1.0;
  }
  return X;
}

Eigen::MatrixXd ofa_onehot_custom(const Eigen::MatrixXd& configs) {
  if (configs.cols() != kOfaVariables)
    throw Error("ofa_onehot_custom: configurations have " + std::to_string(configs.cols()) +
                " variables, expected 45");
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(configs.rows(), 120);
  for (Eigen::Index r = 0; r < configs.rows(); ++r)
    for (int b = 0; b < 20; ++b) {
      const int depth = kOfaDepths[static_cast<std::size_t>(configs(r, 40 + b / 4))];
      if (b % 4 >= depth) continue;
      X(r, 3 * b + static_cast<int>(configs(r, b))) = 1.0;
      X(r, 60 + 3 * b + static_cast<int>(configs(r, 20 + b))) = 1.0;
    }
  return X;
}

OfaOracle::OfaOracle(const std::vector<OfaMeasurement>& rows) {
  if (rows.size() < 50) throw Error("OfaOracle: needs at least 50 measured sub-networks");
  Eigen::MatrixXd configs(static_cast<Eigen::Index>(rows.size()), kOfaVariables);
  Eigen::VectorXd macs(configs.rows()), acc(configs.rows());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    configs.row(static_cast<Eigen::Index>(i)) = rows[i].config.transpose();
    macs(static_cast<Eigen::Index>(i)) = rows[i].macs;
    acc(static_cast<Eigen::Index>(i)) = rows[i].top1;
  }
  // MACs: least squares on the block indicators (a tiny ridge keeps never-seen (block, k, e)
  // combinations at zero instead of undetermined).
  Ridge m(1e-6);
  m.fit(ofa_features(configs, false), macs);
  macs_w_ = m.coefficients();
  macs_b_ = m.intercept();
  const Eigen::MatrixXd X = ofa_features(configs, true);
  const auto search = ridge_grid_search(Predictor::ridge_grid(), X, acc);
  alpha_ = search.best_value();
  Ridge a(alpha_);
  a.fit(X, acc);
  acc_w_ = a.coefficients();
  acc_b_ = a.intercept();
}

std::string bundled_data_dir() {
  std::vector<std::string> places;
  if (const char* env = std::getenv("DESCENT_DATA_DIR"); env && *env) places.push_back(env);
  places.push_back(DESCENT_INSTALL_DATADIR);
  places.push_back(DESCENT_SOURCE_DATADIR);
  std::string tried;
  for (const auto& p : places) {
    std::error_code ec;
    const auto probe = std::filesystem::path(p) / "dynast" / "mbnv3w10_linasnsga2_acc_macs.csv";
    if (std::filesystem::exists(probe, ec)) return p;
    tried += (tried.empty() ? "" : ", ") + p;
  }
  throw Error("descent's bundled data (dynast/, evo/) is not in any of: " + tried +
              " (set DESCENT_DATA_DIR to the folder that holds them)");
}

std::string dynast_data_dir() {
  return bundled_data_dir() + "/dynast";
}

OfaOracle OfaOracle::from_directory(const std::string& data_dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir, ec))
    if (entry.path().extension() == ".csv") paths.push_back(entry.path().string());
  if (ec || paths.empty()) throw Error("OfaOracle: no DyNAS-T CSV files in " + data_dir);
  std::sort(paths.begin(), paths.end());
  return OfaOracle(unique_measurements(paths));
}

double OfaOracle::macs(const Eigen::VectorXd& config) const {
  return (ofa_features(config.transpose(), false) * macs_w_)(0) + macs_b_;
}

double OfaOracle::accuracy(const Eigen::VectorXd& config) const {
  return (ofa_features(config.transpose(), true) * acc_w_)(0) + acc_b_;
}

void OfaOracle::evaluate(const Eigen::MatrixXd& configs, Eigen::MatrixXd& F) const {
  F.resize(configs.rows(), 2);
  F.col(0) = -((ofa_features(configs, true) * acc_w_).array() + acc_b_).matrix();
  F.col(1) = ((ofa_features(configs, false) * macs_w_).array() + macs_b_).matrix() / 1e6;
}

}  // namespace descent::evo
