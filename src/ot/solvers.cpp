#include "descent/ot/solvers.hpp"

#include "descent/ot/exact.hpp"
#include "descent/ot/sinkhorn.hpp"
#include "descent/ot/sns.hpp"

namespace descent::ot {

const MethodRegistry<Solver>& solvers() {
  static const MethodRegistry<Solver> registry = [] {
    MethodRegistry<Solver> r("ot");
    r.add({"sinkhorn", "", "Cuturi, NeurIPS 2013", "Log-domain Sinkhorn"},
          option_docs<SinkhornOptions>, [](const Problem& p, const Settings& s, Callbacks cb) {
            return sinkhorn(p, options_from<SinkhornOptions>(s, "sinkhorn"), std::move(cb));
          });
    r.add({"sinkhorn-eps", "", "Schmitzer, SIAM J. Sci. Comput. 2019",
           "Sinkhorn with epsilon scaling (eta continuation)"},
          option_docs<EpsilonScalingOptions>,
          [](const Problem& p, const Settings& s, Callbacks cb) {
            return sinkhorn_epsilon_scaling(
                p, options_from<EpsilonScalingOptions>(s, "sinkhorn-eps"), std::move(cb));
          });
    r.add({"sns", "", "Tang et al., ICLR 2024", "Sinkhorn-Newton-Sparse"}, option_docs<SnsOptions>,
          [](const Problem& p, const Settings& s, Callbacks cb) {
            return sinkhorn_newton_sparse(p, options_from<SnsOptions>(s, "sns"), std::move(cb));
          });
    r.add({"exact", "", "", "Exact OT (network simplex on the scaled integer problem)", false},
          option_docs<ExactOptions>, [](const Problem& p, const Settings& s, Callbacks) {
            return exact_ot(p, options_from<ExactOptions>(s, "exact"));
          });
    return r;
  }();
  return registry;
}

Result solve(const Problem& problem, std::string_view method, const Settings& settings,
             Callbacks callbacks) {
  return solvers().at(method).run(problem, settings, std::move(callbacks));
}

}  // namespace descent::ot
