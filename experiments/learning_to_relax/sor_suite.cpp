#include "sor_suite.hpp"

#include <algorithm>
#include <thread>

#include "descent/bandit/chebcb.hpp"
#include "descent/bandit/tsallis_inf.hpp"
#include "descent/bandit/tsallis_inf_cb.hpp"
#include "descent/linalg/sor.hpp"
#include "descent/linalg/spectral.hpp"

namespace descent::experiments::l2r {

namespace {

// The paper's contextual settings for this suite (contextual.m): range [-0.15, 0.65], 5 bins,
// 6 Chebyshev features.
constexpr double kContextLo = -0.15, kContextHi = 0.65;

SorSequence run_one(const SorSuiteConfig& cfg, std::size_t seed_index) {
  using namespace linalg;
  Rng rng = make_rng(cfg.base_seed, {0x50a, cfg.stream, seed_index});
  Rng learn_rng = make_rng(cfg.base_seed, {0x50b, cfg.stream, seed_index});
  const SparseMatrix base = laplacian_2d(cfg.grid_side);
  // Every diagonal entry of A is 4, so I - D_c^{-1}(A + cI) = (4 / (4 + c)) (I - D^{-1} A):
  // beta(c) = beta_0 * 4 / (4 + c), exactly, without an eigensolve per instance.
  const double beta0 = jacobi_spectral_radius(base);
  const double diag = base.coeff(0, 0);

  std::vector<double> omegas = bandit::linspace(1.0, 1.95, SorSequence::kGrid);
  omegas.push_back(1.0);  // slot for omega*, set per instance

  bandit::TsallisInf tsallis(SorSequence::kGrid);
  bandit::TsallisInfCbOptions cbo;
  cbo.context_lo = kContextLo;
  cbo.context_hi = kContextHi;
  cbo.bins = 5;
  bandit::TsallisInfCb tsallis_cb(SorSequence::kGrid, cbo);
  bandit::ChebCbOptions cheb_o;
  cheb_o.context_lo = kContextLo;
  cheb_o.context_hi = kContextHi;
  cheb_o.features = 6;
  bandit::ChebCb chebcb(SorSequence::kGrid, cheb_o);

  SorSequence out;
  const std::size_t T = cfg.instances;
  out.shift.reserve(T);
  out.grid.reserve(T);
  SorOptions o;  // epsilon = 1e-8 relative to ||r_0|| = ||b||, cap 10,000: the paper's
  const Vector x0 = Vector::Zero(base.rows());
  for (std::size_t t = 0; t < T; ++t) {
    const double c = cfg.distribution.sample(rng);
    const Vector b = truncated_normal(rng, base.rows());
    const SparseMatrix a = shift_diagonal(base, c);
    omegas.back() = optimal_sor_omega(beta0 * diag / (diag + c));
    SorSolver solver(a);
    const std::vector<SorResult> res = solver.solve_grid(b, x0, omegas, o);
    std::array<std::uint16_t, SorSequence::kGrid> row{};
    for (std::size_t i = 0; i < SorSequence::kGrid; ++i)
      row[i] = static_cast<std::uint16_t>(res[i].cost(o));
    out.shift.push_back(c);
    out.grid.push_back(row);
    out.omega_star.push_back(static_cast<std::uint16_t>(res.back().cost(o)));

    const std::size_t a1 = tsallis.choose(learn_rng);
    tsallis.update(row[a1]);
    const std::size_t a2 = tsallis_cb.choose(learn_rng, c);
    tsallis_cb.update(row[a2]);
    const std::size_t a3 = chebcb.choose(learn_rng, c);
    chebcb.update(row[a3]);
    out.tsallis.push_back(row[a1]);
    out.tsallis_cb.push_back(row[a2]);
    out.chebcb.push_back(row[a3]);
    out.tsallis_arm.push_back(static_cast<std::uint8_t>(a1));
    out.chebcb_arm.push_back(static_cast<std::uint8_t>(a3));
  }
  out.fallbacks = tsallis.fallbacks() + tsallis_cb.fallbacks() + chebcb.fallbacks();
  return out;
}

}  // namespace

std::vector<SorSequence> run_sor_suite(const SorSuiteConfig& cfg) {
  std::vector<SorSequence> out(cfg.seeds);
  const std::size_t workers = std::max<std::size_t>(
      1, std::min<std::size_t>(cfg.seeds, static_cast<std::size_t>(cfg.threads)));
  if (workers == 1) {
    for (std::size_t s = 0; s < cfg.seeds; ++s) out[s] = run_one(cfg, s);
    return out;
  }
  // Seeds are independent streams, so the result does not depend on the thread count.
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w)
    pool.emplace_back([&, w] {
      for (std::size_t s = w; s < cfg.seeds; s += workers) out[s] = run_one(cfg, s);
    });
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace descent::experiments::l2r
