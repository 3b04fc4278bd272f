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
  const auto ends_at = [&](double error) {
    return loop_ends_at(engine, error, tolerance, taken, budget, iteration, recorder, extras, out);
  };
  // The start: one pass without exp for the row maxima of -eta C + beta, then one exp pass that
  // builds K = exp(-eta C + beta - max) (alpha0 = -max: each row's largest entry is 1, so no row
  // underflows) and sums its rows, which give the start's row log-sums. No row-major copy of C.
  const Eigen::VectorXd alpha_start = engine.alpha(), beta_start = engine.beta();
  Eigen::VectorXd row_max;
  Eigen::MatrixXd K(n, m);
  const Eigen::VectorXd lse = engine.row_lse_from_columns(row_max, &K);
  double error = 0.0, mass = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double r = std::exp(alpha_start[i] + lse[i]);
    mass += r;
    error += std::abs(r - a[i]);
  }
  if (!columns_exact) {
    // Column sums of the start's plan: K^T w with w = exp(alpha + max), or the log domain's
    // column pass where w is not representable.
    const Eigen::VectorXd w = (alpha_start + row_max).array().exp();
    if (w.allFinite()) {
      for (Eigen::Index j = 0; j < m; ++j)
        error += std::abs(dot(K.col(j).data(), w.data(), std::size_t(n)) - b[j]);
    } else {
      error += engine.measure_cols();
    }
  }
  engine.set_state(alpha_start, beta_start, mass);
  if (ends_at(std::isfinite(error) ? error : std::numeric_limits<double>::quiet_NaN()))
    return result;
  // The first row update in the scaling form: alpha = log a - lse = alpha0 + log u.
  Eigen::VectorXd alpha0 = -row_max, beta0 = beta_start;
  Eigen::VectorXd u = (a.array() / (lse - row_max).array().exp()).matrix();
  Eigen::VectorXd v = Eigen::VectorXd::Ones(m), v_next(m), kv(n);
  const auto hand_back = [&] {
    engine.set_state(alpha0.array() + u.array().log(), beta0.array() + v.array().log(),
                     std::numeric_limits<double>::quiet_NaN());
    result.switch_to_log = true;
  };
  if (!u.allFinite() || !(u.array() > 0).all()) {
    engine.set_state(alpha_start, beta_start, mass);
    result.switch_to_log = true;
    return result;
  }
  for (;;) {
    if (!sweep(K, u, b, v, kv, v_next, threads)) {
      hand_back();
      return result;
    }
    ++iteration;
    ++taken;
    ++result.iterations;
    // The iterate (u, v): its column marginals are b (to rounding), its rows u .* K v.
    mass = 0.0;
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
