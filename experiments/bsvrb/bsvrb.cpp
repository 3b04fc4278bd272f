// Reproduction `bsvrb`: blockwise stochastic variance-reduced multi-block bilevel optimisation.
//
// Q. Hu, Z.-H. Qiu, Z. Guo, L. Zhang, T. Yang, "Blockwise Stochastic Variance-Reduced Methods
// with Parallel Speedup for Multi-Block Bilevel Optimization", ICML 2023.
//
// The paper's a8a/w8a and NDCG experiments are curves on data not packaged offline; the spec's
// closed-form multi-block quadratic (§4.5) replaces them:
//   BS-1  m = 50 blocks, x ∈ R^10, y_i ∈ R^5, no noise, all blocks every iteration: BSVRB v1
//         and v2 must reach ‖x − x*‖/‖x*‖ ≤ 1e-10 within 1000 iterations (validates every
//         update equation).
//   BS-2  noise σ = 0.5 on A_i, B_i and ∇_y f (B = 4 samples per block), I = 10 of 50 blocks:
//         BSVRB v1/v2 against RSVRB at the same number of block minibatches drawn, several
//         seeds, medians; and the stability rule (theory γ with large steps diverges).
//   BS-3  (reduced) multi-task hyper-parameter optimisation on sklearn breast_cancer instead
//         of a8a: per-sample weights σ(p_j) as the UL variable, m = 10 logistic blocks with
//         temperatures τ_i ~ U(1, 11), train 300 (20% of labels flipped) / val 150 disjoint,
//         I = 5, B = 32, 200 iterations (~20 epochs); against uniform weights (p = 0).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "descent/bilevel/bsvrb.hpp"
#include "descent/bilevel/problems.hpp"
#include "descent/data/datasets.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/experiments/stats.hpp"
#include "descent/io/csv.hpp"

