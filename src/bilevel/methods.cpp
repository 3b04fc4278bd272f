#include "descent/bilevel/methods.hpp"

#include "descent/bilevel/borep.hpp"
#include "descent/bilevel/bsvrb.hpp"
#include "descent/bilevel/lvhba.hpp"

namespace descent::bilevel {

const MethodRegistry<ConstrainedRunner>& constrained_methods() {
  static const MethodRegistry<ConstrainedRunner> registry = [] {
    MethodRegistry<ConstrainedRunner> r("bilevel");
    r.add({"lvhba", "", "Yao, Xu, Zhang, Ye, Zeng, ICLR 2024",
           "Single-loop Moreau-envelope method for lower-level constrained bilevel problems"},
          option_docs<LvHbaOptions>,
          [](const ConstrainedBilevelProblem& p, Vec& x, Vec& y, const Settings& s, Callbacks cb) {
            LvHbaState st = LvHbaState::start(p, x, y);
            Summary out =
                minimize_lvhba(p, st, options_from<LvHbaOptions>(s, "lvhba"), std::move(cb));
            x = st.x;
            y = st.y;
            return out;
          });
    return r;
  }();
  return registry;
}

const MethodRegistry<Runner>& methods() {
  static const MethodRegistry<Runner> registry = [] {
    MethodRegistry<Runner> r("bilevel");
    const auto add = [&](const char* name, const char* paper, const char* summary,
                         BoRepOptions base) {
      r.add({name, "", paper, summary}, option_docs_of(base),
            [name, base](BilevelProblem& p, Vec& x, Vec& y, const Settings& s, Callbacks cb) {
              BoRepState st = BoRepState::start(p, x, y);
              Summary out = minimize_borep(p, st, options_from(s, name, base), std::move(cb));
              x = st.x;
              y = st.y;
              return out;
            });
    };
    add("borep", "Hao, Gong, Liu, ICLR 2024",
        "Normalised momentum for bilevel problems with unbounded smoothness", BoRepOptions{});
    add("soba", "Dagreou, Ablin, Vaiter, Moreau, NeurIPS 2022",
        "Single-loop SGD on x, y and the linear-system variable z", soba_options(0.01, 0.5));
    return r;
  }();
  return registry;
}

namespace {
// ||x - x*|| / ||x*|| as the history's "monitor" column, when the problem knows x*.
BlockMonitor distance_to_solution(const MultiBlockProblem& p) {
  Vec xs;
  if (!p.solution(xs) || xs.norm() == 0.0) return {};
  return [xs](const Vec& x) { return (x - xs).norm() / xs.norm(); };
}
}  // namespace

const MethodRegistry<MultiBlockRunner>& multi_block_methods() {
  static const MethodRegistry<MultiBlockRunner> registry = [] {
    MethodRegistry<MultiBlockRunner> r("bilevel");
    for (const auto version : {BsvrbVersion::v1, BsvrbVersion::v2}) {
      BsvrbOptions base;
      base.version = version;
      const bool v1 = version == BsvrbVersion::v1;
      const char* name = v1 ? "bsvrb1" : "bsvrb2";
      r.add({name, "", "Hu, Qiu, Guo, Zhang, Yang, ICML 2023",
             v1 ? "Multi-block bilevel, MSVR-tracked Hessians + STORM"
                : "Multi-block bilevel, MSVR-tracked HVP iteration + STORM"},
            option_docs_of(base),
            [name, base](MultiBlockProblem& p, Vec& x, std::vector<Vec>& y, const Settings& s,
                         Callbacks cb) {
              return minimize_bsvrb(p, x, y, options_from(s, name, base), std::move(cb),
                                    distance_to_solution(p));
            });
    }
    r.add({"rsvrb", "", "Guo, Hu, Zhang, Yang, arXiv:2105.02266",
           "Randomised STORM estimators for multi-task bilevel"},
          option_docs<RsvrbOptions>,
          [](MultiBlockProblem& p, Vec& x, std::vector<Vec>& y, const Settings& s, Callbacks cb) {
            return minimize_rsvrb(p, x, y, options_from<RsvrbOptions>(s, "rsvrb"), std::move(cb),
                                  distance_to_solution(p));
          });
    return r;
  }();
  return registry;
}

}  // namespace descent::bilevel
