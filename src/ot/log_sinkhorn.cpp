#include "log_sinkhorn.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "descent/dist/communicator.hpp"
#include "kernels.hpp"

namespace descent::ot::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Matrix-free tiles: 1024 costs (8 KiB) stay in L1 beside the slice of potentials they meet.
constexpr std::size_t kTile = 1024;

void require_positive_weights(bool has_zero) {
  if (has_zero)
    throw Error(
        "entropic OT needs strictly positive weights (log-domain updates use log a and log b): "
        "drop the zero-weight points, add a small floor, or use the exact solver");
}
}  // namespace

LogSinkhorn::LogSinkhorn(const Problem& problem, double eta, int threads)
    : problem_(&problem),
      a_(&problem.a()),
      b_(&problem.b()),
      n_(static_cast<std::size_t>(problem.rows())),
      m_(static_cast<std::size_t>(problem.cols())),
      eta_(eta),
      threads_(resolve_threads(threads)) {
  require_positive_weights(problem.has_zero_weight());
  init_potentials();
}

const double* LogSinkhorn::cost_rows() const {
  if (cost_rows_.empty() && n_ * m_ > 0) {
    // Row-major copy for the row half-step; the column half-step reads problem.cost() directly.
    // Transposed in 64 x 64 tiles, so that neither side is walked with a large stride.
    cost_rows_.resize(n_ * m_);
    const double* c = problem_->cost().data();
    constexpr std::size_t kT = 64;
    for (std::size_t j0 = 0; j0 < m_; j0 += kT)
      for (std::size_t i0 = 0; i0 < n_; i0 += kT)
        for (std::size_t i = i0; i < std::min(n_, i0 + kT); ++i)
          for (std::size_t j = j0; j < std::min(m_, j0 + kT); ++j)
            cost_rows_[i * m_ + j] = c[j * n_ + i];
  }
  return cost_rows_.data();
}

Eigen::VectorXd LogSinkhorn::row_lse_from_columns(Eigen::VectorXd& max,
                                                  Eigen::MatrixXd* kernel) const {
  const Eigen::MatrixXd& c = problem_->cost();
  const Eigen::Index n = Eigen::Index(n_);
  max = Eigen::VectorXd::Constant(n, -std::numeric_limits<double>::infinity());
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(n), shift(n);
  // By row blocks, each block walking every column in order: the sums do not depend on the
  // thread count.
  parallel_blocks(n_, threads_, [&](std::size_t begin, std::size_t end, int) {
    const std::size_t len = end - begin;
    for (std::size_t j = 0; j < m_; ++j)
      max_into(max.data() + begin, c.col(Eigen::Index(j)).data() + begin, -eta_,
               beta_[Eigen::Index(j)], len);
    for (std::size_t i = begin; i < end; ++i) shift[Eigen::Index(i)] = -max[Eigen::Index(i)];
    for (std::size_t j = 0; j < m_; ++j) {
      const Eigen::Index jj = Eigen::Index(j);
      exp_row(c.col(jj).data() + begin, shift.data() + begin, len, -eta_, beta_[jj],
              kernel ? kernel->col(jj).data() + begin : nullptr, sum.data() + begin);
    }
  });
  return max.array() + sum.array().log();
}
LogSinkhorn::LogSinkhorn(const CloudProblem& problem, double eta, int threads,
                         dist::Communicator* comm)
    : cloud_(&problem),
      a_(&problem.a()),
      b_(&problem.b()),
      comm_(comm && comm->size() > 1 ? comm : nullptr),
      n_(static_cast<std::size_t>(problem.rows())),
      m_(static_cast<std::size_t>(problem.cols())),
      eta_(eta),
      threads_(resolve_threads(threads)) {
  require_positive_weights(problem.has_zero_weight());
  init_potentials();
}

