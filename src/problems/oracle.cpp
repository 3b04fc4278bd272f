#include "descent/problems/oracle.hpp"

#include <algorithm>

#include "descent/core/error.hpp"

namespace descent::problems {

std::string_view to_string(HessianApproximation a) noexcept {
  switch (a) {
    case HessianApproximation::exact:
      return "exact";
    case HessianApproximation::weighted_gauss_newton:
      return "wgn";
    case HessianApproximation::fisher:
      return "fisher";
    case HessianApproximation::gauss_newton_fisher:
      return "gn-fisher";
    case HessianApproximation::bound:
      return "bound";
  }
  return "exact";
}

HessianApproximation approximation_from_string(std::string_view name) {
  if (name == "exact") return HessianApproximation::exact;
  if (name == "wgn" || name == "weighted_gauss_newton" || name == "weighted-gauss-newton")
    return HessianApproximation::weighted_gauss_newton;
  if (name == "fisher") return HessianApproximation::fisher;
  if (name == "gn-fisher" || name == "gauss_newton_fisher" || name == "gauss-newton-fisher")
    return HessianApproximation::gauss_newton_fisher;
  if (name == "bound") return HessianApproximation::bound;
  throw Error("unknown Hessian approximation '" + std::string(name) +
              "' (expected exact, wgn, fisher, gn-fisher or bound)");
}

bool Oracle::offers(HessianApproximation a) const {
  if (a == HessianApproximation::exact) return true;
  const auto list = approximations();
  return std::find(list.begin(), list.end(), a) != list.end();
}

void Oracle::approximate_hessian(const Eigen::VectorXd& x, HessianApproximation a,
                                 Eigen::MatrixXd& h) const {
  if (a == HessianApproximation::exact) {
    hessian(x, h);
    return;
  }
  if (!offers(a)) {
    std::string offered = "exact";
    for (auto k : approximations()) offered += ", " + std::string(to_string(k));
    throw Error(name() + " does not offer the Hessian approximation '" + std::string(to_string(a)) +
                "' (offered: " + offered + ")");
  }
  approximation(x, a, h);
}

bool Oracle::rank_one(const Eigen::VectorXd&, HessianApproximation, RankOne&) const {
  return false;
}

void Oracle::approximation(const Eigen::VectorXd&, HessianApproximation a, Eigen::MatrixXd&) const {
  throw Error(name() + ": approximation '" + std::string(to_string(a)) + "' not implemented");
}

void Oracle::check_dimension(const Eigen::VectorXd& x, const char* where) const {
  if (x.size() != dimension())
    throw Error(name() + "::" + where + ": x has " + std::to_string(x.size()) +
                " entries, expected " + std::to_string(dimension()));
}

}  // namespace descent::problems
