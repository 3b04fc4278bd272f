#include "descent/ot/sns.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "kernels.hpp"
#include "log_sinkhorn.hpp"
#include "sparse_newton.hpp"

namespace descent::ot {

namespace {

using detail::LogSinkhorn;
using detail::LoopOutcome;
using detail::Recorder;

// The dense plan at the current potentials, its row and column sums, and eta * f.
class DensePlan {
 public:
  explicit DensePlan(const LogSinkhorn& e)
      : e_(e),
        n_(e.rows()),
        m_(e.cols()),
        p_(n_ * m_),
        rowsum_(Eigen::Index(n_)),
        colsum_(Eigen::Index(m_)),
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

  /// sum_ij P_ij phi(t(da_i + db_j)), phi(x) = e^x - 1 - x: with grad . dz, the exact change
  /// of the dual along the step (the trial plan itself is not needed).
  double trial(const Eigen::VectorXd& da, const Eigen::VectorXd& db, double t) const {
    std::vector<double> phi(partial_.size(), 0.0);
    detail::parallel_blocks(n_, e_.threads(), [&](std::size_t begin, std::size_t end, int w) {
      for (std::size_t i = begin; i < end; ++i)
        phi[std::size_t(w)] += detail::phi_row(&p_[i * m_], db.data(), m_, da[Eigen::Index(i)], t);
    });
    double total = 0.0;
    for (double v : phi) total += v;
    return total;
  }

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
  std::vector<double> p_;
  Eigen::VectorXd rowsum_, colsum_;
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
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::positive("sparsity", sparsity);
  check::positive("cg_tolerance", cg_tolerance);
  check::at_least("max_halvings", static_cast<long long>(max_halvings), 1);
  check::non_negative("eta_start", eta_start);
  check::require(std::isfinite(eta_factor) && eta_factor > 1.0, "eta_factor",
                 "must be a finite number > 1, got " + check::show(eta_factor));
  check::non_negative("stage_tolerance", stage_tolerance);
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

std::vector<double> sns_eta_schedule(double eta, double max_cost, const SnsOptions& options) {
  double start = options.eta_start;
  if (start == 0.0) start = max_cost > 0 ? kSnsDirectScale / max_cost : eta;
  std::vector<double> etas;
  constexpr std::size_t kMaxStages = 64;
  for (double e = start; e < eta; e *= options.eta_factor) {
    etas.push_back(e);
    if (etas.size() >= kMaxStages)
      throw InvalidOption("eta_factor", "eta_start = " + check::show(start) +
                                            " and eta_factor = " + check::show(options.eta_factor) +
                                            " give more than " + std::to_string(kMaxStages) +
                                            " eta stages: raise one of them");
  }
  etas.push_back(eta);
  return etas;
}

namespace {

// The Newton stage at one eta: the loop of the paper's Algorithm 1, stage 2, with the
// safeguards described in sns.hpp. Owns the dense plan and the scratch of the sparsifier.
class NewtonStage {
 public:
  struct Totals {
    std::size_t newton = 0, cg = 0, halvings = 0, fallbacks = 0, blocks = 0;
  };

  NewtonStage(const Problem& problem, LogSinkhorn& engine, const SnsOptions& options,
              Recorder& recorder, std::span<Metric> extras, Totals& totals)
      : problem_(problem),
        engine_(engine),
        options_(options),
        recorder_(recorder),
        extras_(extras),
        totals_(totals),
        n_(engine.rows()),
        m_(engine.cols()),
        keep_(sns_kept_entries(n_, m_, options.sparsity, options.convention)),
        cg_cap_(options.cg_max_iterations > 0 ? options.cg_max_iterations : 10 * (n_ + m_)),
        plan_(engine),
        grad_(Eigen::Index(n_ + m_)),
        dz_(Eigen::Index(n_ + m_)) {
    problem.b().maxCoeff(&gauge_);
  }