void LogSinkhorn::init_potentials() {
  rows_ = block_of(n_);
  cols_ = block_of(m_);
  log_a_ = a_->array().log();
  log_b_ = b_->array().log();
  alpha_ = Eigen::VectorXd::Constant(Eigen::Index(n_), -1.0);  // x = 0
  beta_ = Eigen::VectorXd::Zero(Eigen::Index(m_));             // y = 0
  lse_rows_.assign(n_, kNaN);
  lse_cols_.assign(m_, kNaN);
}

LogSinkhorn::Block LogSinkhorn::block_of(std::size_t total) const {
  if (!comm_) return {0, total};
  const std::size_t q = std::size_t(comm_->rank()), k = std::size_t(comm_->size());
  return {q * total / k, (q + 1) * total / k};
}

void LogSinkhorn::share(std::vector<double>& v, std::size_t total) const {
  if (!comm_) return;
  const std::size_t k = std::size_t(comm_->size());
  std::vector<int> counts(k);
  for (std::size_t q = 0; q < k; ++q)
    counts[q] = static_cast<int>((q + 1) * total / k - q * total / k);
  const Block own = block_of(total);
  const std::vector<double> local(v.begin() + std::ptrdiff_t(own.begin),
                                  v.begin() + std::ptrdiff_t(own.end));
  comm_->gather(local, v, counts);  // rank 0 receives the blocks in rank order, into v
  comm_->broadcast(v);
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

void LogSinkhorn::set_state(const Eigen::VectorXd& alpha, const Eigen::VectorXd& beta,
                            double plan_mass) {
  alpha_ = alpha;
  beta_ = beta;
  plan_mass_ = plan_mass;
  lse_rows_.assign(n_, kNaN);
  lse_cols_.assign(m_, kNaN);
}

Eigen::VectorXd LogSinkhorn::x() const {
  return (alpha_.array() + 1.0) / eta_;
}
Eigen::VectorXd LogSinkhorn::y() const {
  return beta_ / eta_;
}

double LogSinkhorn::cloud_lse(bool row, std::size_t index, double hint, double* tile) const {
  // log_sum_exp_row over tiles: one pass shifted by the hint, a second around the maximum if
  // the maximum moved more than 300 from it (or there was no hint).
  constexpr double kShiftBound = 300.0;
  const std::size_t len = row ? m_ : n_;
  const double* w = row ? beta_.data() : alpha_.data();
  const auto pass = [&](double shift, double& mx) {
    double sum = 0.0;
    mx = -std::numeric_limits<double>::infinity();
    for (std::size_t t0 = 0; t0 < len; t0 += kTile) {
      const std::size_t count = std::min(kTile, len - t0);
      if (row)
        cloud_->row_tile(Eigen::Index(index), Eigen::Index(t0), count, tile);
      else
        cloud_->col_tile(Eigen::Index(index), Eigen::Index(t0), count, tile);
      double tile_max = 0.0;
      sum += sum_exp_row(tile, w + t0, count, -eta_, shift, &tile_max);
      mx = std::max(mx, tile_max);
      if (std::isnan(tile_max)) mx = tile_max;
    }
    return sum;
  };
  double mx = 0.0;
  if (std::isfinite(hint)) {
    const double sum = pass(hint, mx);
    if (std::isfinite(mx) && std::abs(mx - hint) <= kShiftBound) return hint + std::log(sum);
  } else {
    pass(0.0, mx);  // only the maximum is wanted
  }
  if (!std::isfinite(mx)) return mx;
  return mx + std::log(pass(mx, mx));
}

double LogSinkhorn::row_lse(std::size_t i, double hint, double* tile) const {
  if (cloud_) return cloud_lse(true, i, hint, tile);
  return log_sum_exp_row(cost_rows_.data() + i * m_, beta_.data(), m_, -eta_, hint);
}

double LogSinkhorn::col_lse(std::size_t j, double hint, double* tile) const {
  if (cloud_) return cloud_lse(false, j, hint, tile);
  return log_sum_exp_row(problem_->cost().data() + j * n_, alpha_.data(), n_, -eta_, hint);
}

void LogSinkhorn::row_pass() {
  if (!cloud_) cost_rows();  // built once, before the threads read it
  parallel_blocks(rows_.end - rows_.begin, threads_, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> tile(cloud_ ? kTile : 0);
    for (std::size_t i = rows_.begin + begin; i < rows_.begin + end; ++i)
      lse_rows_[i] = row_lse(i, lse_rows_[i], tile.data());
  });
  share(lse_rows_, n_);
}

