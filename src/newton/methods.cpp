#include "descent/newton/methods.hpp"

#include "descent/core/error.hpp"
#include "descent/newton/cubic_newton.hpp"
#include "descent/newton/gns.hpp"
#include "descent/newton/gradient_methods.hpp"
#include "descent/newton/hessian_source.hpp"
#include "descent/newton/super_universal_newton.hpp"

namespace descent::newton {

namespace {

// A second-order method's options plus the curvature it uses.
template <class Base>
struct WithHessian {
  Base base;
  std::string hessian = "exact";
  template <class Fields>
  void fields(Fields& f) {
    base.fields(f);
    f("hessian", hessian, "exact, wgn, fisher, gn-fisher, bound, or instance (its default)");
  }
};

problems::HessianApproximation hessian_of(const std::string& name,
                                          const problems::Instance& instance) {
  if (name == "instance") return instance.default_approximation;
  try {
    return problems::approximation_from_string(name);
  } catch (const Error& e) {
    throw InvalidOption("hessian", e.what());
  }
}

template <class Options>
Options with_instance(Options o, const problems::Instance& instance) {
  o.metric = instance.metric;
  o.optimal_value = instance.optimal_value;
  return o;
}

template <class Options, class Minimize>
Runner second_order(const char* name, const char* default_hessian, Minimize minimize) {
  return [=](const problems::Instance& in, Eigen::VectorXd& x, const Settings& s, Callbacks cb) {
    WithHessian<Options> base;
    base.hessian = default_hessian;
    const auto w = options_from(s, name, base);
    const auto h = hessian_of(w.hessian, in);
    if (std::string_view(name) == "gns-approx" && h == problems::HessianApproximation::exact)
      throw InvalidOption("hessian",
                          "gns-approx needs an approximation (wgn, fisher, "
                          "gn-fisher, bound or instance), not exact");
    return minimize(*in.oracle, x, HessianSource::approximation(*in.oracle, h),
                    with_instance(w.base, in), std::move(cb));
  };
}

template <class Options>
std::function<std::vector<OptionDoc>()> docs_with_hessian(const char* default_hessian) {
  return [default_hessian] {
    std::vector<OptionDoc> d = option_docs<WithHessian<Options>>();
    for (OptionDoc& o : d)
      if (o.key == "hessian") o.default_value = default_hessian;
    return d;
  };
}

}  // namespace

const MethodRegistry<Runner>& methods() {
  static const MethodRegistry<Runner> registry = [] {
    MethodRegistry<Runner> r("newton");
    const auto gns = [](const problems::Oracle& f, Eigen::VectorXd& x, const HessianSource& h,
                        const GnsOptions& o,
                        Callbacks cb) { return minimize_gns(f, x, h, o, std::move(cb)); };
    r.add({"gns", "", "Semenov, Jaggi, Doikov, arXiv:2506.13710",
           "Gradient-normalized "
           "regularized Newton, exact H"},
          docs_with_hessian<GnsOptions>("exact"), second_order<GnsOptions>("gns", "exact", gns));
    r.add({"gns-approx", "", "Semenov, Jaggi, Doikov, arXiv:2506.13710",
           "GNS with a Hessian approximation"},
          docs_with_hessian<GnsOptions>("instance"),
          second_order<GnsOptions>("gns-approx", "instance", gns));
    r.add({"cubic", "", "Nesterov, Polyak, Math. Program. 2006", "Cubic Newton, adaptive M"},
          docs_with_hessian<CubicNewtonOptions>("exact"),
          second_order<CubicNewtonOptions>(
              "cubic", "exact",
              [](const problems::Oracle& f, Eigen::VectorXd& x, const HessianSource& h,
                 const CubicNewtonOptions& o,
                 Callbacks cb) { return minimize_cubic_newton(f, x, h, o, std::move(cb)); }));
    r.add({"super-universal", "", "Doikov, Mishchenko, Nesterov, SIAM J. Optim. 2024",
           "Super-Universal regularized Newton"},
          docs_with_hessian<SuperUniversalOptions>("exact"),
          second_order<SuperUniversalOptions>(
              "super-universal", "exact",
              [](const problems::Oracle& f, Eigen::VectorXd& x, const HessianSource& h,
                 const SuperUniversalOptions& o, Callbacks cb) {
                return minimize_super_universal_newton(f, x, h, o, std::move(cb));
              }));
    r.add({"gd", "", "Nesterov, Math. Program. 2013", "Gradient method with adaptive L"},
          option_docs<GradientMethodOptions>,
          [](const problems::Instance& in, Eigen::VectorXd& x, const Settings& s, Callbacks cb) {
            return minimize_gradient_method(
                *in.oracle, x, with_instance(options_from<GradientMethodOptions>(s, "gd"), in),
                std::move(cb));
          });
    r.add({"fgm", "", "Gasnikov, Nesterov 2018", "Fast gradient method with adaptive L"},
          option_docs<GradientMethodOptions>,
          [](const problems::Instance& in, Eigen::VectorXd& x, const Settings& s, Callbacks cb) {
            return minimize_fast_gradient_method(
                *in.oracle, x, with_instance(options_from<GradientMethodOptions>(s, "fgm"), in),
                std::move(cb));
          });
    return r;
  }();
  return registry;
}

}  // namespace descent::newton