  /// Runs from the engine's iterate until the error <= tolerance, a stall, a callback stop or
  /// iteration_cap (Sinkhorn steps continue once the Newton budget is spent). `iteration`
  /// advances.
  LoopOutcome run(double tolerance, std::size_t& iteration, std::size_t iteration_cap) {
    plan_.compute();
    double error = l1_error(problem_, plan_.rowsum(), plan_.colsum());
    eta_f_ = scaled_dual(problem_, engine_, plan_.rowsum());
    LoopOutcome out{Status::max_iterations, {}, error};
    start_error_ = error;
    keep_if_best(error);
    std::size_t since_progress = 0;  // Newton steps since the error last halved
    double progress_mark = error;
    bool failed_before = false;
    for (;;) {
      out.error = error;
      if (!std::isfinite(error)) {
        out.status = Status::diverged;
        out.message = "marginal error became non-finite at iteration " + std::to_string(iteration);
        return out;
      }
      if (error <= tolerance) {
        out.status = Status::converged;
        return out;
      }
      if (iteration >= iteration_cap) return out;  // max_iterations
      const bool newton_left = totals_.newton < options_.max_newton_steps;
      const bool stagnating = options_.patience > 0 && since_progress >= options_.patience;
      double t = 0.0;
      std::size_t cg_iterations = 0;
      bool accepted = false;
      const bool tried = newton_left && !stagnating;
      if (tried) {
        accepted = newton_step(t, cg_iterations);
        if (!accepted && !options_.sinkhorn_fallback) {
          out.status = Status::stalled;
          out.message = "line search found no increase of the dual after " +
                        std::to_string(options_.max_halvings) + " halvings (marginal error " +
                        check::show(error) + ")";
          return out;
        }
      }
      ++iteration;
      if (!accepted) {
        // A Sinkhorn iteration: an exact block ascent, so f never decreases. A failed line
        // search takes one; stagnation or an exhausted Newton budget take a block of
        // max(N1, 10), after which Newton is tried again (the error has then fallen).
        const std::size_t block = tried ? 1 : std::max<std::size_t>(options_.warmup_steps, 10);
        if (block > 1) ++totals_.blocks;
        const double before = error;
        engine_.measure_rows();  // the row log-sums at the current iterate
        // Iteration `iteration` takes the first update; each further update is a new
        // iteration, and every one but the last is recorded here (the last after the loop,
        // with the full error).
        for (std::size_t taken = 1;; ++taken) {
          engine_.update_rows();
          engine_.update_cols();
          ++totals_.fallbacks;
          if (taken == block || iteration >= iteration_cap) break;
          error = engine_.measure_rows();  // row error (the columns are exact)
          if (!(error > tolerance)) break;
          eta_f_ = std::max(eta_f_, engine_.eta() * engine_.dual_value());
          if (record(iteration, error, 0.0, 0, 0.0)) return stop(out, error);
          ++iteration;
        }
        plan_.compute();
        // Sinkhorn steps are exact block ascents, so f grew; a fresh evaluation below the
        // running value (accumulated from exact increases) is rounding, and is not kept.
        eta_f_ = std::max(eta_f_, scaled_dual(problem_, engine_, plan_.rowsum()));
        error = l1_error(problem_, plan_.rowsum(), plan_.colsum());
        if (!(error < before) && (block > 1 || (tried && failed_before))) {
          // Nothing reduces the error any more: the tolerance is below what double precision
          // resolves here (or the problem is too ill-conditioned for both steps).
          out.error = error;
          out.status = Status::stalled;
          out.message = block > 1
                            ? "no progress: a block of " + std::to_string(block) +
                                  " Sinkhorn iterations did not reduce the marginal error " +
                                  check::show(error)
                            : "no progress: two line searches in a row found no increase of the "
                              "dual and a Sinkhorn step did not reduce the marginal error " +
                                  check::show(error);
          record(iteration, error, 0.0, 0, 0.0);
          return out;
        }
        since_progress = 0;
        progress_mark = std::min(error, progress_mark);
      } else {
        error = l1_error(problem_, plan_.rowsum(), plan_.colsum());
        if (error <= 0.5 * progress_mark) {
          progress_mark = error;
          since_progress = 0;
        } else {
          ++since_progress;
        }
      }
      failed_before = tried && !accepted;  // a line search failed (not a planned block)
      keep_if_best(error);
      if (record(iteration, error, accepted ? 1.0 : 0.0, cg_iterations, t)) return stop(out, error);
    }
  }

  double eta_f() const noexcept { return eta_f_; }
  double start_error() const noexcept { return start_error_; }
  double best_error() const noexcept { return best_error_; }

  /// Moves the engine back to the iterate with the smallest error seen (if it is not the
  /// current one) and returns that error.
  double restore_best() {
    if (best_alpha_.size() == 0) return best_error_;  // nothing finite was ever seen
    engine_.alpha() = best_alpha_;
    engine_.beta() = best_beta_;
    eta_f_ = best_eta_f_;
    return best_error_;
  }