void LogSinkhorn::column_pass(std::vector<double>& lse_out) {
  parallel_blocks(cols_.end - cols_.begin, threads_, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> tile(cloud_ ? kTile : 0);
    for (std::size_t j = cols_.begin + begin; j < cols_.begin + end; ++j)
      lse_out[j] = col_lse(j, lse_out[j], tile.data());
  });
  share(lse_out, m_);
}

double LogSinkhorn::measure_rows() {
  // lse_i = log sum_j exp(-eta C_ij + beta_j); (P 1)_i = exp(alpha_i + lse_i).
  row_pass();
  double e = 0.0;
  plan_mass_ = 0.0;
  for (std::size_t i = 0; i < n_; ++i) {
    const double row = std::exp(alpha_[Eigen::Index(i)] + lse_rows_[i]);
    plan_mass_ += row;
    e += std::abs(row - (*a_)[Eigen::Index(i)]);
  }
  return std::isfinite(e) ? e : kNaN;
}

double LogSinkhorn::measure_cols() {
  column_pass(lse_cols_);
  double e = 0.0;
  for (std::size_t j = 0; j < m_; ++j)
    e += std::abs(std::exp(beta_[Eigen::Index(j)] + lse_cols_[j]) - (*b_)[Eigen::Index(j)]);
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
  return (-plan_mass_ + a_->dot(alpha_) + 1.0 + b_->dot(beta_)) / eta_;
}

void LogSinkhorn::finish(const PlanOptions& options, Result& result) const {
  result.x = x();
  result.y = y();
  if (cloud_)
    finish_cloud(options, result);
  else
    finish_dense(options, result);
}

