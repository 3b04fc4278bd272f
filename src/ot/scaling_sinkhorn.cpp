#include "scaling_sinkhorn.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "descent/core/options.hpp"
#include "kernels.hpp"

namespace descent::ot::detail {

namespace {

// K = exp(-eta C + alpha0 1^T + 1 beta0^T), column-major like C (0 below exp(-708)).
void build_kernel(const Eigen::MatrixXd& C, double eta, const Eigen::VectorXd& alpha0,
                  const Eigen::VectorXd& beta0, int threads, Eigen::MatrixXd& K) {
  const std::size_t n = std::size_t(C.rows());
  parallel_blocks(std::size_t(C.cols()), threads, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t j = begin; j < end; ++j) {
      const Eigen::Index c = Eigen::Index(j);
      exp_row(C.col(c).data(), alpha0.data(), n, -eta, beta0[c], K.col(c).data(), nullptr);
    }
  });
}

bool usable(double s) {
  return s > 0 && std::isfinite(s);
}

// v_j = b_j / (K^T u)_j for every column, then kv = K v. Returns false, with v untouched, if
// some (K^T u)_j is 0 or not finite. One thread: one sweep over K (each column is used twice
// while in cache). Several: the columns' dots in parallel, then K v by row blocks. Both add the
// terms of each kv_i in column order with the same kernel, so the bits do not depend on the
// thread count.
bool sweep(const Eigen::MatrixXd& K, const Eigen::VectorXd& u, const Eigen::VectorXd& b,
           Eigen::VectorXd& v, Eigen::VectorXd& kv, Eigen::VectorXd& v_next, int threads) {
  const std::size_t n = std::size_t(K.rows()), m = std::size_t(K.cols());
  kv.setZero();
  if (threads <= 1) {
    for (std::size_t j = 0; j < m; ++j) {
      const double* column = K.col(Eigen::Index(j)).data();
      const double s = dot(column, u.data(), n);
      if (!usable(s)) return false;
      v_next[Eigen::Index(j)] = b[Eigen::Index(j)] / s;
      axpy(kv.data(), column, v_next[Eigen::Index(j)], n);
    }
  } else {
    std::vector<char> ok(std::size_t(threads), 1);
    parallel_blocks(m, threads, [&](std::size_t begin, std::size_t end, int w) {
      for (std::size_t j = begin; j < end; ++j) {
        const double s = dot(K.col(Eigen::Index(j)).data(), u.data(), n);
        if (!usable(s)) ok[std::size_t(w)] = 0;
        v_next[Eigen::Index(j)] = b[Eigen::Index(j)] / s;
      }
    });
    for (char o : ok)
      if (!o) return false;
    parallel_blocks(n, threads, [&](std::size_t begin, std::size_t end, int) {
      for (std::size_t j = 0; j < m; ++j)
        axpy(kv.data() + begin, K.col(Eigen::Index(j)).data() + begin, v_next[Eigen::Index(j)],
             end - begin);
    });
  }
  v.swap(v_next);
  return true;
}

struct ScalingOutcome {
  LoopOutcome loop;
  bool switch_to_log = false;  // the kernel underflowed: the engine holds the last finite iterate
  std::size_t iterations = 0, absorptions = 0;
};

