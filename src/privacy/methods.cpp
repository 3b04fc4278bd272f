#include "descent/privacy/methods.hpp"

#include "descent/privacy/diff2.hpp"
#include "descent/privacy/dp_gd.hpp"

namespace descent::privacy {

const MethodRegistry<Runner>& methods() {
  static const MethodRegistry<Runner> registry = [] {
    MethodRegistry<Runner> r("privacy");
    r.add({"dpgd", "", "Abadi et al., CCS 2016 (full batch)",
           "Differentially private gradient descent, zCDP-accounted"},
          option_docs<DpGdOptions>,
          [](const WorkerSet& w, Eigen::VectorXd& x, const Settings& s, Callbacks cb) {
            return minimize_dp_gd(w, x, options_from<DpGdOptions>(s, "dpgd"), std::move(cb));
          });
    r.add({"diff2", "", "Murata, Suzuki, ICML 2023",
           "Differentially private gradient differences with periodic restarts"},
          option_docs<Diff2Options>,
          [](const WorkerSet& w, Eigen::VectorXd& x, const Settings& s, Callbacks cb) {
            return minimize_diff2(w, x, options_from<Diff2Options>(s, "diff2"), std::move(cb));
          });
    return r;
  }();
  return registry;
}

}  // namespace descent::privacy
