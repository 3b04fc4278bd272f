// One-hyper-parameter optimisation with implicit or unrolled hypergradients.
#include "descent/implicit/hyperopt.hpp"

#include <chrono>
#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"
#include "descent/implicit/inner.hpp"
#include "descent/implicit/unrolled.hpp"

namespace descent::implicit {

Model model_from_string(const std::string& s) {
  if (s == "ridge") return Model::ridge;
  if (s == "lasso") return Model::lasso;
  if (s == "logreg") return Model::logreg;
  if (s == "svm-multiclass" || s == "svm") return Model::svm;
  throw InvalidOption("model", "unknown model '" + s + "' (ridge, lasso, logreg, svm-multiclass)");
}
Hyper hyper_from_string(const std::string& s) {
  if (s == "l2") return Hyper::l2;
  if (s == "l1") return Hyper::l1;
  if (s == "log-l2") return Hyper::log_l2;
  throw InvalidOption("hyper", "unknown hyper-parameter '" + s + "' (l2, l1, log-l2)");
}
HyperMethod hyper_method_from_string(const std::string& s) {
  if (s == "implicit") return HyperMethod::implicit;
  if (s == "unrolled") return HyperMethod::unrolled;
  throw InvalidOption("method", "unknown method '" + s + "' (implicit, unrolled)");
}

void HyperoptOptions::validate() const {
  check::at_least("outer_steps", static_cast<long long>(outer_steps), 0);
  check::positive("learning_rate", learning_rate);
  check::positive("lambda0", lambda0);
  check::positive("inner_tolerance", inner_tolerance);
  check::at_least("unrolled_iterations", static_cast<long long>(unrolled_iterations), 1);
  check::at_least("inner_max_iterations", static_cast<long long>(inner_max_iterations), 1);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
  check::positive("linear_tolerance", linear.tolerance);
  check::require(model != Model::lasso || hyper == Hyper::l1, "hyper",
                 "the lasso's hyper-parameter is l1");
  check::require(model == Model::lasso || hyper != Hyper::l1, "hyper",
                 "l1 is the lasso's hyper-parameter; use l2 or log-l2");
  linear.validate();
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Everything the outer loop needs for one model.
struct Setup {
  Reg reg = Reg::direct;
  SmoothObjective f;
  std::function<Optimality(double theta)> mapping;   // the implicit optimality function
  std::function<double(double theta)> unroll_alpha;  // step multiplier of the unrolled iteration
  // Inner solve from a warm start; *inner (if not null) receives the solver's Summary.
  std::function<Vec(Vec x, double theta, double tol, Summary* inner)> solve;
  Vec x_init;  // cold start (unrolled; first solve)
  // validation loss at (x, θ), with ∂/∂x and ∂/∂θ
  std::function<double(const Vec& x, double theta, Vec* gx, double* gth)> outer;
};

void keep(Summary* inner, Summary s) {
  if (inner) *inner = std::move(s);
}

Eigen::VectorXi class_labels(const Vec& y, int classes, const char* which) {
  Eigen::VectorXi l(y.size());
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (y[i] != std::round(y[i]) || y[i] < 0 || y[i] >= classes)
      throw InvalidOption(which, "row " + std::to_string(i + 1) + ": target " + check::show(y[i]) +
                                     " is not a class index in 0.." + std::to_string(classes - 1));
    l[i] = static_cast<int>(y[i]);
  }
  return l;
}

double sq_loss(const Mat& x, const Vec& y, const Vec& w, Vec* g) {
  const Vec r = x * w - y;
  if (g) *g = x.transpose() * r / static_cast<double>(x.rows());
  return 0.5 * r.squaredNorm() / static_cast<double>(x.rows());
}

Setup make_setup(const HyperoptData& d, const HyperoptOptions& o) {
  if (d.x_train.rows() != d.y_train.size() || d.x_val.rows() != d.y_val.size() ||
      d.x_train.cols() != d.x_val.cols() || d.x_train.rows() == 0 || d.x_val.rows() == 0)
    throw Error("hyperopt: train/validation shapes do not match");
  const bool classification = o.model == Model::logreg || o.model == Model::svm;
  if (classification && d.classes < 2)
    throw InvalidOption("model", "logreg and svm-multiclass need a classification data set");
  Setup s;
  s.reg = o.hyper == Hyper::log_l2 ? Reg::log : Reg::direct;
  const double lip = least_squares_lipschitz(d.x_train);
  const std::size_t cap = o.inner_max_iterations;
  const bool accel = o.accelerate_inner;
  const Reg reg = s.reg;
  switch (o.model) {
    case Model::ridge: {
      s.f = ridge(d.x_train, d.y_train, reg);
      s.mapping = [f = s.f](double) { return stationarity(f); };
      s.unroll_alpha = [=](double th) { return -1.0 / (lip + reg_value(reg, th)); };
      s.solve = [f = s.f](Vec x, double th, double tol, Summary* inner) {
        keep(inner, solve_newton_cg(f, x, Vec::Constant(1, th), {tol, 100}));
        return x;
      };
      s.x_init = Vec::Zero(d.x_train.cols());
      s.outer = [=](const Vec& w, double, Vec* gx, double* gth) {
        if (gth) *gth = 0;
        return sq_loss(d.x_val, d.y_val, w, gx);
      };
      break;
    }
    case Model::lasso: {
      s.f = least_squares(d.x_train, d.y_train);
      const Optimality map = proximal_gradient(s.f, lasso_prox(), Vec::Constant(1, 1.0 / lip));
      s.mapping = [map](double) { return map; };
      s.unroll_alpha = [](double) { return 1.0; };
      s.solve = [=](Vec x, double th, double tol, Summary* inner) {
        keep(inner, solve_fixed_point(map, x, Vec::Constant(1, th), {tol, cap, accel}));
        return lasso_refit_on_support(d.x_train, d.y_train, th, x);
      };
      s.x_init = Vec::Zero(d.x_train.cols());
      s.outer = [=](const Vec& w, double, Vec* gx, double* gth) {
        if (gth) *gth = 0;
        return sq_loss(d.x_val, d.y_val, w, gx);
      };
      break;
    }
    case Model::logreg: {
      const int k = d.classes;
      const Eigen::VectorXi yt = class_labels(d.y_train, k, "train targets");
      const Eigen::VectorXi yv = class_labels(d.y_val, k, "validation targets");
      s.f = softmax_regression(d.x_train, yt, k, reg);
      s.mapping = [f = s.f](double) { return stationarity(f); };
      s.unroll_alpha = [=](double th) { return -1.0 / (0.5 * lip + reg_value(reg, th)); };
      s.solve = [f = s.f](Vec x, double th, double tol, Summary* inner) {
        keep(inner, solve_newton_cg(f, x, Vec::Constant(1, th), {tol, 100}));
        return x;
      };
      s.x_init = Vec::Zero(d.x_train.cols() * k);
      s.outer = [=](const Vec& w, double, Vec* gx, double* gth) {
        if (gth) *gth = 0;
        return softmax_loss(d.x_val, yv, w, k, gx);
      };
      break;
    }
    case Model::svm: {
      const int k = d.classes;
      const Eigen::VectorXi yt = class_labels(d.y_train, k, "train targets");
      const Eigen::VectorXi yv = class_labels(d.y_val, k, "validation targets");
      s.f = svm_dual(d.x_train, yt, k, reg);
      const double xnorm2 = lip * static_cast<double>(d.x_train.rows());  // ||X||₂²
      // Step 1/L with L = ||X||²/λ: depends on θ, but the fixed point does not.
      s.mapping = [=, f = s.f](double th) {
        return projected_gradient(f, simplex_projection(k), reg_value(reg, th) / xnorm2);
      };
      s.unroll_alpha = [](double) { return 1.0; };
      s.solve = [=, map = s.mapping](Vec x, double th, double tol, Summary* inner) {
        keep(inner, solve_fixed_point(map(th), x, Vec::Constant(1, th), {tol, cap, accel}));
        return x;
      };
      s.x_init = Vec::Constant(d.x_train.rows() * k, 1.0 / k);
      const Mat xt = d.x_train;
      const Mat xv = d.x_val;
      s.outer = [=](const Vec& beta, double th, Vec* gx, double* gth) {
        const double lam = reg_value(reg, th);
        const Mat w = svm_primal(xt, yt, k, beta, lam);
        Vec gw;
        const double loss = softmax_loss(xv, yv, Eigen::Map<const Vec>(w.data(), w.size()), k,
                                         gx || gth ? &gw : nullptr);
        if (gx || gth) {
          const Eigen::Map<const Mat> gwm(gw.data(), w.rows(), k);
          if (gx) {
            // W = Xᵀ(Y − B)/λ: ∂L/∂B = −X G_W/λ, flattened row-major like β.
            const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> gb =
                -xt * gwm / lam;
            *gx = Eigen::Map<const Vec>(gb.data(), gb.size());
          }
          if (gth) {
            const double slope = reg == Reg::log ? lam : 1.0;
            *gth = -(gwm.array() * w.array()).sum() / lam * slope;
          }
        }
        return loss;
      };
      break;
    }
  }
  return s;
}

struct Eval {
  double loss = 0, grad = 0;
  Vec x;
  LinearSolveResult solve;
  Summary inner;  // the inner solve's (implicit method)
};

Eval evaluate(const Setup& s, const HyperoptOptions& o, double th, const Vec& warm) {
  Eval e;
  Vec gx;
  double gth = 0;
  if (o.method == HyperMethod::implicit) {
    e.x = s.solve(warm, th, o.inner_tolerance, &e.inner);
    e.loss = s.outer(e.x, th, &gx, &gth);
    const VjpResult v = root_vjp(s.mapping(th), e.x, Vec::Constant(1, th), gx, o.linear);
    e.solve = v.solve;
    e.grad = gth + v.value[0];
  } else {
    UnrolledOptions uo;
    uo.alpha = s.unroll_alpha(th);
    uo.iterations = o.unrolled_iterations;
    const UnrolledResult r =
        unrolled(s.mapping(th), s.x_init, Vec::Constant(1, th), Mat::Ones(1, 1), uo);
    e.x = r.x;
    e.loss = s.outer(e.x, th, &gx, &gth);
    e.grad = gth + gx.dot(r.tangents.col(0));
    e.solve.status = r.summary.status == Status::diverged ? Status::diverged : Status::converged;
  }
  return e;
}

double theta_of(const HyperoptOptions& o, double lambda) {
  return o.hyper == Hyper::log_l2 ? std::log(lambda) : lambda;
}

}  // namespace