 private:
  void keep_if_best(double error) {
    if (!(error < best_error_)) return;
    best_error_ = error;
    best_alpha_ = engine_.alpha();
    best_beta_ = engine_.beta();
    best_eta_f_ = eta_f_;
  }

  // One Newton step: direction by CG on the sparsified Hessian, then backtracking on f.
  // Returns whether a step was taken (t is its length).
  bool newton_step(double& t, std::size_t& cg_iterations) {
    grad_.head(Eigen::Index(n_)) = problem_.a() - plan_.rowsum();
    grad_.tail(Eigen::Index(m_)) = problem_.b() - plan_.colsum();
    const bool scaled = options_.rank == SparsityRank::scaled;
    if (scaled) {
      row_scale_ = plan_.rowsum().cwiseSqrt().cwiseInverse();
      col_scale_ = plan_.colsum().cwiseSqrt().cwiseInverse();
    }
    detail::top_k(plan_.data(), n_, m_, keep_, scaled ? row_scale_.data() : nullptr,
                  scaled ? col_scale_.data() : nullptr, sparse_, scratch_);
    const detail::CgOutcome cg = detail::solve_newton_system(
        sparse_, plan_.rowsum(), plan_.colsum(), grad_, std::size_t(gauge_), options_.jacobi,
        options_.cg_tolerance, cg_cap_, dz_);
    cg_iterations = cg.iterations;
    totals_.cg += cg.iterations;
    const Eigen::VectorXd da = dz_.head(Eigen::Index(n_)), db = dz_.tail(Eigen::Index(m_));
    const double slope = grad_.dot(dz_);  // > 0 for an ascent direction

    // Backtracking: accept the first t = t0 2^-h with a strict increase of f. t0 = 1, unless
    // CG returned a huge direction (far from the optimum, where M~ is nearly singular): then
    // t0 skips the trials whose exp() would overflow (see kMaxLogStep).
    const double reach = da.lpNorm<Eigen::Infinity>() + db.lpNorm<Eigen::Infinity>();
    t = reach > kMaxLogStep ? kMaxLogStep / reach : 1.0;
    if (!(slope > 0) || !dz_.allFinite()) return false;
    for (std::size_t h = 0; h <= options_.max_halvings; ++h, t *= 0.5) {
      const double increase = t * slope - plan_.trial(da, db, t);  // eta (f(z + t dz) - f(z))
      if (increase > 0 && std::isfinite(increase)) {
        ++totals_.newton;
        engine_.alpha() += t * da;
        engine_.beta() += t * db;
        // Recomputed from the potentials, not taken from the trial: products p e^d lose the
        // entries that underflowed, and over many steps the stored plan would drift from the
        // potentials' (the source of garbage plans at large eta).
        plan_.compute();
        // f advances by the increase computed exactly above (a fresh evaluation of f would
        // carry rounding errors larger than the increases near the optimum).
        eta_f_ += increase;
        return true;
      }
      ++totals_.halvings;
    }
    t = 0.0;
    return false;
  }

  bool record(std::size_t iteration, double error, double stage, std::size_t cg, double t) {
    extras_[0].value = error;
    extras_[1].value = stage;
    extras_[2].value = double(cg);
    extras_[3].value = t;
    // Newton rows are always kept (as in the paper's plots); Sinkhorn rows follow the stride.
    return recorder_.record(iteration, eta_f_ / engine_.eta(), error, t, extras_, stage > 0);
  }

  LoopOutcome stop(LoopOutcome out, double error) const {
    out.error = error;
    out.status = Status::stopped;
    return out;
  }

