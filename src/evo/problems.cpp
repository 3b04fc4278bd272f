#include "descent/evo/problems.hpp"

#include <cmath>

namespace descent::evo {

namespace {

template <class Front>
Problem zdt(Eigen::Index n, Front front) {
  Problem p;
  p.bounds = Bounds::box(n, 0.0, 1.0);
  p.objectives = 2;
  p.evaluate = [n, front](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) {
    for (Eigen::Index r = 0; r < X.rows(); ++r) {
      const double f1 = X(r, 0);
      const double g = 1.0 + 9.0 * X.row(r).tail(n - 1).sum() / static_cast<double>(n - 1);
      F(r, 0) = f1;
      F(r, 1) = g * front(f1 / g);
    }
  };
  return p;
}

}  // namespace

Problem zdt1(Eigen::Index n) {
  return zdt(n, [](double t) { return 1.0 - std::sqrt(t); });
}

Problem zdt2(Eigen::Index n) {
  return zdt(n, [](double t) { return 1.0 - t * t; });
}

// The front f2 = h(f1), f1 in [0, 1], dominates height r − h(f1) above each f1 and, beyond its
// end point (1, 0), height r for f1 in [1, r]: HV = ∫0^1 (r − h) + r (r − 1), that is
// (r − 1) + 2/3 + r (r − 1) for h = 1 − √x and (r − 1) + 1/3 + r (r − 1) for h = 1 − x².
double zdt1_true_hypervolume(double r) {
  return (r - 1.0) + 2.0 / 3.0 + r * (r - 1.0);
}
double zdt2_true_hypervolume(double r) {
  return (r - 1.0) + 1.0 / 3.0 + r * (r - 1.0);
}

}  // namespace descent::evo