Hypergradient hypergradient(const HyperoptData& data, const HyperoptOptions& o, double theta) {
  o.validate();
  const Setup s = make_setup(data, o);
  const Eval e = evaluate(s, o, theta, s.x_init);
  return {e.grad, e.loss, e.solve};
}

HyperoptResult hyperopt(const HyperoptData& data, const HyperoptOptions& o, Callbacks callbacks) {
  o.validate();
  const auto t0 = Clock::now();
  const Setup s = make_setup(data, o);
  HyperoptResult r;
  Run run(o.method == HyperMethod::implicit ? "implicit" : "unrolled", 1, o.outer_steps,
          {o.record_history, o.history_stride}, callbacks);
  double th = theta_of(o, o.lambda0);
  // λ = θ must stay positive in the direct parameterisations.
  const double floor = o.hyper == Hyper::log_l2 ? -INFINITY : 1e-8;
  double m = 0, v = 0;
  const double b1 = 0.9, b2 = 0.999;
  Vec warm = s.x_init;
  bool diverged = false;
  for (std::size_t it = 0; it <= o.outer_steps; ++it) {
    const auto th0 = Clock::now();
    const Eval e = evaluate(s, o, th, warm);
    r.hypergradient_seconds += seconds(th0);
    if (o.warm_start) warm = e.x;
    if (!e.solve.ok()) ++r.linear_solve_failures;
    // An inner solve counts as converged within the round-off slack solve_newton_cg itself
    // allows (1e3 x the tolerance): a Newton solve can stop at |g| = 6e-10 for 1e-10.
    const bool inner_ok = e.inner.converged() || e.inner.gradient_norm <= 1e3 * o.inner_tolerance;
    if (o.method == HyperMethod::implicit && !inner_ok) {
      ++r.inner_solve_failures;
      r.inner_message = e.inner.brief();
    }
    r.cg_flagged = r.cg_flagged || e.solve.nonsymmetric;
    r.path.push_back({it, th, reg_value(s.reg, th), e.loss, e.grad, seconds(t0)});
    const Metric extras[] = {{"lambda", reg_value(s.reg, th)}, {"theta", th}};
    IterationInfo info;
    info.iteration = it;
    info.objective = e.loss;
    info.gradient_norm = std::abs(e.grad);
    info.step_size = o.learning_rate;
    info.extras = extras;
    if (!std::isfinite(e.loss) || !std::isfinite(e.grad)) {
      run.keep_final(info);
      run.end(Status::diverged, "non-finite validation loss or hypergradient");
      diverged = true;
      break;
    }
    r.hypergradient = e.grad;
    if (it == 0)
      run.start(info);
    else if (run.record(info))
      break;
    if (it == o.outer_steps) break;
    // Adam on θ.
    m = b1 * m + (1 - b1) * e.grad;
    v = b2 * v + (1 - b2) * e.grad * e.grad;
    const double mh = m / (1 - std::pow(b1, double(it + 1)));
    const double vh = v / (1 - std::pow(b2, double(it + 1)));
    th = std::max(floor, th - o.learning_rate * mh / (std::sqrt(vh) + 1e-12));
  }
  Summary& summary = run.summary();
  summary.iterations = r.path.size() - 1;
  r.val_loss_initial = r.path.front().val_loss;
  r.val_loss_final = r.path.back().val_loss;
  r.lambda = reg_value(s.reg, th);
  if (!diverged && r.inner_solve_failures > 0) {
    // The implicit hypergradient assumes x*(theta): at an unconverged inner iterate the loss and
    // the hypergradient are not the ones being reported.
    run.end(Status::failed,
            std::to_string(r.inner_solve_failures) + " of " + std::to_string(r.path.size()) +
                " inner solves did not reach inner_tolerance (last: " + r.inner_message +
                "): loosen inner_tolerance or raise the inner iteration cap");
  } else if (!diverged && r.linear_solve_failures > 0) {
    run.end(Status::failed, std::to_string(r.linear_solve_failures) +
                                " adjoint linear solves did not converge" +
                                (r.cg_flagged ? " (CG was asked for a non-symmetric system)" : ""));
  }
  // No convergence test on the hyper-parameter: the budget is the stopping rule.
  run.end(Status::max_iterations,
          "ran " + std::to_string(o.outer_steps) + " outer steps (the budget)");
  if (o.fd_check && !diverged) {
    // Central difference of the validation loss with tight inner solves.
    const double h = 1e-6 * std::max(1.0, std::abs(th));
    const double lo = th - h > floor ? th - h : th;
    const double hi = th + h;
    // Newton reaches round-off; FISTA is held to the same tolerance as the run.
    const double tight = std::min(o.inner_tolerance, 1e-13);
    Summary il, ih;
    const Vec xl = s.solve(warm, lo, tight, &il), xh = s.solve(warm, hi, tight, &ih);
    r.fd_reliable = (il.converged() || il.gradient_norm <= 1e3 * tight) &&
                    (ih.converged() || ih.gradient_norm <= 1e3 * tight);
    r.fd_hypergradient =
        (s.outer(xh, hi, nullptr, nullptr) - s.outer(xl, lo, nullptr, nullptr)) / (hi - lo);
    r.fd_rel_err = std::abs(r.hypergradient - r.fd_hypergradient) /
                   std::max(std::abs(r.fd_hypergradient), 1e-12);
  }
  r.summary = run.finish(r.val_loss_final, std::abs(r.hypergradient));
  return r;
}

