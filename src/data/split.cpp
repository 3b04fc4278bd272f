#include <algorithm>
#include <cmath>
#include <map>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/data/datasets.hpp"

namespace descent::data {

Dataset Dataset::subset(const std::vector<Eigen::Index>& rows) const {
  Dataset out = *this;
  out.features.resize(static_cast<Eigen::Index>(rows.size()), features.cols());
  out.targets.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Eigen::Index r = rows[i];
    if (r < 0 || r >= size())
      throw Error("Dataset::subset: row " + std::to_string(r) + " out of range");
    out.features.row(static_cast<Eigen::Index>(i)) = features.row(r);
    out.targets[static_cast<Eigen::Index>(i)] = targets[r];
  }
  return out;
}

std::pair<Dataset, Dataset> train_validation_split(const Dataset& d, double fraction,
                                                   std::uint64_t seed) {
  if (!(fraction > 0.0 && fraction < 1.0))
    throw InvalidOption("validation_fraction", "must lie in (0, 1)");
  if (d.size() < 2) throw Error("train_validation_split: need at least 2 samples");
  Rng rng = make_rng(seed, {0x5b1172});
  // Group rows by class (one group for regression), shuffle each, take `fraction` of each.
  std::map<long, std::vector<Eigen::Index>> groups;
  for (Eigen::Index i = 0; i < d.size(); ++i)
    groups[d.classes > 0 ? std::lround(d.targets[i]) : 0].push_back(i);
  std::vector<Eigen::Index> train, val;
  for (auto& [label, rows] : groups) {
    const auto perm = permutation(rng, static_cast<Eigen::Index>(rows.size()));
    auto k = static_cast<std::size_t>(std::llround(fraction * double(rows.size())));
    if (rows.size() >= 2) k = std::clamp<std::size_t>(k, 1, rows.size() - 1);
    for (std::size_t i = 0; i < rows.size(); ++i)
      (i < k ? val : train).push_back(rows[static_cast<std::size_t>(perm[i])]);
  }
  std::sort(train.begin(), train.end());
  std::sort(val.begin(), val.end());
  return {d.subset(train), d.subset(val)};
}

void Standardizer::fit(const Eigen::MatrixXd& x) {
  if (x.rows() < 1) throw Error("Standardizer::fit: no rows");
  mean_ = x.colwise().mean();
  const Eigen::MatrixXd centered = x.rowwise() - mean_;
  scale_ = (centered.array().square().colwise().sum() / double(x.rows())).sqrt().matrix();
  for (Eigen::Index j = 0; j < scale_.size(); ++j)
    if (!(scale_[j] > 1e-12)) scale_[j] = 1.0;
}

Eigen::MatrixXd Standardizer::transform(const Eigen::MatrixXd& x) const {
  if (x.cols() != mean_.size())
    throw Error("Standardizer::transform: expected " + std::to_string(mean_.size()) +
                " columns, got " + std::to_string(x.cols()));
  return (x.rowwise() - mean_).array().rowwise() / scale_.array();
}

Eigen::MatrixXd Standardizer::inverse_transform(const Eigen::MatrixXd& z) const {
  if (z.cols() != mean_.size())
    throw Error("Standardizer::inverse_transform: expected " + std::to_string(mean_.size()) +
                " columns, got " + std::to_string(z.cols()));
  return (z.array().rowwise() * scale_.array()).matrix().rowwise() + mean_;
}

}  // namespace descent::data
