#include "log_sinkhorn.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "kernels.hpp"

namespace descent::ot::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

LogSinkhorn::LogSinkhorn(const Problem& problem, double eta, int threads)
    : problem_(problem),
      n_(static_cast<std::size_t>(problem.rows())),
      m_(static_cast<std::size_t>(problem.cols())),
      eta_(eta),
      threads_(resolve_threads(threads)) {
  if (problem.has_zero_weight())
    throw Error(
        "entropic OT needs strictly positive weights (log-domain updates use log a and log b): "
        "drop the zero-weight points, add a small floor, or use the exact solver");
  // Row-major copy for the row half-step; the column half-step reads problem.cost() directly.
  // Transposed in 64 x 64 tiles, so that neither side is walked with a large stride.
  cost_rows_.resize(n_ * m_);
  const double* c = problem.cost().data();
  constexpr std::size_t kTile = 64;
  for (std::size_t j0 = 0; j0 < m_; j0 += kTile)
    for (std::size_t i0 = 0; i0 < n_; i0 += kTile)
      for (std::size_t i = i0; i < std::min(n_, i0 + kTile); ++i)
        for (std::size_t j = j0; j < std::min(m_, j0 + kTile); ++j)
          cost_rows_[i * m_ + j] = c[j * n_ + i];
  log_a_ = problem.a().array().log();
  log_b_ = problem.b().array().log();
  alpha_ = Eigen::VectorXd::Constant(Eigen::Index(n_), -1.0);  // x = 0
  beta_ = Eigen::VectorXd::Zero(Eigen::Index(m_));             // y = 0
  lse_rows_.assign(n_, kNaN);
  lse_cols_.assign(m_, kNaN);
}

void LogSinkhorn::set_eta(double eta) {
  // Keep x = (alpha + 1) / eta and y = beta / eta.
  const double r = eta / eta_;
  alpha_ = (alpha_.array() + 1.0) * r - 1.0;
  beta_ *= r;
  eta_ = eta;
  lse_rows_.assign(n_, kNaN);
  lse_cols_.assign(m_, kNaN);
}

void LogSinkhorn::set_potentials(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  if (std::size_t(x.size()) != n_ || std::size_t(y.size()) != m_)
    throw Error("sinkhorn: starting potentials have sizes " + std::to_string(x.size()) + " and " +
                std::to_string(y.size()) + " but the problem is " + std::to_string(n_) + " x " +
                std::to_string(m_));
  if (!x.allFinite() || !y.allFinite()) throw Error("sinkhorn: starting potentials not finite");
  alpha_ = eta_ * x.array() - 1.0;
  beta_ = eta_ * y;
  lse_rows_.assign(n_, kNaN);
  lse_cols_.assign(m_, kNaN);
}

Eigen::VectorXd LogSinkhorn::x() const {
  return (alpha_.array() + 1.0) / eta_;
}
Eigen::VectorXd LogSinkhorn::y() const {
  return beta_ / eta_;
}

double LogSinkhorn::measure_rows() {
  // lse_i = log sum_j exp(-eta C_ij + beta_j); (P 1)_i = exp(alpha_i + lse_i).
  std::vector<double> err(std::size_t(threads_), 0.0), mass(std::size_t(threads_), 0.0);
  parallel_blocks(n_, threads_, [&](std::size_t begin, std::size_t end, int w) {
    double e = 0.0, s = 0.0;
    for (std::size_t i = begin; i < end; ++i) {
      const double l = log_sum_exp_row(&cost_rows_[i * m_], beta_.data(), m_, -eta_, lse_rows_[i]);
      lse_rows_[i] = l;
      const double row = std::exp(alpha_[Eigen::Index(i)] + l);
      s += row;
      e += std::abs(row - problem_.a()[Eigen::Index(i)]);
    }
    err[std::size_t(w)] = e;
    mass[std::size_t(w)] = s;
  });
  double e = 0.0;
  plan_mass_ = 0.0;
  for (int w = 0; w < threads_; ++w) {
    e += err[std::size_t(w)];
    plan_mass_ += mass[std::size_t(w)];
  }
  return std::isfinite(e) ? e : kNaN;
}

void LogSinkhorn::column_pass(std::vector<double>& lse_out) {
  const double* c = problem_.cost().data();
  parallel_blocks(m_, threads_, [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t j = begin; j < end; ++j)
      lse_out[j] = log_sum_exp_row(c + j * n_, alpha_.data(), n_, -eta_, lse_out[j]);
  });
}

double LogSinkhorn::measure_cols() {
  column_pass(lse_cols_);
  double e = 0.0;
  for (std::size_t j = 0; j < m_; ++j)
    e += std::abs(std::exp(beta_[Eigen::Index(j)] + lse_cols_[j]) - problem_.b()[Eigen::Index(j)]);
  return std::isfinite(e) ? e : kNaN;
}

void LogSinkhorn::update_rows() {
  for (std::size_t i = 0; i < n_; ++i)
    alpha_[Eigen::Index(i)] = log_a_[Eigen::Index(i)] - lse_rows_[i];
}

