#include "descent/newton/hessian_source.hpp"

#include "descent/core/error.hpp"

namespace descent::newton {

void Curvature::to_dense(Eigen::MatrixXd& h) const {
  if (is_rank_one)
    h.noalias() = factor.alpha * (factor.v * factor.v.transpose());
  else
    h = dense;
}

HessianSource HessianSource::exact(const problems::Oracle& f) {
  HessianSource s;
  s.name_ = "exact";
  s.eval_ = [&f](const Eigen::VectorXd& x, Curvature& c) {
    c.is_rank_one = false;
    f.hessian(x, c.dense);
  };
  return s;
}

HessianSource HessianSource::approximation(const problems::Oracle& f,
                                           problems::HessianApproximation a) {
  if (a == problems::HessianApproximation::exact) return exact(f);
  if (!f.offers(a))
    throw Error(f.name() + " does not offer the Hessian approximation '" +
                std::string(problems::to_string(a)) + "'");
  HessianSource s;
  s.name_ = std::string(problems::to_string(a));
  s.eval_ = [&f, a](const Eigen::VectorXd& x, Curvature& c) {
    c.is_rank_one = f.rank_one(x, a, c.factor);
    if (!c.is_rank_one) f.approximate_hessian(x, a, c.dense);
  };
  return s;
}

HessianSource HessianSource::callable(DenseFn fn, std::string name) {
  if (!fn) throw Error("HessianSource::callable: empty function");
  HessianSource s;
  s.name_ = std::move(name);
  s.eval_ = [fn = std::move(fn)](const Eigen::VectorXd& x, Curvature& c) {
    c.is_rank_one = false;
    fn(x, c.dense);
  };
  return s;
}

HessianSource HessianSource::rank_one_callable(RankOneFn fn, std::string name) {
  if (!fn) throw Error("HessianSource::rank_one_callable: empty function");
  HessianSource s;
  s.name_ = std::move(name);
  s.eval_ = [fn = std::move(fn)](const Eigen::VectorXd& x, Curvature& c) {
    c.is_rank_one = true;
    fn(x, c.factor);
  };
  return s;
}

void HessianSource::evaluate(const Eigen::VectorXd& x, Curvature& c) const {
  eval_(x, c);
  const Eigen::Index n = x.size();
  if (c.is_rank_one ? c.factor.v.size() != n : (c.dense.rows() != n || c.dense.cols() != n))
    throw Error("Hessian source '" + name_ + "' returned a matrix of the wrong size");
}

}  // namespace descent::newton