  const Problem& problem_;
  LogSinkhorn& engine_;
  const SnsOptions& options_;
  Recorder& recorder_;
  std::span<Metric> extras_;
  Totals& totals_;
  std::size_t n_, m_, keep_, cg_cap_;
  Eigen::Index gauge_ = 0;
  DensePlan plan_;
  detail::SparseRows sparse_;
  detail::TopKScratch scratch_;
  Eigen::VectorXd grad_, dz_, row_scale_, col_scale_;
  double eta_f_ = 0.0;
  double start_error_ = 0.0;
  double best_error_ = std::numeric_limits<double>::infinity(), best_eta_f_ = 0.0;
  Eigen::VectorXd best_alpha_, best_beta_;
};

}  // namespace

Result sinkhorn_newton_sparse(const Problem& problem, const SnsOptions& options,
                              Callbacks callbacks) {
  options.validate();
  Result result;
  const std::size_t n = std::size_t(problem.rows()), m = std::size_t(problem.cols());
  const std::size_t cap = options.max_iterations;
  Recorder recorder("sns", n + m, cap, {options.record_history, options.history_stride}, callbacks,
                    result.error_history);
  const std::vector<double> etas = sns_eta_schedule(options.eta, problem.max_cost(), options);
  LogSinkhorn engine(problem, etas.front(), options.threads);
  Metric extras[] = {
      {"marginal_error", 0.0}, {"stage", 0.0}, {"cg_iterations", 0.0}, {"step", 1.0}};

  std::size_t iteration = 0, warmup = 0;
  NewtonStage::Totals totals;
  detail::LoopOutcome out;
  double eta_f = 0.0;
  bool newton_ran = false;
  std::string best_note;  // set when the run ends on its best iterate instead of its last
  for (std::size_t k = 0; k < etas.size(); ++k) {
    const bool last = k + 1 == etas.size();
    if (k > 0) engine.set_eta(etas[k]);
    const double tol =
        last ? options.tolerance : std::max(options.tolerance, options.stage_tolerance);
    // Stage 1: N1 Sinkhorn iterations.
    const std::size_t before = iteration;
    out = detail::sinkhorn_loop(engine, tol, std::min(options.warmup_steps, cap - iteration), false,
                                iteration, recorder, extras);
    warmup += iteration - before;
    newton_ran = false;  // the objective is the warm-up's until a Newton stage has run
    if (out.status == Status::converged && !last) continue;
    if (out.status != Status::max_iterations || iteration >= cap) break;
    newton_ran = true;
    // Stage 2: sparse Newton.
    NewtonStage stage(problem, engine, options, recorder, extras, totals);
    out = stage.run(tol, iteration, cap);
    if (out.status != Status::converged) {
      // Never end on a worse iterate than the best one seen: return that one, and call the run
      // diverged if the error grew over the stage.
      const double last_error = out.error;
      if (!(last_error <= stage.best_error())) {
        out.error = stage.restore_best();
        best_note = "; returning the best iterate (marginal error " + check::show(out.error) +
                    ", the last had " + check::show(last_error) + ")";
      }
      if (std::isfinite(last_error) && !(last_error <= stage.start_error()) &&
          out.status != Status::stopped) {
        out.status = Status::diverged;
        out.message = "the marginal error grew from " + check::show(stage.start_error()) + " to " +
                      check::show(last_error) + " during the Newton stage";
      }
      eta_f = stage.eta_f();
      break;
    }
    eta_f = stage.eta_f();
  }
  const bool finished = engine.eta() == options.eta;
  const std::string counts =
      std::to_string(warmup) + " Sinkhorn + " + std::to_string(totals.newton) + " Newton steps" +
      (totals.fallbacks > 0 ? " + " + std::to_string(totals.fallbacks) + " Sinkhorn fallback steps"
                            : std::string()) +
      (etas.size() > 1 ? " over " + std::to_string(etas.size()) + " eta stages" : std::string());
  std::string message = out.message;
  if (out.status == Status::converged)
    message = "marginal error " + check::show(out.error) + " <= tolerance " +
              check::show(options.tolerance) + " after " + counts;
  else if (out.status == Status::max_iterations)
    message =
        "reached max_iterations = " + std::to_string(cap) + " with marginal error " +
        check::show(out.error) +
        (finished ? "" : " (at eta " + check::show(engine.eta()) + ", not yet the target eta)") +
        " after " + counts;
  // A callback's stop was recorded with its reason; the best-iterate note still applies.
  message += best_note;
  if (out.status == Status::stopped) message = callbacks.stop_reason() + best_note;
  auto& c = recorder.summary().counters;
  c["sinkhorn_steps"] = double(warmup);
  c["newton_steps"] = double(totals.newton);
  c["cg_iterations"] = double(totals.cg);
  c["line_search_halvings"] = double(totals.halvings);
  c["sinkhorn_fallbacks"] = double(totals.fallbacks);
  c["sinkhorn_blocks"] = double(totals.blocks);
  c["eta_stages"] = double(etas.size());
  c["kept_entries"] = double(sns_kept_entries(n, m, options.sparsity, options.convention));
  c["lambda"] = options.sparsity / (0.5 * double(n + m));
  // Timed without the plan built below (that is not iterations).
  result.summary =
      recorder.finish(iteration, out.status, std::move(message),
                      -(newton_ran ? eta_f / engine.eta() : engine.dual_value()), out.error);
  engine.finish(options.plan, result);
  return result;
}

}  // namespace descent::ot
