#include "descent/evo/hypervolume.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

#include "descent/core/error.hpp"

namespace descent::evo {

namespace {

using Point2 = std::pair<double, double>;

/// HV of 2-D points already strictly inside the reference box.
double hv2(std::vector<Point2> p, double r1, double r2) {
  std::sort(p.begin(), p.end());
  double area = 0.0, best2 = r2;  // best f2 so far (the staircase's current height)
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i].second >= best2) continue;  // dominated by an earlier point
    // The next x where the staircase may change is the next point's f1 (or r1).
    best2 = p[i].second;
    double next = r1;
    for (std::size_t j = i + 1; j < p.size(); ++j)
      if (p[j].second < best2) {
        next = p[j].first;
        break;
      }
    area += (next - p[i].first) * (r2 - best2);
  }
  return area;
}

/// HV of 3-D points inside the box: sweep f3 upwards; between consecutive f3 values the
/// cross-section is the 2-D HV of the points seen so far.
double hv3(const Eigen::MatrixXd& f, const std::vector<Eigen::Index>& rows,
           const Eigen::VectorXd& ref) {
  std::vector<Eigen::Index> order = rows;
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return f(a, 2) < f(b, 2); });
  // The 2-D front of the points seen so far, as a staircase f1 -> f2 (f1 increasing, f2
  // decreasing), and its area, updated as each point enters.
  std::map<double, double> stair;
  double area = 0.0, volume = 0.0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const double x = f(order[i], 0), y = f(order[i], 1);
    // Dominated in 2-D by a point already on the staircase (f1 <= x with f2 <= y)?
    auto it = stair.upper_bound(x);
    const bool dominated = it != stair.begin() && std::prev(it)->second <= y;
    if (!dominated) {
      // Remove the points it dominates (f1 >= x, f2 >= y) and recompute the area exactly.
      auto first = stair.lower_bound(x);
      auto last = first;
      while (last != stair.end() && last->second >= y) ++last;
      stair.erase(first, last);
      stair[x] = y;
      std::vector<Point2> pts(stair.begin(), stair.end());
      area = hv2(std::move(pts), ref(0), ref(1));
    }
    const double z_next = i + 1 < order.size() ? f(order[i + 1], 2) : ref(2);
    volume += area * (z_next - f(order[i], 2));
  }
  return volume;
}

void check_shape(const Eigen::MatrixXd& f, const Eigen::VectorXd& ref) {
  if (f.cols() != 2 && f.cols() != 3)
    throw Error("hypervolume: exact computation takes 2 or 3 objectives, got " +
                std::to_string(f.cols()));
  if (ref.size() != f.cols())
    throw Error("hypervolume: the reference point has " + std::to_string(ref.size()) +
                " coordinates, the points " + std::to_string(f.cols()));
  if (!ref.allFinite()) throw Error("hypervolume: the reference point is not finite");
  if (!f.allFinite()) throw Error("hypervolume: a point has a non-finite objective");
}

double compute(const Eigen::MatrixXd& f, const Eigen::VectorXd& ref,
               const std::vector<Eigen::Index>& rows) {
  if (rows.empty()) return 0.0;
  if (f.cols() == 2) {
    std::vector<Point2> p;
    p.reserve(rows.size());
    for (Eigen::Index r : rows) p.emplace_back(f(r, 0), f(r, 1));
    return hv2(std::move(p), ref(0), ref(1));
  }
  return hv3(f, rows, ref);
}

bool inside(const Eigen::MatrixXd& f, Eigen::Index r, const Eigen::VectorXd& ref) {
  for (Eigen::Index k = 0; k < f.cols(); ++k)
    if (!(f(r, k) < ref(k))) return false;
  return true;
}

}  // namespace

double hypervolume(const Eigen::MatrixXd& f, const Eigen::VectorXd& ref) {
  check_shape(f, ref);
  std::vector<Eigen::Index> rows(static_cast<std::size_t>(f.rows()));
  std::iota(rows.begin(), rows.end(), Eigen::Index{0});
  for (Eigen::Index r : rows)
    if (!inside(f, r, ref))
      throw Error("hypervolume: point " + std::to_string(r + 1) +
                  " is not strictly better than the reference point in every objective (the "
                  "reference must be dominated by every point)");
  return compute(f, ref, rows);
}

double hypervolume_within(const Eigen::MatrixXd& f, const Eigen::VectorXd& ref) {
  check_shape(f, ref);
  std::vector<Eigen::Index> rows;
  for (Eigen::Index r = 0; r < f.rows(); ++r)
    if (inside(f, r, ref)) rows.push_back(r);
  return compute(f, ref, rows);
}

}  // namespace descent::evo
