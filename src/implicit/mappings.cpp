// The optimality mappings of jaxopt's solvers, each with its four Jacobian products.
#include "descent/implicit/mappings.hpp"

#include <cmath>

#include "descent/core/error.hpp"

namespace descent::implicit {

void SmoothObjective::validate() const {
  if (!grad || !hvp || !cross_vjp)
    throw Error("implicit::SmoothObjective: grad, hvp and cross_vjp must be set");
  if (dim_x <= 0 || dim_theta <= 0)
    throw Error("implicit::SmoothObjective: dim_x and dim_theta must be > 0");
}

namespace {
Vec cross_jvp_or_zero(const SmoothObjective& f, const Vec& x, const Vec& th, const Vec& t) {
  if (!f.cross_jvp) throw Error("implicit: this objective has no cross_jvp (needed by jvp_theta)");
  return f.cross_jvp(x, th, t);
}
}  // namespace

Optimality stationarity(SmoothObjective f) {
  f.validate();
  Optimality o;
  o.dim_x = f.dim_x;
  o.dim_theta = f.dim_theta;
  o.value = f.grad;
  // ∂₁F = ∇²f is symmetric: the same product serves both directions.
  o.vjp_x = f.hvp;
  o.jvp_x = f.hvp;
  o.vjp_theta = f.cross_vjp;
  if (f.cross_jvp) o.jvp_theta = f.cross_jvp;
  return o;
}

Optimality proximal_gradient(SmoothObjective f, Prox prox, Vec eta) {
  f.validate();
  if (!prox.value || !prox.jvp_z || !prox.vjp_theta)
    throw Error("implicit::proximal_gradient: prox value, jvp_z and vjp_theta must be set");
  if (eta.size() != 1 && eta.size() != f.dim_x)
    throw InvalidOption("eta", "must have size 1 or dim_x");
  if (!(eta.array() > 0).all() || !eta.allFinite())
    throw InvalidOption("eta", "step sizes must be finite and > 0");
  const Vec e = eta.size() == 1 ? Vec::Constant(f.dim_x, eta[0]) : eta;
  Optimality o;
  o.dim_x = f.dim_x;
  o.dim_theta = f.dim_theta;
  const auto z_of = [f, e](const Vec& x, const Vec& th) -> Vec {
    return x - e.cwiseProduct(f.grad(x, th));
  };
  o.value = [=](const Vec& x, const Vec& th) -> Vec { return prox.value(z_of(x, th), th, e) - x; };
  // ∂₁F = P (I − diag(η) H) − I, P = ∂prox symmetric, H = ∇²f symmetric.
  o.jvp_x = [=](const Vec& x, const Vec& th, const Vec& v) -> Vec {
    return prox.jvp_z(z_of(x, th), th, e, v - e.cwiseProduct(f.hvp(x, th, v))) - v;
  };
  o.vjp_x = [=](const Vec& x, const Vec& th, const Vec& u) -> Vec {
    const Vec pu = prox.jvp_z(z_of(x, th), th, e, u);
    return pu - f.hvp(x, th, e.cwiseProduct(pu)) - u;
  };
  // ∂₂F t = −P diag(η) C t + ∂_θ prox t, C = ∂₂∇₁f.
  o.vjp_theta = [=](const Vec& x, const Vec& th, const Vec& u) -> Vec {
    const Vec z = z_of(x, th);
    const Vec pu = prox.jvp_z(z, th, e, u);
    return prox.vjp_theta(z, th, e, u) - f.cross_vjp(x, th, e.cwiseProduct(pu));
  };
  if (prox.jvp_theta)
    o.jvp_theta = [=](const Vec& x, const Vec& th, const Vec& t) -> Vec {
      const Vec z = z_of(x, th);
      return prox.jvp_theta(z, th, e, t) -
             prox.jvp_z(z, th, e, e.cwiseProduct(cross_jvp_or_zero(f, x, th, t)));
    };
  return o;
}

Optimality projected_gradient(SmoothObjective f, Prox projection, double eta) {
  return proximal_gradient(std::move(f), std::move(projection), Vec::Constant(1, eta));
}

Optimality block_coordinate_descent(SmoothObjective f, Prox prox, const Vec& block_steps) {
  const Eigen::Index nb = block_steps.size();
  if (nb < 1 || f.dim_x % nb != 0)
    throw InvalidOption("block_steps", "the number of blocks must divide dim_x");
  const Eigen::Index bs = f.dim_x / nb;
  Vec eta(f.dim_x);
  for (Eigen::Index b = 0; b < nb; ++b) eta.segment(b * bs, bs).setConstant(block_steps[b]);
  return proximal_gradient(std::move(f), std::move(prox), eta);
}

namespace {
Vec softmax(const Vec& z) {
  const Eigen::ArrayXd e = (z.array() - z.maxCoeff()).exp();
  return (e / e.sum()).matrix();
}
}  // namespace

Optimality mirror_descent_kl(SmoothObjective f, double eta) {
  f.validate();
  if (!(eta > 0) || !std::isfinite(eta)) throw InvalidOption("eta", "must be finite and > 0");
  Optimality o;
  o.dim_x = f.dim_x;
  o.dim_theta = f.dim_theta;
  const auto p_of = [f, eta](const Vec& x, const Vec& th) -> Vec {
    if ((x.array() <= 0).any())
      throw Error("mirror_descent_kl: x must be entrywise > 0 (interior of the simplex)");
    return softmax((x.array().log()).matrix() - eta * f.grad(x, th));
  };
  // T = softmax(z), z = log x − η∇f: ∂T = S ∂z with S = diag(p) − ppᵀ (symmetric),
  // ∂z/∂x = diag(1/x) − ηH, ∂z/∂θ = −ηC.
  const auto s_mul = [](const Vec& p, const Vec& v) -> Vec {
    return p.cwiseProduct(v) - p * p.dot(v);
  };
  o.value = [=](const Vec& x, const Vec& th) -> Vec { return p_of(x, th) - x; };
  o.jvp_x = [=](const Vec& x, const Vec& th, const Vec& v) -> Vec {
    const Vec dz = v.cwiseQuotient(x) - eta * f.hvp(x, th, v);
    return s_mul(p_of(x, th), dz) - v;
  };
  o.vjp_x = [=](const Vec& x, const Vec& th, const Vec& u) -> Vec {
    const Vec su = s_mul(p_of(x, th), u);
    return su.cwiseQuotient(x) - eta * f.hvp(x, th, su) - u;
  };
  o.vjp_theta = [=](const Vec& x, const Vec& th, const Vec& u) -> Vec {
    return -eta * f.cross_vjp(x, th, s_mul(p_of(x, th), u));
  };
  if (f.cross_jvp)
    o.jvp_theta = [=](const Vec& x, const Vec& th, const Vec& t) -> Vec {
      return s_mul(p_of(x, th), -eta * f.cross_jvp(x, th, t));
    };
  return o;
}

Optimality kkt(QuadraticProgram qp) {
  const Eigen::Index d = qp.dim(), p = qp.n_eq(), m = qp.n_ineq();
  if (qp.Q.cols() != d || d == 0) throw InvalidOption("Q", "must be square and non-empty");
  if (p > 0 && qp.A.cols() != d) throw InvalidOption("A", "must have dim(Q) columns");
  if (m > 0 && qp.G.cols() != d) throw InvalidOption("G", "must have dim(Q) columns");
  if (p == 0) qp.A.resize(0, d);
  if (m == 0) qp.G.resize(0, d);
  Optimality o;
  o.dim_x = d + p + m;
  o.dim_theta = d + p + m;
  // z = (x, ν, λ), θ = (q, b, h).
  o.value = [qp, d, p, m](const Vec& z, const Vec& th) -> Vec {
    const auto x = z.head(d), nu = z.segment(d, p), lam = z.tail(m);
    Vec r(d + p + m);
    r.head(d) = qp.Q * x + th.head(d) + qp.A.transpose() * nu + qp.G.transpose() * lam;
    r.segment(d, p) = qp.A * x - th.segment(d, p);
    r.tail(m) = lam.cwiseProduct(qp.G * x - th.tail(m));
    return r;
  };
  o.jvp_x = [qp, d, p, m](const Vec& z, const Vec& th, const Vec& v) -> Vec {
    const auto x = z.head(d), lam = z.tail(m);
    const auto dx = v.head(d), dnu = v.segment(d, p), dlam = v.tail(m);
    Vec r(d + p + m);
    r.head(d) = qp.Q * dx + qp.A.transpose() * dnu + qp.G.transpose() * dlam;
    r.segment(d, p) = qp.A * dx;
    r.tail(m) = lam.cwiseProduct(qp.G * dx) + (qp.G * x - th.tail(m)).cwiseProduct(dlam);
    return r;
  };
  o.vjp_x = [qp, d, p, m](const Vec& z, const Vec& th, const Vec& u) -> Vec {
    const auto x = z.head(d), lam = z.tail(m);
    const auto u1 = u.head(d), u2 = u.segment(d, p), u3 = u.tail(m);
    Vec r(d + p + m);
    r.head(d) =
        qp.Q.transpose() * u1 + qp.A.transpose() * u2 + qp.G.transpose() * lam.cwiseProduct(u3);
    r.segment(d, p) = qp.A * u1;
    r.tail(m) = qp.G * u1 + (qp.G * x - th.tail(m)).cwiseProduct(u3);
    return r;
  };
  o.vjp_theta = [d, p, m](const Vec& z, const Vec&, const Vec& u) -> Vec {
    Vec r(d + p + m);
    r.head(d) = u.head(d);
    r.segment(d, p) = -u.segment(d, p);
    r.tail(m) = -z.tail(m).cwiseProduct(u.tail(m));
    return r;
  };
  o.jvp_theta = o.vjp_theta;  // ∂₂F is diagonal
  return o;
}

}  // namespace descent::implicit
