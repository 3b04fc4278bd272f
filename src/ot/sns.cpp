#include "descent/ot/sns.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "descent/core/options.hpp"
#include "kernels.hpp"
#include "log_sinkhorn.hpp"
#include "sparse_newton.hpp"

namespace descent::ot {

namespace {

using detail::LogSinkhorn;
using detail::Recorder;

// The dense plan at the current potentials, its row and column sums, and eta * f.
class DensePlan {
 public:
  explicit DensePlan(const LogSinkhorn& e)
      : e_(e),
        n_(e.rows()),
        m_(e.cols()),
        p_(n_ * m_),
        trial_(n_ * m_),
        rowsum_(Eigen::Index(n_)),
        colsum_(Eigen::Index(m_)),
        trial_rowsum_(Eigen::Index(n_)),
        trial_colsum_(Eigen::Index(m_)),
        partial_(std::size_t(e.threads()), std::vector<double>(m_)) {}

  const double* data() const noexcept { return p_.data(); }
  const Eigen::VectorXd& rowsum() const noexcept { return rowsum_; }
  const Eigen::VectorXd& colsum() const noexcept { return colsum_; }

  /// P = exp(-eta C + alpha 1^T + 1 beta^T), freshly from the potentials.
  void compute() {
    const Eigen::VectorXd &alpha = e_.alpha(), &beta = e_.beta();
    run_rows(
        [&](std::size_t i, int, double* colsum) {
          return detail::exp_row(e_.cost_rows() + i * m_, beta.data(), m_, -e_.eta(),
                                 alpha[Eigen::Index(i)], &p_[i * m_], colsum);
        },
        rowsum_, colsum_);
  }

  /// Trial plan P e^{t(da_i + db_j)} with its sums; returns sum_ij P_ij phi(t(da_i + db_j)).
  double trial(const Eigen::VectorXd& da, const Eigen::VectorXd& db, double t) {
    std::vector<double> phi(partial_.size(), 0.0);
    run_rows(
        [&](std::size_t i, int w, double* colsum) {
          return detail::step_row(&p_[i * m_], db.data(), m_, da[Eigen::Index(i)], t,
                                  &trial_[i * m_], colsum, &phi[std::size_t(w)]);
        },
        trial_rowsum_, trial_colsum_);
    double total = 0.0;
    for (double v : phi) total += v;
    return total;
  }
  void accept_trial() {
    p_.swap(trial_);
    rowsum_.swap(trial_rowsum_);
    colsum_.swap(trial_colsum_);
  }
  const Eigen::VectorXd& trial_rowsum() const noexcept { return trial_rowsum_; }
  const Eigen::VectorXd& trial_colsum() const noexcept { return trial_colsum_; }

 private:
  // Rows split over threads; each block accumulates its own column sums, reduced at the end.
  template <class RowFn>
  void run_rows(RowFn row, Eigen::VectorXd& rowsum, Eigen::VectorXd& colsum) {
    for (auto& c : partial_) std::fill(c.begin(), c.end(), 0.0);
    detail::parallel_blocks(n_, e_.threads(), [&](std::size_t begin, std::size_t end, int w) {
      double* cs = partial_[std::size_t(w)].data();
      for (std::size_t i = begin; i < end; ++i) rowsum[Eigen::Index(i)] = row(i, w, cs);
    });
    colsum = Eigen::Map<const Eigen::VectorXd>(partial_[0].data(), Eigen::Index(m_));
    for (std::size_t w = 1; w < partial_.size(); ++w)
      colsum += Eigen::Map<const Eigen::VectorXd>(partial_[w].data(), Eigen::Index(m_));
  }