void LogSinkhorn::update_cols() {
  column_pass(lse_cols_);
  for (std::size_t j = 0; j < m_; ++j)
    beta_[Eigen::Index(j)] = log_b_[Eigen::Index(j)] - lse_cols_[j];
}

double LogSinkhorn::dual_value() const {
  // eta f = -sum P + a.(alpha + 1) + b.beta
  // (a sums to 1, so a.(alpha + 1) = a.alpha + 1.)
  return (-plan_mass_ + problem_.a().dot(alpha_) + 1.0 + problem_.b().dot(beta_)) / eta_;
}

void LogSinkhorn::finish(const PlanOptions& options, Result& result) const {
  result.x = x();
  result.y = y();
  const Eigen::Index n = Eigen::Index(n_), m = Eigen::Index(m_);
  const bool dense = options.format == PlanFormat::dense ||
                     (options.format == PlanFormat::automatic && n_ * m_ <= options.dense_limit);
  const bool sparse =
      options.format == PlanFormat::sparse || (options.format == PlanFormat::automatic && !dense);
  result.plan.resize(0, 0);
  result.sparse_plan.resize(0, 0);
  if (dense) result.plan.resize(n, m);
  std::vector<Eigen::Triplet<double>> triplets;
  Eigen::VectorXd rowsum = Eigen::VectorXd::Zero(n), column(n);
  double cost = 0.0, col_error = 0.0;
  const Eigen::MatrixXd& c = problem_.cost();
  // Column by column: contiguous in both the column-major cost and the column-major plan.
  for (Eigen::Index j = 0; j < m; ++j) {
    double* out = dense ? result.plan.col(j).data() : column.data();
    const double s =
        exp_row(c.col(j).data(), alpha_.data(), n_, -eta_, beta_[j], out, rowsum.data());
    col_error += std::abs(s - problem_.b()[j]);
    const Eigen::Map<const Eigen::VectorXd> pj(out, n);
    cost += c.col(j).dot(pj);
    if (sparse)
      for (Eigen::Index i = 0; i < n; ++i)
        if (pj[i] >= options.sparse_threshold) triplets.emplace_back(i, j, pj[i]);
  }
  if (sparse) {
    result.sparse_plan.resize(n, m);
    result.sparse_plan.setFromTriplets(triplets.begin(), triplets.end());
  }
  result.transport_cost = cost;
  result.marginal_error = (rowsum - problem_.a()).lpNorm<1>() + col_error;
}

Recorder::Recorder(std::string method, std::size_t dimension, std::size_t max_iterations,
                   const HistoryOptions& history, Callbacks& callbacks,
                   std::vector<ErrorSample>& errors)
    : run_(std::move(method), dimension, max_iterations, history, callbacks), errors_(errors) {}

bool Recorder::record(std::size_t iteration, double objective, double error, double step,
                      std::span<const Metric> extras, bool always_keep) {
  const double t = seconds();
  const bool repeated = !errors_.empty() && iteration <= errors_.back().iteration;
  errors_.push_back({iteration, t, error});
  // The start, and a start repeated after an eta change, go only into the error history.
  if (iteration == 0 || repeated) return false;
  IterationInfo info;
  info.iteration = iteration;
  info.objective = -objective;  // descent minimises: report -f, which decreases
  info.gradient_norm = error;   // the L1 norm of grad f is the marginal error
  info.step_size = step;
  info.seconds = t;
  info.extras = extras;
  return run_.record(info, always_keep);
}

Summary Recorder::finish(std::size_t iterations, Status status, std::string message,
                         double objective, double error) {
  // A callback's stop ended the run with its reason; a message the solver adds to it wins.
  if (run_.ended() && run_.summary().status == status && !message.empty())
    run_.summary().message = std::move(message);
  run_.end(status, std::move(message));
  run_.summary().iterations = iterations;
  return run_.finish(objective, error);
}

LoopOutcome sinkhorn_loop(LogSinkhorn& engine, double tolerance, std::size_t budget,
                          bool columns_exact, std::size_t& iteration, Recorder& recorder,
                          std::span<Metric> extras) {
  LoopOutcome out;
  double error = engine.measure_rows();
  if (!columns_exact) error += engine.measure_cols();
  for (std::size_t taken = 0;; ++taken) {
    out.error = error;
    if (!extras.empty()) extras[0].value = error;
    if (recorder.record(iteration, engine.dual_value(), error, 1.0, extras)) {
      out.status = Status::stopped;
      return out;
    }
    if (!std::isfinite(error)) {
      out.status = Status::diverged;
      out.message = "marginal error became non-finite at iteration " + std::to_string(iteration);
      return out;
    }
    if (error <= tolerance) {
      out.status = Status::converged;
      return out;
    }
    if (taken == budget) {
      out.status = Status::max_iterations;
      return out;
    }
    engine.update_rows();
    engine.update_cols();
    ++iteration;
    error = engine.measure_rows();  // the column marginals are exact after update_cols
  }
}

}  // namespace descent::ot::detail