namespace {

HyperoptRunner hyperopt_runner(HyperMethod method, const char* name) {
  return [method, name](const HyperoptData& data, const Settings& settings, Callbacks callbacks) {
    HyperoptOptions base;
    base.method = method;
    HyperoptOptions o = options_from(settings, name, base);
    if (!settings.find("hyper") && o.model == Model::lasso) o.hyper = Hyper::l1;
    return hyperopt(data, o, std::move(callbacks));
  };
}

HyperoptOptions hyperopt_base(HyperMethod method) {
  HyperoptOptions o;
  o.method = method;
  return o;
}

}  // namespace

const MethodRegistry<HyperoptRunner>& hyperopt_methods() {
  static const MethodRegistry<HyperoptRunner> registry = [] {
    MethodRegistry<HyperoptRunner> r("implicit");
    const char* paper =
        "Blondel et al., Efficient and Modular Implicit Differentiation, "
        "NeurIPS 2022";
    r.add({"implicit", "", paper,
           "Hyper-parameter descent with hypergradients from implicit differentiation"},
          option_docs_of(hyperopt_base(HyperMethod::implicit)),
          hyperopt_runner(HyperMethod::implicit, "implicit"));
    r.add({"unrolled", "", paper + std::string(" (baseline)"),
           "Hyper-parameter descent with hypergradients by unrolled forward-mode differentiation"},
          option_docs_of(hyperopt_base(HyperMethod::unrolled)),
          hyperopt_runner(HyperMethod::unrolled, "unrolled"));
    return r;
  }();
  return registry;
}

}  // namespace descent::implicit