  const LogSinkhorn& e_;
  std::size_t n_, m_;
  std::vector<double> p_, trial_;
  Eigen::VectorXd rowsum_, colsum_, trial_rowsum_, trial_colsum_;
  std::vector<std::vector<double>> partial_;
};

// Largest change of any log P_ij that the first line-search trial may make. A full step that
// moves some log P_ij by more than this overflows exp() (e^709) on its way to a certain
// decrease, so such trials are skipped rather than evaluated; below it the paper's rule
// (start at alpha = 1) is untouched, and large steps on rows of tiny mass stay allowed.
constexpr double kMaxLogStep = 500.0;

double l1_error(const Problem& p, const Eigen::VectorXd& rowsum, const Eigen::VectorXd& colsum) {
  const double e = (rowsum - p.a()).lpNorm<1>() + (colsum - p.b()).lpNorm<1>();
  return std::isfinite(e) ? e : std::numeric_limits<double>::quiet_NaN();
}

// eta * f = -sum P + a.(alpha + 1) + b.beta
double scaled_dual(const Problem& p, const LogSinkhorn& e, const Eigen::VectorXd& rowsum) {
  return -rowsum.sum() + p.a().sum() + p.a().dot(e.alpha()) + p.b().dot(e.beta());
}

}  // namespace

void SnsOptions::validate() const {
  check::positive("eta", eta);
  check::non_negative("tolerance", tolerance);
  check::at_least("max_newton_steps", static_cast<long long>(max_newton_steps), 1);
  check::positive("sparsity", sparsity);
  check::positive("cg_tolerance", cg_tolerance);
  check::at_least("max_halvings", static_cast<long long>(max_halvings), 1);
  check::at_least("threads", threads, 0);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
  plan.validate();
}

std::size_t sns_kept_entries(std::size_t n, std::size_t m, double sparsity,
                             SparsityConvention convention) {
  const double nbar = 0.5 * double(n + m), lambda = sparsity / nbar;
  double keep = 0.0;
  if (convention == SparsityConvention::hessian) {
    const double size = double(n + m) * double(n + m);
    keep = std::ceil(std::max(0.0, std::ceil(lambda * size) - double(n + m)) / 2.0);
  } else {
    keep = std::ceil(lambda * double(n) * double(m));
  }
  return static_cast<std::size_t>(std::min(keep, double(n) * double(m)));
}

Result sinkhorn_newton_sparse(const Problem& problem, const SnsOptions& options,
                              Callbacks callbacks) {
  options.validate();
  const Stopwatch clock;
  Result result;
  Summary& s = result.summary;
  s.method = "sns";
  LogSinkhorn engine(problem, options.eta, options.threads);
  const std::size_t n = engine.rows(), m = engine.cols();
  callbacks.begin({s.method, n + m, options.warmup_steps + options.max_newton_steps});
  Recorder recorder(s, callbacks, result.error_history, options.record_history,
                    options.history_stride, clock);
  Metric extras[] = {
      {"marginal_error", 0.0}, {"stage", 0.0}, {"cg_iterations", 0.0}, {"step", 1.0}};

  // Stage 1: N1 Sinkhorn iterations.
  std::size_t iteration = 0;
  detail::LoopOutcome out = detail::sinkhorn_loop(engine, options.tolerance, options.warmup_steps,
                                                  false, iteration, recorder, extras);
  const std::size_t warmup = iteration;
  std::size_t newton = 0, cg_total = 0, halvings = 0, fallbacks = 0;
  const std::size_t keep = sns_kept_entries(n, m, options.sparsity, options.convention);
  double eta_f = 0.0;

  // Stage 2: sparse Newton.
  if (out.status == Status::max_iterations) {
    const Eigen::Index gauge = [&] {
      Eigen::Index g = 0;
      problem.b().maxCoeff(&g);
      return g;
    }();
    const std::size_t cg_cap =
        options.cg_max_iterations > 0 ? options.cg_max_iterations : 10 * (n + m);
    DensePlan plan(engine);
    plan.compute();
    double error = l1_error(problem, plan.rowsum(), plan.colsum());
    eta_f = scaled_dual(problem, engine, plan.rowsum());
    detail::SparseRows sparse;
    detail::TopKScratch scratch;
    Eigen::VectorXd grad(Eigen::Index(n + m)), dz(Eigen::Index(n + m)), row_scale, col_scale;
    out = {Status::max_iterations, {}, error};
    bool failed_before = false;  // the previous step's line search failed
    bool stalled = false;
    for (std::size_t k = 0;; ++k) {
      out.error = error;
      if (!std::isfinite(error)) {
        out.status = Status::diverged;
        out.message = "marginal error became non-finite at iteration " + std::to_string(iteration);
        break;
      }
      if (error <= options.tolerance) {
        out.status = Status::converged;
        break;
      }
      if (k == options.max_newton_steps) break;

      // Newton direction: M~ dz = grad f in the scaled potentials (alpha, beta) = eta (x, y).
      grad.head(Eigen::Index(n)) = problem.a() - plan.rowsum();
      grad.tail(Eigen::Index(m)) = problem.b() - plan.colsum();
      if (options.rank == SparsityRank::scaled) {
        row_scale = plan.rowsum().cwiseSqrt().cwiseInverse();
        col_scale = plan.colsum().cwiseSqrt().cwiseInverse();
      }
      detail::top_k(plan.data(), n, m, keep,
                    options.rank == SparsityRank::scaled ? row_scale.data() : nullptr,
                    options.rank == SparsityRank::scaled ? col_scale.data() : nullptr, sparse,
                    scratch);
      const detail::CgOutcome cg = detail::solve_newton_system(
          sparse, plan.rowsum(), plan.colsum(), grad, std::size_t(gauge), options.jacobi,
          options.cg_tolerance, cg_cap, dz);
      cg_total += cg.iterations;
      const Eigen::VectorXd da = dz.head(Eigen::Index(n)), db = dz.tail(Eigen::Index(m));
      const double slope = grad.dot(dz);  // > 0 for an ascent direction

      // Backtracking: accept the first t = t0 2^-h with a strict increase of f. t0 = 1, unless
      // CG returned a huge direction (far from the optimum, where M~ is nearly singular): then
      // t0 skips the trials whose exp() would overflow (see kMaxLogStep).
      const double reach = da.lpNorm<Eigen::Infinity>() + db.lpNorm<Eigen::Infinity>();
      double t = reach > kMaxLogStep ? kMaxLogStep / reach : 1.0, increase = 0.0;
      bool accepted = false;
      if (slope > 0 && dz.allFinite()) {
        for (std::size_t h = 0; h <= options.max_halvings; ++h, t *= 0.5) {
          const double phi = plan.trial(da, db, t);
          increase = t * slope - phi;  // eta (f(z + t dz) - f(z))
          if (increase > 0 && std::isfinite(increase)) {
            accepted = true;
            break;
          }
          ++halvings;
        }
      }
      ++iteration;
      if (accepted) {
        ++newton;
        engine.alpha() += t * da;
        engine.beta() += t * db;
        plan.accept_trial();
        eta_f += increase;
      } else if (options.sinkhorn_fallback) {
        // One Sinkhorn iteration: an exact block ascent, so f still never decreases. Far from
        // the optimum it makes progress where a poor Newton direction did not; if it does not
        // reduce the error after a second failed line search in a row, nothing will (the
        // tolerance is below what double precision resolves) and the run stalls.
        ++fallbacks;
        t = 0.0;
        engine.measure_rows();
        engine.update_rows();
        engine.update_cols();
        plan.compute();
        eta_f = scaled_dual(problem, engine, plan.rowsum());
        const double after = l1_error(problem, plan.rowsum(), plan.colsum());
        if (failed_before && !(after < error)) {
          out.error = after;
          out.status = Status::stalled;
          out.message =
              "no progress: two line searches in a row found no increase of the "
              "dual and a Sinkhorn step did not reduce the marginal error " +
              check::show(after);
          stalled = true;
        }
      } else {
        --iteration;
        out.status = Status::stalled;
        out.message = "line search found no increase of the dual after " +
                      std::to_string(options.max_halvings) + " halvings (marginal error " +
                      check::show(error) + ")";
        break;
      }
      failed_before = !accepted;
      error = l1_error(problem, plan.rowsum(), plan.colsum());
      extras[0].value = error;
      extras[1].value = accepted ? 1.0 : 0.0;
      extras[2].value = double(cg.iterations);
      extras[3].value = t;
      if (recorder.record(iteration, eta_f / options.eta, error, t, extras, true)) {
        out.error = error;
        out.status = Status::stopped;
        break;
      }
      if (stalled) break;
    }
  }
  recorder.keep_last();
  s.iterations = iteration;
  s.status = out.status;
  s.gradient_norm = out.error;
  s.objective = -(newton + fallbacks > 0 ? eta_f / options.eta : engine.dual_value());
  switch (out.status) {
    case Status::converged:
      s.message = "marginal error " + check::show(out.error) + " <= tolerance " +
                  check::show(options.tolerance) + " after " + std::to_string(warmup) +
                  " Sinkhorn + " + std::to_string(newton) + " Newton steps";
      break;
    case Status::max_iterations:
      s.message = "reached max_newton_steps = " + std::to_string(options.max_newton_steps) +
                  " with marginal error " + check::show(out.error);
      break;
    case Status::stopped:
      s.message = callbacks.stop_reason();
      break;
    default:
      s.message = out.message;
      break;
  }
  s.counters["sinkhorn_steps"] = double(warmup);
  s.counters["newton_steps"] = double(newton);
  s.counters["cg_iterations"] = double(cg_total);
  s.counters["line_search_halvings"] = double(halvings);
  s.counters["sinkhorn_fallbacks"] = double(fallbacks);
  s.counters["kept_entries"] = double(keep);
  s.counters["lambda"] = options.sparsity / (0.5 * double(n + m));
  s.seconds = recorder.seconds();
  engine.finish(options.plan, result);
  callbacks.end(s);
  return result;
}

}  // namespace descent::ot
