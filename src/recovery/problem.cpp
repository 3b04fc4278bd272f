#include "descent/recovery/problem.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

#include <Eigen/QR>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::recovery {

void NoiseModel::validate() const {
  check::in_closed("outlier_probability", outlier_probability, 0.0, 1.0);
  check::positive("outlier_scale", outlier_scale);
  check::in_closed("gaussian_probability", gaussian_probability, 0.0, 1.0);
  check::non_negative("gaussian_std", gaussian_std);
}

void NoiseModel::parse(const std::string& spec) {
  if (spec == "none") {
    outlier_probability = gaussian_probability = 0;
    return;
  }
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  if (kind != "outliers" && kind != "gaussian")
    throw Error("noise '" + spec +
                "': expected none, outliers:p=P[,scale=S] or "
                "gaussian:p=P[,nu=NU]");
  NoiseModel m = *this;
  if (kind == "outliers") m.outlier_probability = 0.1;
  if (kind == "gaussian") m.gaussian_probability = 0.5;
  if (colon != std::string::npos) {
    std::stringstream ss(spec.substr(colon + 1));
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto eq = item.find('=');
      if (eq == std::string::npos) throw Error("noise '" + spec + "': expected key=value");
      const std::string key = item.substr(0, eq);
      double value = 0;
      try {
        std::size_t used = 0;
        value = std::stod(item.substr(eq + 1), &used);
        if (used != item.size() - eq - 1) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        throw Error("noise '" + spec + "': '" + item + "' is not key=number");
      }
      if (key == "p")
        (kind == "outliers" ? m.outlier_probability : m.gaussian_probability) = value;
      else if (key == "scale" && kind == "outliers")
        m.outlier_scale = value;
      else if (key == "nu" && kind == "gaussian")
        m.gaussian_std = value;
      else
        throw Error("noise '" + spec + "': unknown key '" + key + "'");
    }
  }
  m.validate();
  *this = m;
}

std::string NoiseModel::to_string() const {
  std::string s;
  char buf[96];
  if (outlier_probability > 0) {
    std::snprintf(buf, sizeof buf, "outliers:p=%g,scale=%g", outlier_probability, outlier_scale);
    s += buf;
  }
  if (gaussian_probability > 0) {
    std::snprintf(buf, sizeof buf, "gaussian:p=%g,nu=%g", gaussian_probability, gaussian_std);
    s += (s.empty() ? "" : " + ") + std::string(buf);
  }
  return s.empty() ? "none" : s;
}

Eigen::VectorXd generate_noise(const NoiseModel& model, Eigen::Index m, double xstar_fro,
                               Rng& rng) {
  model.validate();
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::normal_distribution<double> normal;
  Eigen::VectorXd s(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    const double u1 = coin(rng), g1 = normal(rng), u2 = coin(rng), g2 = normal(rng);
    double v = 0;
    if (u1 < model.outlier_probability) v += model.outlier_scale * xstar_fro * g1;
    if (u2 < model.gaussian_probability) v += model.gaussian_std * g2;
    s[i] = v;
  }
  return s;
}

Eigen::MatrixXd random_ground_truth(Eigen::Index d, const std::vector<double>& eigenvalues,
                                    Rng& rng) {
  const auto r = static_cast<Eigen::Index>(eigenvalues.size());
  if (r < 1 || r > d)
    throw InvalidOption("eigenvalues", "need 1 <= r <= d eigenvalues, got " + std::to_string(r));
  for (double e : eigenvalues) check::positive("eigenvalues", e);
  const Eigen::MatrixXd G = normal_matrix(rng, d, r);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
  Eigen::MatrixXd Q = qr.householderQ() * Eigen::MatrixXd::Identity(d, r);
  for (Eigen::Index j = 0; j < r; ++j)
    Q.col(j) *= std::sqrt(eigenvalues[static_cast<std::size_t>(j)]);
  return Q;
}

std::vector<double> default_eigenvalues(Eigen::Index rank) {
  std::vector<double> e(static_cast<std::size_t>(std::max<Eigen::Index>(rank, 0)));
  for (Eigen::Index j = 0; j < rank; ++j)
    e[static_cast<std::size_t>(j)] = rank == 1 ? 1.0 : 1.0 - 0.5 * double(j) / double(rank - 1);
  return e;
}

void SyntheticOptions::validate() const {
  check::at_least("dimension", dimension, 1);
  check::at_least("rank", rank, 1);
  check::require(rank <= dimension, "rank", "must be <= dimension");
  check::require(eigenvalues.empty() || static_cast<Eigen::Index>(eigenvalues.size()) == rank,
                 "eigenvalues", "must have `rank` entries (or be empty)");
  check::at_least("measurements", measurements, 1);
  noise.validate();
}

RecoveryProblem make_synthetic_problem(const SyntheticOptions& options, std::uint64_t seed) {
  options.validate();
  const auto eig =
      options.eigenvalues.empty() ? default_eigenvalues(options.rank) : options.eigenvalues;
  RecoveryProblem p;
  Rng truth_rng = make_rng(seed, {1});
  p.U_star = random_ground_truth(options.dimension, eig, truth_rng);
  p.X_star = p.U_star * p.U_star.transpose();
  Rng a_rng = make_rng(seed, {2});
  auto op = std::make_shared<DenseMeasurements>(
      DenseMeasurements::random(options.dimension, options.measurements, a_rng, options.ensemble));
  Rng noise_rng = make_rng(seed, {3});
  p.noise = generate_noise(options.noise, options.measurements, p.X_star.norm(), noise_rng);
  p.y.resize(options.measurements);
  op->apply(p.X_star, p.y);
  p.y += p.noise;
  p.op = std::move(op);
  return p;
}

double relative_error(const Eigen::MatrixXd& U, const Eigen::MatrixXd& X_star) {
  return (U * U.transpose() - X_star).norm() / X_star.norm();
}

}  // namespace descent::recovery
