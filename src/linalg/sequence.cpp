#include "descent/linalg/sequence.hpp"

#include <cmath>
#include <string>

#include "descent/bandit/factory.hpp"
#include "descent/core/options.hpp"
#include "descent/core/timer.hpp"
#include "descent/linalg/sor.hpp"
#include "descent/linalg/spectral.hpp"

namespace descent::linalg {

std::string_view to_string(RelaxedSolver s) noexcept {
  switch (s) {
    case RelaxedSolver::sor:
      return "sor";
    case RelaxedSolver::ssor:
      return "ssor";
    case RelaxedSolver::ssor_cg:
      return "ssor-cg";
  }
  return "?";
}

RelaxedSolver relaxed_solver_from_string(std::string_view name) {
  if (name == "sor") return RelaxedSolver::sor;
  if (name == "ssor") return RelaxedSolver::ssor;
  if (name == "ssor-cg" || name == "pcg-ssor") return RelaxedSolver::ssor_cg;
  throw Error("unknown relaxed solver '" + std::string(name) + "' (expected sor, ssor or ssor-cg)");
}

std::string_view to_string(OmegaPolicy p) noexcept {
  switch (p) {
    case OmegaPolicy::fixed:
      return "fixed";
    case OmegaPolicy::optimal:
      return "optimal";
    case OmegaPolicy::tsallis:
      return "tsallis-inf";
    case OmegaPolicy::tsallis_cb:
      return "tsallis-inf-cb";
    case OmegaPolicy::chebcb:
      return "chebcb";
  }
  return "?";
}

std::vector<double> SequenceOptions::default_grid() {
  return bandit::linspace(1.0, 1.95, 20);
}

void SequenceOptions::validate() const {
  check::require(fixed_omega > 0.0 && fixed_omega < 2.0, "fixed_omega",
                 "must lie in (0, 2), got " + check::show(fixed_omega));
  check::require(!grid.empty(), "grid", "must not be empty");
  for (double w : grid)
    check::require(w > 0.0 && w < 2.0, "grid", "values must lie in (0, 2), got " + check::show(w));
  if (policy == OmegaPolicy::tsallis_cb || policy == OmegaPolicy::chebcb) {
    check::finite("context_lo", context_lo);
    check::finite("context_hi", context_hi);
    check::require(context_hi > context_lo, "context_hi",
                   "must be > context_lo (contextual policies need the context range)");
  }
  check::at_least("bins", static_cast<long long>(bins), 1);
  check::at_least("features", static_cast<long long>(features), 1);
  check::non_negative("tolerance", tolerance);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
}

SequenceRunner::SequenceRunner(SequenceOptions options)
    : options_(std::move(options)), rng_(make_rng(options_.seed, {0x5e9})) {
  options_.validate();
  bandit::LearnerSpec spec;
  spec.context_lo = options_.context_lo;
  spec.context_hi = options_.context_hi;
  spec.bins = options_.bins;
  spec.features = options_.features;
  switch (options_.policy) {
    case OmegaPolicy::tsallis:
      spec.kind = bandit::LearnerKind::tsallis_inf;
      break;
    case OmegaPolicy::tsallis_cb:
      spec.kind = bandit::LearnerKind::tsallis_inf_cb;
      break;
    case OmegaPolicy::chebcb:
      spec.kind = bandit::LearnerKind::chebcb;
      break;
    default:
      return;
  }
  learner_ = bandit::make_learner(options_.grid.size(), spec);
}

SequenceRunner::~SequenceRunner() = default;
SequenceRunner::SequenceRunner(SequenceRunner&&) noexcept = default;
SequenceRunner& SequenceRunner::operator=(SequenceRunner&&) noexcept = default;

StepRecord SequenceRunner::step(const SparseMatrix& a, const Vector& b, Vector& x, double context) {
  StepRecord rec;
  rec.context = context;
  Stopwatch choose_clock;
  switch (options_.policy) {
    case OmegaPolicy::fixed:
      rec.omega = options_.fixed_omega;
      break;
    case OmegaPolicy::optimal:
      rec.omega = optimal_sor_omega(a);
      break;
    default:
      rec.arm = learner_->choose(rng_, learner_->contextual() ? context : bandit::kNoContext);
      rec.omega = options_.grid[rec.arm];
  }
  rec.choose_seconds = choose_clock.seconds();

  Stopwatch solve_clock;
  if (options_.solver == RelaxedSolver::ssor_cg) {
    ssor_.bind(a, rec.omega);
    CgOptions o;
    o.tolerance = options_.tolerance;
    o.tolerance_mode = options_.tolerance_mode;
    o.max_iterations = options_.max_iterations;
    const Summary s = conjugate_gradient(a, b, x, &ssor_, o);
    rec.status = s.status;
    rec.iterations = s.iterations;
  } else {
    SorOptions o;
    o.omega = rec.omega;
    o.symmetric = options_.solver == RelaxedSolver::ssor;
    o.tolerance = options_.tolerance;
    o.tolerance_mode = options_.tolerance_mode;
    o.max_iterations = options_.max_iterations;
    SorSolver solver(a);
    const SorResult r = solver.solve(b, x, o);
    rec.status = r.status;
    rec.iterations = r.iterations;
  }
  rec.solve_seconds = solve_clock.seconds();
  rec.cost = rec.status == Status::converged ? rec.iterations : options_.max_iterations;

  if (learner_) {
    Stopwatch learn_clock;
    learner_->update(static_cast<double>(rec.cost));
    rec.choose_seconds += learn_clock.seconds();
  }
  records_.push_back(rec);
  return rec;
}

std::size_t SequenceRunner::total_iterations() const noexcept {
  std::size_t n = 0;
  for (const auto& r : records_) n += r.iterations;
  return n;
}

double SequenceRunner::total_seconds() const noexcept {
  double s = 0.0;
  for (const auto& r : records_) s += r.solve_seconds + r.choose_seconds;
  return s;
}

}  // namespace descent::linalg