ScalingOutcome scaling_loop(LogSinkhorn& engine, const SinkhornOptions& options, double tolerance,
                            std::size_t budget, bool columns_exact, std::size_t& iteration,
                            Recorder& recorder, std::span<Metric> extras) {
  ScalingOutcome result;
  LoopOutcome& out = result.loop;
  const Problem& p = engine.problem();
  const Eigen::VectorXd &a = p.a(), &b = p.b();
  const Eigen::Index n = p.rows(), m = p.cols();
  const double eta = engine.eta();
  const int threads = engine.threads();
  std::size_t taken = 0;
  // Records the iterate and says whether the loop ends there (as sinkhorn_loop).
  const auto ends_at = [&](double error) {
    out.error = error;
    if (!extras.empty()) extras[0].value = error;
    if (recorder.record(iteration, engine.dual_value(), error, 1.0, extras)) {
      out.status = Status::stopped;
      return true;
    }
    if (!std::isfinite(error)) {
      out.status = Status::diverged;
      out.message = "marginal error became non-finite at iteration " + std::to_string(iteration);
      return true;
    }
    if (error <= tolerance) {
      out.status = Status::converged;
      return true;
    }
    if (taken == budget) {
      out.status = Status::max_iterations;
      return true;
    }
    return false;
  };
  double error = engine.measure_rows();
  if (!columns_exact) error += engine.measure_cols();
  if (ends_at(error)) return result;
  // One log-domain row update, then K absorbs the potentials: each row of K sums to a_i.
  engine.update_rows();
  Eigen::VectorXd alpha0 = engine.alpha(), beta0 = engine.beta();
  Eigen::MatrixXd K(n, m);
  build_kernel(p.cost(), eta, alpha0, beta0, threads, K);
  Eigen::VectorXd u = Eigen::VectorXd::Ones(n), v = Eigen::VectorXd::Ones(m), v_next(m), kv(n);
  const auto hand_back = [&] {
    engine.set_state(alpha0.array() + u.array().log(), beta0.array() + v.array().log(),
                     std::numeric_limits<double>::quiet_NaN());
    result.switch_to_log = true;
  };
  for (;;) {
    if (!sweep(K, u, b, v, kv, v_next, threads)) {
      hand_back();
      return result;
    }
    ++iteration;
    ++taken;
    ++result.iterations;
    // The iterate (u, v): its column marginals are b (to rounding), its rows u .* K v.
    double mass = 0.0;
    error = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double r = u[i] * kv[i];
      mass += r;
      error += std::abs(r - a[i]);
    }
    engine.set_state(alpha0.array() + u.array().log(), beta0.array() + v.array().log(), mass);
    if (ends_at(error)) return result;
    bool finite = true;
    double largest = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      u[i] = a[i] / kv[i];
      finite = finite && usable(u[i]);
      largest = std::max(largest, std::abs(std::log(u[i])));
    }
    if (!finite) {  // a row of K v was 0: the engine holds the iterate just recorded
      result.switch_to_log = true;
      return result;
    }
    for (Eigen::Index j = 0; j < m; ++j) largest = std::max(largest, std::abs(std::log(v[j])));
    if (largest > options.absorb_threshold) {
      alpha0.array() += u.array().log();
      beta0.array() += v.array().log();
      u.setOnes();
      v.setOnes();
      build_kernel(p.cost(), eta, alpha0, beta0, threads, K);
      ++result.absorptions;
    }
  }
}

}  // namespace

LoopOutcome sinkhorn_loop_any_domain(LogSinkhorn& engine, const SinkhornOptions& options,
                                     double tolerance, std::size_t budget, bool columns_exact,
                                     std::size_t& iteration, Recorder& recorder,
                                     std::span<Metric> extras) {
  if (!engine.dense() || options.domain == SinkhornDomain::log)
    return sinkhorn_loop(engine, tolerance, budget, columns_exact, iteration, recorder, extras);
  const std::size_t start = iteration;
  const ScalingOutcome s =
      scaling_loop(engine, options, tolerance, budget, columns_exact, iteration, recorder, extras);
  auto& counters = recorder.summary().counters;
  counters["scaling_iterations"] += double(s.iterations);
  counters["absorptions"] += double(s.absorptions);
  if (!s.switch_to_log) return s.loop;
  if (options.domain == SinkhornDomain::scaling) {
    LoopOutcome out = s.loop;
    out.status = Status::diverged;
    out.error = std::numeric_limits<double>::quiet_NaN();
    out.message = "the scaling-domain kernel underflowed on a whole row or column at iteration " +
                  std::to_string(iteration) + " (domain = auto continues in the log domain)";
    return out;
  }
  counters["domain_switches"] += 1.0;
  const std::size_t used = iteration - start;
  return sinkhorn_loop(engine, tolerance, budget > used ? budget - used : 0, false, iteration,
                       recorder, extras);
}

}  // namespace descent::ot::detail
