// Proximal operators and projections with their Jacobian products.
#include <algorithm>
#include <cmath>
#include <functional>

#include "descent/core/error.hpp"
#include "descent/implicit/mappings.hpp"

namespace descent::implicit {
namespace {

double sign(double v) {
  return (v > 0) - (v < 0);
}

Vec unit_times(Eigen::Index size, Eigen::Index index, double value) {
  if (index >= size)
    throw Error("prox: theta has size " + std::to_string(size) + ", the prox reads theta[" +
                std::to_string(index) + "]");
  Vec r = Vec::Zero(size);
  r[index] = value;
  return r;
}

double eta_at(const Vec& eta, Eigen::Index i) {
  return eta.size() == 1 ? eta[0] : eta[i];
}

}  // namespace

Vec project_simplex(const Vec& z) {
  const Eigen::Index n = z.size();
  std::vector<double> s(z.data(), z.data() + n);
  std::sort(s.begin(), s.end(), std::greater<>());
  double cum = 0, tau = 0;
  for (Eigen::Index k = 0; k < n; ++k) {
    cum += s[k];
    const double t = (cum - 1.0) / static_cast<double>(k + 1);
    if (s[k] - t > 0) tau = t;
  }
  return (z.array() - tau).max(0.0).matrix();
}

Prox lasso_prox(Eigen::Index idx) {
  Prox p;
  p.value = [idx](const Vec& z, const Vec& th, const Vec& eta) -> Vec {
    Vec r(z.size());
    for (Eigen::Index i = 0; i < z.size(); ++i) {
      const double t = eta_at(eta, i) * th[idx];
      r[i] = sign(z[i]) * std::max(std::abs(z[i]) - t, 0.0);
    }
    return r;
  };
  p.jvp_z = [idx](const Vec& z, const Vec& th, const Vec& eta, const Vec& v) -> Vec {
    Vec r(z.size());
    for (Eigen::Index i = 0; i < z.size(); ++i)
      r[i] = std::abs(z[i]) > eta_at(eta, i) * th[idx] ? v[i] : 0.0;
    return r;
  };
  p.vjp_theta = [idx](const Vec& z, const Vec& th, const Vec& eta, const Vec& u) -> Vec {
    double d = 0;
    for (Eigen::Index i = 0; i < z.size(); ++i)
      if (std::abs(z[i]) > eta_at(eta, i) * th[idx]) d -= sign(z[i]) * eta_at(eta, i) * u[i];
    return unit_times(th.size(), idx, d);
  };
  p.jvp_theta = [idx](const Vec& z, const Vec& th, const Vec& eta, const Vec& t) -> Vec {
    Vec r = Vec::Zero(z.size());
    for (Eigen::Index i = 0; i < z.size(); ++i)
      if (std::abs(z[i]) > eta_at(eta, i) * th[idx]) r[i] = -sign(z[i]) * eta_at(eta, i) * t[idx];
    return r;
  };
  return p;
}

Prox group_lasso_prox(Eigen::Index gs, Eigen::Index idx) {
  if (gs < 1) throw InvalidOption("group_size", "must be >= 1");
  const auto check = [gs](const Vec& z) {
    if (z.size() % gs != 0)
      throw Error("group_lasso_prox: size " + std::to_string(z.size()) +
                  " is not a multiple of the group size " + std::to_string(gs));
  };
  Prox p;
  p.value = [=](const Vec& z, const Vec& th, const Vec& eta) -> Vec {
    check(z);
    Vec r = Vec::Zero(z.size());
    for (Eigen::Index g = 0; g < z.size(); g += gs) {
      const double n = z.segment(g, gs).norm(), t = eta_at(eta, g) * th[idx];
      if (n > t) r.segment(g, gs) = (1 - t / n) * z.segment(g, gs);
    }
    return r;
  };
  p.jvp_z = [=](const Vec& z, const Vec& th, const Vec& eta, const Vec& v) -> Vec {
    Vec r = Vec::Zero(z.size());
    for (Eigen::Index g = 0; g < z.size(); g += gs) {
      const auto zg = z.segment(g, gs);
      const double n = zg.norm(), t = eta_at(eta, g) * th[idx];
      if (n > t)
        r.segment(g, gs) =
            (1 - t / n) * v.segment(g, gs) + (t / (n * n * n)) * zg.dot(v.segment(g, gs)) * zg;
    }
    return r;
  };
  p.vjp_theta = [=](const Vec& z, const Vec& th, const Vec& eta, const Vec& u) -> Vec {
    double d = 0;
    for (Eigen::Index g = 0; g < z.size(); g += gs) {
      const auto zg = z.segment(g, gs);
      const double n = zg.norm(), t = eta_at(eta, g) * th[idx];
      if (n > t) d -= eta_at(eta, g) * zg.dot(u.segment(g, gs)) / n;
    }
    return unit_times(th.size(), idx, d);
  };
  p.jvp_theta = [=](const Vec& z, const Vec& th, const Vec& eta, const Vec& t) -> Vec {
    Vec r = Vec::Zero(z.size());
    for (Eigen::Index g = 0; g < z.size(); g += gs) {
      const auto zg = z.segment(g, gs);
      const double n = zg.norm(), thr = eta_at(eta, g) * th[idx];
      if (n > thr) r.segment(g, gs) = -eta_at(eta, g) * t[idx] / n * zg;
    }
    return r;
  };
  return p;
}

namespace {
Prox theta_free(std::function<Vec(const Vec&)> value,
                std::function<Vec(const Vec&, const Vec&)> jvp) {
  Prox p;
  p.value = [value](const Vec& z, const Vec&, const Vec&) { return value(z); };
  p.jvp_z = [jvp](const Vec& z, const Vec&, const Vec&, const Vec& v) { return jvp(z, v); };
  p.vjp_theta = [](const Vec&, const Vec& th, const Vec&, const Vec&) -> Vec {
    return Vec::Zero(th.size());
  };
  p.jvp_theta = [](const Vec& z, const Vec&, const Vec&, const Vec&) -> Vec {
    return Vec::Zero(z.size());
  };
  return p;
}
}  // namespace

Prox box_projection(double lo, double hi) {
  if (!(lo < hi)) throw InvalidOption("box", "lower bound must be < upper bound");
  return theta_free([=](const Vec& z) -> Vec { return z.cwiseMax(lo).cwiseMin(hi); },
                    [=](const Vec& z, const Vec& v) -> Vec {
                      return ((z.array() > lo) && (z.array() < hi)).cast<double>() * v.array();
                    });
}

Prox simplex_projection(Eigen::Index bs) {
  if (bs < 1) throw InvalidOption("block_size", "must be >= 1");
  const auto check = [bs](const Vec& z) {
    if (z.size() % bs != 0)
      throw Error("simplex_projection: size " + std::to_string(z.size()) +
                  " is not a multiple of the block size " + std::to_string(bs));
  };
  return theta_free(
      [=](const Vec& z) -> Vec {
        check(z);
        Vec r(z.size());
        for (Eigen::Index b = 0; b < z.size(); b += bs)
          r.segment(b, bs) = project_simplex(z.segment(b, bs));
        return r;
      },
      // J = diag(s) − s sᵀ/|S| on each block, s the support of the projection.
      [=](const Vec& z, const Vec& v) -> Vec {
        Vec r(z.size());
        for (Eigen::Index b = 0; b < z.size(); b += bs) {
          const Vec p = project_simplex(z.segment(b, bs));
          const Eigen::ArrayXd s = (p.array() > 0).cast<double>();
          const double mean = (s * v.segment(b, bs).array()).sum() / s.sum();
          r.segment(b, bs) = (s * (v.segment(b, bs).array() - mean)).matrix();
        }
        return r;
      });
}

}  // namespace descent::implicit