namespace descent::experiments {
namespace {

using namespace descent::bilevel;

std::string fmt(double v, const char* f = "%.3g") {
  return format_number(v, f);
}

constexpr std::size_t kBlocks = 50;
constexpr Eigen::Index kDx = 10, kDy = 5;

struct Outcome {
  double err;
  Summary summary;
};

Outcome run_bsvrb(MultiBlockQuadratic& p, const BsvrbOptions& o, const std::string& csv = {}) {
  Vec xs;
  p.solution(xs);
  Vec x = Vec::Zero(kDx);
  std::vector<Vec> y(p.num_blocks(), Vec::Zero(kDy));
  const auto monitor = [&](const Vec& xx) { return (xx - xs).norm() / xs.norm(); };
  const Summary s = minimize_bsvrb(p, x, y, o, {}, monitor);
  if (!csv.empty() && !s.history.empty()) {
    Mat rows(Eigen::Index(s.history.size()), 2);
    for (std::size_t i = 0; i < s.history.size(); ++i)
      rows.row(Eigen::Index(i)) << double(s.history[i].iteration), s.history[i].extras[0].second;
    io::write_csv(csv, rows, {"iteration", "rel_err"});
  }
  return {monitor(x), s};
}

Outcome run_rsvrb(MultiBlockQuadratic& p, const RsvrbOptions& o) {
  Vec xs;
  p.solution(xs);
  Vec x = Vec::Zero(kDx);
  std::vector<Vec> y(p.num_blocks(), Vec::Zero(kDy));
  const Summary s = minimize_rsvrb(p, x, y, o);
  return {(x - xs).norm() / xs.norm(), s};
}

Report run_bsvrb_experiment(const ExperimentConfig& cfg) {
  Report report;
  const std::string dir = cfg.out_dir + "/";

  // --- BS-1: full blocks, deterministic
  double worst = 0;
  for (const auto v : {BsvrbVersion::v1, BsvrbVersion::v2}) {
    MultiBlockQuadratic p(kBlocks, kDx, kDy, 0.1, 0.0, cfg.seed + 123);
    BsvrbOptions o;  // spec BS-1: α = 0.5, τ = τ_v = 0.3, η = 0.1, β = 0.5, theory γ (= 0)
    o.version = v;
    o.max_iterations = 1000;
    o.record_history = true;
    o.history_stride = 10;
    const std::string name = std::string(to_string(v));
    const auto r = run_bsvrb(p, o, dir + "full_block_" + name + ".csv");
    report.metric("quad.full_block_rel_err_" + name, r.err);
    worst = std::max(worst, std::isfinite(r.err) ? r.err : 1e300);
  }
  report.metric("quad.full_block_rel_err", worst);
  report.check("full_block_exact",
               "full-block deterministic BSVRB v1 and v2 reach relative error <= 1e-10 within "
               "1000 iterations",
               "1.6e-13 at t = 1000 (spec prototype, v2-style)", fmt(worst), worst <= 1e-10);

  // --- BS-2: stochastic, partial blocks, equal budget of block minibatches
  const std::size_t I = 10, B = 4;
  const std::size_t budget = cfg.quick ? 10000 : 40000;  // block minibatches drawn
  const int seeds = cfg.quick ? 3 : 7;
  std::vector<double> e1, e2, er, ratio;
  Mat rows(seeds, 4);
  for (int k = 0; k < seeds; ++k) {
    const std::uint64_t sd = cfg.seed + 1 + std::uint64_t(k);
    BsvrbOptions o;
    o.blocks_per_iteration = I;
    o.batch = B;
    o.gamma_rule = GammaRule::fixed;  // γ = 1 as in the official HO scripts
    o.gamma = 1.0;
    o.alpha = 0.5;
    o.beta = 0.5;
    o.eta = 0.1;
    o.tau = o.tau_v = 0.1;
    o.decay_eta = true;
    o.max_iterations = budget / I;  // I draws per iteration
    o.seed = sd;
    MultiBlockQuadratic p1(kBlocks, kDx, kDy, 0.1, 0.5, cfg.seed + 123);
    o.version = BsvrbVersion::v1;
    const double a = run_bsvrb(p1, o).err;
    MultiBlockQuadratic p2(kBlocks, kDx, kDy, 0.1, 0.5, cfg.seed + 123);
    o.version = BsvrbVersion::v2;
    const double b = run_bsvrb(p2, o).err;
    RsvrbOptions r;
    r.blocks_per_iteration = I;
    r.batch = B;
    // RSVRB's randomised estimators (m/I scaling, 1−β shrink) blow up at BSVRB's τ = 0.1; the
    // best of β ∈ {0.1, 0.2} × τ ∈ {0.05, 0.1} on seed 0 is used, i.e. the baseline is tuned.
    r.beta = 0.2;
    r.eta = 0.1;
    r.tau = 0.05;
    r.decay_eta = true;
    r.max_iterations = budget / (2 * I);  // I blocks for the estimators + I' for G
    r.seed = sd;
    MultiBlockQuadratic p3(kBlocks, kDx, kDy, 0.1, 0.5, cfg.seed + 123);
    const double c = run_rsvrb(p3, r).err;
    e1.push_back(a);
    e2.push_back(b);
    er.push_back(c);
    ratio.push_back(b / c);
    rows.row(k) << double(sd), a, b, c;
  }
  io::write_csv(dir + "stochastic_seeds.csv", rows, {"seed", "bsvrb1", "bsvrb2", "rsvrb"});
  const double mr = median(ratio);
  report.metric("quad.stochastic_rel_err_bsvrb1", median(e1));
  report.metric("quad.stochastic_rel_err_bsvrb2", median(e2));
  report.metric("quad.stochastic_rel_err_rsvrb", median(er));
  report.metric("quad.bsvrb_over_rsvrb_err", mr);
  report.check("bsvrb_at_least_as_good_as_rsvrb",
               "with I = 10 of 50 blocks, B = 4, sigma = 0.5 and the same number of block "
               "minibatches, BSVRB v2's error is at most RSVRB's (median ratio <= 1)",
               "BSVRB faster than RSVRB (a8a/w8a curves)",
               fmt(mr) + " (median over " + std::to_string(seeds) + " seeds; v2 " +
                   fmt(median(e2)) + ", v1 " + fmt(median(e1)) + ", RSVRB " + fmt(median(er)) + ")",
               mr <= 1.0);

  // Stability rule: theory γ = (m−I)/(I(1−α)) = 8 with steps >= 0.05 is unstable.
  MultiBlockQuadratic pt(kBlocks, kDx, kDy, 0.1, 0.0, cfg.seed + 123);
  BsvrbOptions t;
  t.blocks_per_iteration = I;
  t.gamma_rule = GammaRule::theory;
  t.eta = 0.1;
  t.tau = t.tau_v = 0.3;
  t.max_iterations = 2000;
  t.seed = cfg.seed;
  const auto th = run_bsvrb(pt, t);
  report.metric("quad.theory_gamma", th.summary.counters.at("gamma"));
  report.metric("quad.theory_gamma_diverged", th.summary.status == Status::diverged ? 1.0 : 0.0);
  report.check("theory_gamma_large_steps_diverge",
               "partial blocks with the theory gamma (= 8) and steps 0.1/0.3 diverge (stability "
               "rule: steps <~ 1/gamma)",
               "diverges with steps >= 0.05 (spec prototype)",
               std::string(to_string(th.summary.status)) + " after " +
                   std::to_string(th.summary.iterations) + " iterations",
               th.summary.status == Status::diverged,
               "Measured, not assumed: on this quadratic the MSVR correction uses the same "
               "samples at both points, so its gamma-weighted difference stays small.");

  // --- BS-3 (reduced): multi-task HO on breast_cancer
  const data::Dataset bc = data::load("breast-cancer");
  const int ho_seeds = cfg.quick ? 3 : 5;
  std::vector<double> f_init, f_v1, f_v2, w_flip, w_clean;
  for (int k = 0; k < ho_seeds; ++k) {
    const std::uint64_t sd = cfg.seed + 1 + std::uint64_t(k);
    Rng rng = make_rng(sd, {0x8A8});
    const auto perm = permutation(rng, bc.size());
    const Eigen::Index ntr = 300, nval = 150, nflip = 60;
    Mat zt(ntr, bc.dimension()), zv(nval, bc.dimension());
    Vec yt(ntr), yv(nval);
    for (Eigen::Index j = 0; j < ntr + nval; ++j) {
      const auto r = perm[std::size_t(j)];
      const double lab = bc.targets(r) > 0.5 ? 1.0 : -1.0;
      if (j < ntr) {
        zt.row(j) = bc.features.row(r);
        yt(j) = j < nflip ? -lab : lab;  // the permutation is random: the first 20% flip
      } else {
        zv.row(j - ntr) = bc.features.row(r);
        yv(j - ntr) = lab;
      }
    }
    const data::Standardizer stz(zt);
    const Vec taus = uniform_vector(rng, 10, 1.0, 11.0);
    MultiTaskLogistic ho(stz.transform(zt), yt, stz.transform(zv), yv,
                         std::vector<double>(taus.data(), taus.data() + taus.size()), 1e-3);
    f_init.push_back(ho.value_at_solution(Vec::Zero(ntr)));
    for (const auto v : {BsvrbVersion::v1, BsvrbVersion::v2}) {
      BsvrbOptions o;
      o.version = v;
      o.blocks_per_iteration = 5;
      o.batch = 32;
      // Hypergradient entries scale like σ'(p_j)/(B·I), hence the large η; the official a8a
      // runs (η = 1e-3) have 18k weights and 200 epochs.
      o.eta = 100;
      o.tau = o.tau_v = 0.5;
      o.alpha = o.beta = 0.9;
      o.gamma_rule = GammaRule::fixed;
      o.gamma = 1.0;
      o.lambda_lb = 1e-3;
      o.max_iterations = 200;
      o.seed = sd;
      Vec p = Vec::Zero(ntr);
      std::vector<Vec> w(10, Vec::Zero(ho.dim_y()));
      minimize_bsvrb(ho, p, w, o);
      (v == BsvrbVersion::v1 ? f_v1 : f_v2).push_back(ho.value_at_solution(p));
      if (v == BsvrbVersion::v2) {
        const Vec sw = p.unaryExpr([](double t) { return 1.0 / (1.0 + std::exp(-t)); });
        w_flip.push_back(sw.head(nflip).mean());
        w_clean.push_back(sw.tail(ntr - nflip).mean());
      }
    }
  }
  const double hi = median(f_init), h1 = median(f_v1), h2 = median(f_v2);
  report.metric("ho.val_loss_uniform", hi);
  report.metric("ho.val_loss_bsvrb1", h1);
  report.metric("ho.val_loss_bsvrb2", h2);
  report.metric("ho.weight_flipped_mean", median(w_flip));
  report.metric("ho.weight_clean_mean", median(w_clean));
  report.check("ho_improves_on_uniform",
               "multi-task HO: the UL validation loss of both versions ends below uniform-weight "
               "logistic regression (the p = 0 start)",
               "UL loss decreases (a8a/w8a curves)",
               "v1 " + fmt(h1) + ", v2 " + fmt(h2) + " vs uniform " + fmt(hi) + " (median of " +
                   std::to_string(ho_seeds) + " seeds)",
               h1 < hi && h2 < hi);
  report.check("ho_v1_v2_agree", "v1 and v2 agree within noise (final losses within 25%)",
               "v1 and v2 similar (paper curves)", fmt(h1) + " vs " + fmt(h2),
               std::abs(h1 - h2) <= 0.25 * std::max(h1, h2));

  report.plots.push_back({"full_block.png",
                          "multi-block quadratic, all blocks, no noise",
                          "iteration",
                          "||x - x*|| / ||x*||",
                          false,
                          true,
                          {{"full_block_bsvrb1.csv", "iteration", "rel_err", "BSVRB v1"},
                           {"full_block_bsvrb2.csv", "iteration", "rel_err", "BSVRB v2"}}});
  report.config = {{"problem", "m=50, dx=10, dy=5, rho=0.1, A=QQ'/5+I, B~N(0,0.1), t~N(0,1)"},
                   {"full_block", "alpha=0.5, tau=tau_v=0.3, eta=0.1, beta=0.5, theory gamma"},
                   {"stochastic",
                    "sigma=0.5, B=4, I=10, fixed gamma=1, alpha=beta=0.5, eta=0.1/sqrt(t+1), "
                    "tau=tau_v=0.1; RSVRB beta=0.2, tau=0.05 (tuned), eta as BSVRB"},
                   {"budget_block_minibatches", budget},
                   {"ho",
                    "breast_cancer 300/150, 20% flipped, m=10, tau~U(1,11), lambda=1e-3, I=5, "
                    "B=32, eta=100, tau=tau_v=0.5, alpha=beta=0.9, gamma=1, 200 iterations"},
                   {"seeds", seeds},
                   {"seed", cfg.seed},
                   {"quick", cfg.quick}};
  report.notes.push_back(
      "Equal budget = equal number of block minibatches drawn: BSVRB draws I per iteration, "
      "RSVRB draws I for its estimators plus an independent I' = I for the hypergradient, so "
      "it runs half as many iterations. BS-3 runs on breast_cancer (a8a is not packaged offline) "
      "with 20% of the training labels flipped so that the weights have something to find; "
      "LL ridge 1e-3 (the official 1e-5 makes v2's v-iteration very slow).");
  return report;
}

const Registrar registrar{{
    .id = "bsvrb",
    .paper = "Q. Hu, Z.-H. Qiu, Z. Guo, L. Zhang, T. Yang, Blockwise Stochastic Variance-Reduced "
             "Methods with Parallel Speedup for Multi-Block Bilevel Optimization, ICML 2023",
    .summary = "BSVRB v1/v2 on a multi-block quadratic with closed-form x*: full-block exactness "
               "and the stochastic partial-block comparison against RSVRB.",
    .run = &run_bsvrb_experiment,
}};

}  // namespace
}  // namespace descent::experiments
