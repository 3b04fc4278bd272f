#include "descent/recovery/methods.hpp"

#include "descent/recovery/l2_gd.hpp"
#include "descent/recovery/subgm.hpp"

namespace descent::recovery {

namespace {

const Eigen::MatrixXd* reference_of(const RecoveryProblem& p) {
  return p.X_star.size() > 0 ? &p.X_star : nullptr;
}

}  // namespace

const MethodRegistry<Runner>& methods() {
  static const MethodRegistry<Runner> registry = [] {
    MethodRegistry<Runner> r("recovery");
    r.add({"subgm", "", "Ma, Fattahi, JMLR 2023",
           "Sub-gradient method on the l1 loss from a small initialization"},
          option_docs<SubgmOptions>,
          [](const RecoveryProblem& p, Eigen::MatrixXd& U, const Settings& s, Callbacks cb) {
            return minimize_subgm(*p.op, p.y, U, options_from<SubgmOptions>(s, "subgm"),
                                  std::move(cb), reference_of(p));
          });
    r.add({"l2-gd", "", "Tu et al., ICML 2016 (baseline)",
           "Gradient descent on the factorised least-squares loss"},
          option_docs<L2GdOptions>,
          [](const RecoveryProblem& p, Eigen::MatrixXd& U, const Settings& s, Callbacks cb) {
            return minimize_l2_gd(*p.op, p.y, U, options_from<L2GdOptions>(s, "l2-gd"),
                                  std::move(cb), reference_of(p));
          });
    return r;
  }();
  return registry;
}

}  // namespace descent::recovery