void LogSinkhorn::finish_dense(const PlanOptions& options, Result& result) const {
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
  const Eigen::MatrixXd& c = problem_->cost();
  // Column by column: contiguous in both the column-major cost and the column-major plan.
  for (Eigen::Index j = 0; j < m; ++j) {
    double* out = dense ? result.plan.col(j).data() : column.data();
    const double s =
        exp_row(c.col(j).data(), alpha_.data(), n_, -eta_, beta_[j], out, rowsum.data());
    col_error += std::abs(s - (*b_)[j]);
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
  result.marginal_error = (rowsum - *a_).lpNorm<1>() + col_error;
}

void LogSinkhorn::finish_cloud(const PlanOptions& options, Result& result) const {
  // "automatic" means no plan here: the point of the matrix-free path is not to store n x m.
  const bool dense = options.format == PlanFormat::dense;
  const bool sparse = options.format == PlanFormat::sparse;
  if ((dense || sparse) && comm_)
    throw Error(
        "sinkhorn on point clouds: a plan cannot be returned from a run over several MPI ranks "
        "(ask for the potentials: the plan is exp(eta(-C + x + y) - 1))");
  const Eigen::Index n = Eigen::Index(n_), m = Eigen::Index(m_);
  result.plan.resize(0, 0);
  result.sparse_plan.resize(0, 0);
  if (dense) result.plan.resize(n, m);
  std::vector<double> row_mass(n_, 0.0), row_cost(n_, 0.0), col_mass(m_, 0.0);
  std::vector<std::vector<Eigen::Triplet<double>>> triplets(static_cast<std::size_t>(threads_));
  // Rows: each row's mass and cost <C_i, P_i>, and the plan's rows if asked.
  parallel_blocks(
      rows_.end - rows_.begin, threads_, [&](std::size_t begin, std::size_t end, int w) {
        std::vector<double> tile(kTile), p(kTile);
        for (std::size_t i = rows_.begin + begin; i < rows_.begin + end; ++i) {
          double mass = 0.0, cost = 0.0;
          for (std::size_t j0 = 0; j0 < m_; j0 += kTile) {
            const std::size_t count = std::min(kTile, m_ - j0);
            cloud_->row_tile(Eigen::Index(i), Eigen::Index(j0), count, tile.data());
            mass += exp_row(tile.data(), beta_.data() + j0, count, -eta_, alpha_[Eigen::Index(i)],
                            p.data(), nullptr);
            for (std::size_t t = 0; t < count; ++t) cost += tile[t] * p[t];
            for (std::size_t t = 0; t < count; ++t) {
              if (dense) result.plan(Eigen::Index(i), Eigen::Index(j0 + t)) = p[t];
              if (sparse && p[t] >= options.sparse_threshold)
                triplets[std::size_t(w)].emplace_back(Eigen::Index(i), Eigen::Index(j0 + t), p[t]);
            }
          }
          row_mass[i] = mass;
          row_cost[i] = cost;
        }
      });
  // Columns: each column's mass.
  parallel_blocks(cols_.end - cols_.begin, threads_, [&](std::size_t begin, std::size_t end, int) {
    std::vector<double> tile(kTile);
    for (std::size_t j = cols_.begin + begin; j < cols_.begin + end; ++j) {
      double mass = 0.0;
      for (std::size_t i0 = 0; i0 < n_; i0 += kTile) {
        const std::size_t count = std::min(kTile, n_ - i0);
        cloud_->col_tile(Eigen::Index(j), Eigen::Index(i0), count, tile.data());
        mass += exp_row(tile.data(), alpha_.data() + i0, count, -eta_, beta_[Eigen::Index(j)],
                        nullptr, nullptr);
      }
      col_mass[j] = mass;
    }
  });
  share(row_mass, n_);
  share(row_cost, n_);
  share(col_mass, m_);
  if (sparse) {
    std::vector<Eigen::Triplet<double>> all;
    for (const auto& t : triplets) all.insert(all.end(), t.begin(), t.end());
    result.sparse_plan.resize(n, m);
    result.sparse_plan.setFromTriplets(all.begin(), all.end());
  }
  double cost = 0.0, error = 0.0;
  for (std::size_t i = 0; i < n_; ++i) {
    cost += row_cost[i];
    error += std::abs(row_mass[i] - (*a_)[Eigen::Index(i)]);
  }
  for (std::size_t j = 0; j < m_; ++j) error += std::abs(col_mass[j] - (*b_)[Eigen::Index(j)]);
  result.transport_cost = cost;
  result.marginal_error = error;
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

bool loop_ends_at(const LogSinkhorn& engine, double error, double tolerance, std::size_t taken,
                  std::size_t budget, std::size_t iteration, Recorder& recorder,
                  std::span<Metric> extras, LoopOutcome& out) {
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
}

LoopOutcome sinkhorn_loop(LogSinkhorn& engine, double tolerance, std::size_t budget,
                          bool columns_exact, std::size_t& iteration, Recorder& recorder,
                          std::span<Metric> extras) {
  LoopOutcome out;
  double error = engine.measure_rows();
  if (!columns_exact) error += engine.measure_cols();
  for (std::size_t taken = 0;; ++taken) {
    if (loop_ends_at(engine, error, tolerance, taken, budget, iteration, recorder, extras, out))
      return out;
    engine.update_rows();
    engine.update_cols();
    ++iteration;
    error = engine.measure_rows();  // the column marginals are exact after update_cols
  }
}

}  // namespace descent::ot::detail
