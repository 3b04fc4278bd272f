#include "descent/newton/methods.hpp"

#include "descent/core/error.hpp"
#include "descent/newton/cubic_newton.hpp"
#include "descent/newton/gns.hpp"
#include "descent/newton/gradient_methods.hpp"
#include "descent/newton/hessian_source.hpp"
#include "descent/newton/super_universal_newton.hpp"

namespace descent::newton {

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::gns:
      return "gns";
    case Method::gns_approx:
      return "gns-approx";
    case Method::cubic:
      return "cubic";
    case Method::super_universal:
      return "super-universal";
    case Method::gd:
      return "gd";
    case Method::fgm:
      return "fgm";
  }
  return "gns";
}

std::vector<std::string> method_names() {
  return {"gns", "gns-approx", "cubic", "super-universal", "gd", "fgm"};
}

Method method_from_string(std::string_view name) {
  for (Method m : {Method::gns, Method::gns_approx, Method::cubic, Method::super_universal,
                   Method::gd, Method::fgm})
    if (name == to_string(m)) return m;
  throw Error("unknown method '" + std::string(name) +
              "' (expected gns, gns-approx, cubic, super-universal, gd or fgm)");
}

Summary run_method(const MethodSettings& st, const problems::Oracle& f, Eigen::VectorXd& x,
                   Callbacks callbacks) {
  const auto source = [&] { return HessianSource::approximation(f, st.hessian); };
  switch (st.method) {
    case Method::gns:
    case Method::gns_approx: {
      if (st.method == Method::gns_approx && st.hessian == problems::HessianApproximation::exact)
        throw Error(
            "gns-approx needs a Hessian approximation (--hessian wgn|fisher|gn-fisher|bound)");
      GnsOptions o;
      static_cast<CommonOptions&>(o) = st.common;
      o.linear_solver = st.linear_solver;
      return minimize_gns(f, x, source(), o, std::move(callbacks));
    }
    case Method::cubic: {
      CubicNewtonOptions o;
      static_cast<CommonOptions&>(o) = st.common;
      return minimize_cubic_newton(f, x, source(), o, std::move(callbacks));
    }
    case Method::super_universal: {
      SuperUniversalOptions o;
      static_cast<CommonOptions&>(o) = st.common;
      o.linear_solver = st.linear_solver;
      return minimize_super_universal_newton(f, x, source(), o, std::move(callbacks));
    }
    case Method::gd: {
      GradientMethodOptions o;
      static_cast<CommonOptions&>(o) = st.common;
      return minimize_gradient_method(f, x, o, std::move(callbacks));
    }
    case Method::fgm: {
      GradientMethodOptions o;
      static_cast<CommonOptions&>(o) = st.common;
      return minimize_fast_gradient_method(f, x, o, std::move(callbacks));
    }
  }
  throw Error("run_method: unknown method");
}

}  // namespace descent::newton
