// Reproduction `lv-hba`: constrained bilevel optimisation with LV-HBA.
//
// W. Yao, C. Yu, S. Zeng, J. Zhang, "Constrained Bi-Level Optimization: Proximal Lagrangian
// Value function Approach and Hessian-free Algorithm", ICLR 2024.
//
//   llc   LV-1: the LLC toy (n = 100, non-singleton LL, coupled equality constraint) with the
//         spec's settings (α = β = η = 0.005, γ = 1, c_k = (k+1)^0.45) for 1e4 iterations, and
//         the official script's defaults, which the divergence guard must flag.
//   llsc  LV-4: the LLSC toy with seeded data; F decreases and ‖y − y*(x)‖ → 0.
//   svm   LV-3: linear-SVM hyper-parameter optimisation with per-sample C (UL) and
//         (w, b, ξ) under the margin constraints (LL), 80 full-batch iterations, on sklearn
//         breast_cancer (train 300 / val 100 / test 169) and a synthetic 2-D two-class set
//         shaped like LIBSVM fourclass (500 / 150 / 212). Baseline: squared-hinge linear SVM
//         (LinearSVC's loss) with C grid-searched on validation over {1e-3 … 1e2}, solved
//         exactly in the run. C is actually updated (the official scripts never update it).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Cholesky>

#include "descent/bilevel/lvhba.hpp"
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

struct Split {
  Mat zt, zv, zs;
  Vec yt, yv, ys;
};

Split split(const Mat& x, const Vec& y, Eigen::Index ntr, Eigen::Index nval, std::uint64_t seed) {
  Rng rng = make_rng(seed, {0x5B1});
  const auto perm = permutation(rng, x.rows());
  Split s;
  const auto take = [&](Eigen::Index a, Eigen::Index b, Mat& z, Vec& l) {
    z.resize(b - a, x.cols());
    l.resize(b - a);
    for (Eigen::Index k = a; k < b; ++k) {
      z.row(k - a) = x.row(perm[std::size_t(k)]);
      l(k - a) = y(perm[std::size_t(k)]);
    }
  };
  take(0, ntr, s.zt, s.yt);
  take(ntr, ntr + nval, s.zv, s.yv);
  take(ntr + nval, x.rows(), s.zs, s.ys);
  const data::Standardizer st(s.zt);  // fitted on the training split only
  s.zt = st.transform(s.zt);
  s.zv = st.transform(s.zv);
  s.zs = st.transform(s.zs);
  return s;
}

// A 2-D two-class set in the spirit of LIBSVM fourclass: a wavy boundary a linear model can
// only partly follow, plus 5% label noise.
void fourclass_like(std::uint64_t seed, Mat& x, Vec& y) {
  Rng rng = make_rng(seed, {0x4C1A55});
  const Eigen::Index n = 862;
  x = uniform_matrix(rng, n, 2, -1.0, 1.0);
  y.resize(n);
  std::uniform_real_distribution<double> u(0, 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double b = 0.6 * std::sin(3.0 * x(i, 0)) + 0.3 * x(i, 0);
    y(i) = (x(i, 1) > b ? 1.0 : -1.0) * (u(rng) < 0.05 ? -1.0 : 1.0);
  }
}

// Squared-hinge linear SVM ½‖w‖² + (c/2)Σ max(0, 1 − y(wᵀz + b))², by semismooth Newton.
Vec squared_hinge_svm(const Mat& z, const Vec& y, double c) {
  const Eigen::Index d = z.cols();
  Mat zt(z.rows(), d + 1);
  zt << z, Vec::Ones(z.rows());
  Vec w = Vec::Zero(d + 1);
  for (int it = 0; it < 100; ++it) {
    const Vec m = (zt * w).cwiseProduct(y);
    Vec g = w;
    g(d) = 0;
    Mat h = Mat::Identity(d + 1, d + 1);
    h(d, d) = 1e-10;
    for (Eigen::Index i = 0; i < z.rows(); ++i)
      if (m(i) < 1) {
        g -= c * (1 - m(i)) * y(i) * zt.row(i).transpose();
        h += c * zt.row(i).transpose() * zt.row(i);
      }
    const Vec step = h.ldlt().solve(g);
    w -= step;
    if (step.norm() < 1e-12) break;
  }
  return w;
}

struct SvmResult {
  double lvhba_test, baseline_test, c_moved;
  bool diverged;
};

SvmResult run_svm(const Split& s, std::uint64_t seed) {
  // Baseline: C on the validation split (first best wins ties), test accuracy.
  double best = -1, base_test = 0;
  for (double c : {1e-3, 1e-2, 1e-1, 1.0, 1e1, 1e2}) {
    const Vec w = squared_hinge_svm(s.zt, s.yt, c);
    const double va = SvmHoProblem::accuracy(w, s.zv, s.yv);
    if (va > best) {
      best = va;
      base_test = SvmHoProblem::accuracy(w, s.zs, s.ys);
    }
  }
  const Eigen::Index n = s.zt.rows(), d = s.zt.cols();
  const SvmHoProblem p(s.zt, s.yt, s.zv, s.yv, {1e-6, 2000});
  Rng rng = make_rng(seed, {0xC0});
  const Vec x0 = uniform_vector(rng, n, -6, -5);  // the official C_i ~ U(−6, −5)
  Vec y0(d + 1 + n);
  y0.head(d).setOnes();  // w = 1, b = 0, ξ = 1 (official init)
  y0(d) = 0;
  y0.tail(n).setOnes();
  auto st = LvHbaState::start(p, x0, y0);
  st.lambda.setOnes();  // λ = z = 1 (official init)
  st.z.setOnes();
  // Official SVM settings in the paper's γ convention (the script's gama = 0.1 is γ = 10),
  // c_k = √(k+1), 80 full-batch iterations.
  LvHbaOptions o;
  o.alpha = 0.01;
  o.beta = 0.1;
  o.eta = 0.01;
  o.gamma1 = o.gamma2 = 10;
  o.c_lower = 1;
  o.p = 0.5;
  o.max_iterations = 80;
  const Summary sum = minimize_lvhba(p, st, o);
  return {SvmHoProblem::accuracy(st.y, s.zs, s.ys), base_test, (st.x - x0).norm(),
          sum.status == Status::diverged};
}

Report run_lv_hba(const ExperimentConfig& cfg) {
  Report report;
  const std::string dir = cfg.out_dir + "/";

  // --- LLC toy (LV-1)
  const LlcToy llc(100);
  const auto rel = [&](const Vec& x, const Vec&) {
    return (x - llc.solution_x()).norm() / llc.solution_x().norm();
  };
  auto s = LvHbaState::start(llc, llc.start_x(), llc.start_y());
  LvHbaOptions o;
  o.max_iterations = 10000;
  o.record_history = true;
  o.history_stride = 100;
  const Summary llc_sum = minimize_lvhba(llc, s, o, {}, rel);
  Mat rows(Eigen::Index(llc_sum.history.size()), 2);
  for (std::size_t i = 0; i < llc_sum.history.size(); ++i)
    rows.row(Eigen::Index(i)) << double(llc_sum.history[i].iteration),
        llc_sum.history[i].extras[1].second;
  io::write_csv(dir + "llc_rel_err.csv", rows, {"iteration", "rel_err"});
  const auto at = [&](std::size_t k) { return llc_sum.history[k / 100 - 1].extras[1].second; };
  const double e1e4 = rel(s.x, s.y);
  report.metric("llc.rel_err_1e3", at(1000));
  report.metric("llc.rel_err_2e3", at(2000));
  report.metric("llc.rel_err_5e3", at(5000));
  report.metric("llc.rel_err_1e4", e1e4);
  report.check("llc_converges",
               "LLC toy (n = 100): relative error <= 2e-2 after 1e4 iterations with "
               "alpha = beta = eta = 0.005, gamma = 1, c_k = (k+1)^0.45",
               "1.1e-2 (spec prototype; the paper shows curves only)", fmt(e1e4),
               llc_sum.status == Status::max_iterations && e1e4 <= 2e-2);
  report.check("llc_decreasing", "the error decreases from k = 2e3 to 5e3 to 1e4",
               "6.8e-2, 1.3e-2, 1.1e-2 (spec prototype)",
               fmt(at(2000)) + ", " + fmt(at(5000)) + ", " + fmt(e1e4),
               at(5000) < at(2000) && e1e4 < at(5000));
  auto sd = LvHbaState::start(llc, llc.start_x(), llc.start_y());
  LvHbaOptions od;  // the official script's settings
  od.alpha = 0.008;
  od.beta = 0.02;
  od.eta = 0.01;
  od.gamma1 = od.gamma2 = 10;
  od.c_lower = 0.025;
  od.p = 0.3;
  od.max_iterations = 3000;
  const Summary dsum = minimize_lvhba(llc, sd, od);
  report.metric("llc.official_defaults_diverged", dsum.status == Status::diverged ? 1.0 : 0.0);
  report.metric("llc.official_defaults_diverged_at", double(dsum.iterations));
  report.check(
      "llc_official_defaults_flagged",
      "the official LLC defaults (alpha 0.008, beta 0.02, eta 0.01, gamma 10, "
      "c_k = 0.025(k+1)^0.3) are reported as diverged",
      "diverges (spec: ~1e5 rel. err at 1e3 without the +-1000 clamps)",
      std::string(to_string(dsum.status)) + " at iteration " + std::to_string(dsum.iterations),
      dsum.status == Status::diverged);

  // --- LLSC toy (LV-4)
  const LlscToy llsc(100, 90, 45, cfg.seed + 1);
  auto ls = LvHbaState::start(llsc, llsc.start_x(), llsc.start_y());
  const double gap0 = (ls.y - llsc.lower_solution(ls.x)).norm(), f0 = llsc.upper(ls.x, ls.y);
  LvHbaOptions lo;
  lo.alpha = lo.beta = lo.eta = 0.02;
  lo.max_iterations = cfg.quick ? 2000 : 5000;
  minimize_lvhba(llsc, ls, lo);
  const double gap = (ls.y - llsc.lower_solution(ls.x)).norm(), f1 = llsc.upper(ls.x, ls.y);
  report.metric("llsc.ll_gap_ratio", gap / gap0);
  report.metric("llsc.upper_start", f0);
  report.metric("llsc.upper_end", f1);
  report.check("llsc_tracks_lower_solution",
               "LLSC toy: F decreases and |y - y*(x)| shrinks by 10x or more",
               "F decreases, y -> y*(x) (paper curves)",
               "F " + fmt(f0) + " -> " + fmt(f1) + ", gap ratio " + fmt(gap / gap0),
               f1 < f0 && gap < 0.1 * gap0);

  // --- linear-SVM HO (LV-3): several seeds, medians
  const data::Dataset bc = data::load("breast-cancer");
  const Vec bc_y = bc.targets.unaryExpr([](double t) { return t > 0.5 ? 1.0 : -1.0; });
  const int seeds = cfg.quick ? 3 : 10;
  std::vector<double> lv, base, lv4, base4, moved;
  Mat srows(seeds, 5);
  for (int k = 0; k < seeds; ++k) {
    const std::uint64_t sd_k = cfg.seed + 1 + std::uint64_t(k);
    const auto a = run_svm(split(bc.features, bc_y, 300, 100, sd_k), sd_k);
    Mat fx;
    Vec fy;
    fourclass_like(sd_k, fx, fy);
    const auto b = run_svm(split(fx, fy, 500, 150, sd_k), sd_k);
    lv.push_back(a.lvhba_test);
    base.push_back(a.baseline_test);
    lv4.push_back(b.lvhba_test);
    base4.push_back(b.baseline_test);
    moved.push_back(std::min(a.c_moved, b.c_moved));
    srows.row(k) << double(sd_k), a.lvhba_test, a.baseline_test, b.lvhba_test, b.baseline_test;
  }
  io::write_csv(dir + "svm_seeds.csv", srows,
                {"seed", "bc_lvhba", "bc_baseline", "fourclass_lvhba", "fourclass_baseline"});
  const double m_lv = median(lv), m_base = median(base), m_lv4 = median(lv4),
               m_base4 = median(base4);
  report.metric("svm.test_acc_lvhba", m_lv);
  report.metric("svm.test_acc_baseline", m_base);
  report.metric("svm.fourclass_test_acc_lvhba", m_lv4);
  report.metric("svm.fourclass_test_acc_baseline", m_base4);
  report.metric("svm.min_c_change", *std::min_element(moved.begin(), moved.end()));
  const std::string n_seeds = " (median of " + std::to_string(seeds) + " seeds)";
  report.check("svm_matches_baseline",
               "breast_cancer: LV-HBA test accuracy >= grid-searched squared-hinge SVM - 0.02",
               "LV-HBA >= GAM on diabetes/fourclass (paper table, not reproduced)",
               fmt(m_lv, "%.4f") + " vs " + fmt(m_base, "%.4f") + n_seeds, m_lv >= m_base - 0.02);
  report.check("svm_fourclass_matches_baseline",
               "fourclass-like 2-D set: LV-HBA test accuracy >= baseline - 0.02",
               "fourclass: 0.775 +- 0.034 baseline (spec prototype)",
               fmt(m_lv4, "%.4f") + " vs " + fmt(m_base4, "%.4f") + n_seeds,
               m_lv4 >= m_base4 - 0.02);
  report.check("svm_c_moves", "the per-sample C is actually updated (official-code bug fixed)",
               "||C_K - C_0|| > 0", fmt(*std::min_element(moved.begin(), moved.end())),
               *std::min_element(moved.begin(), moved.end()) > 0);

  report.plots.push_back({"llc.png",
                          "LLC toy: relative error of x",
                          "iteration",
                          "||x - x*|| / ||x*||",
                          false,
                          true,
                          {{"llc_rel_err.csv", "iteration", "rel_err", "LV-HBA"}}});
  report.config = {
      {"llc", "n=100, alpha=beta=eta=0.005, gamma1=gamma2=1, c_k=(k+1)^0.45, 1e4 iterations"},
      {"llsc", "n=100, A 90x100, B 45x100, alpha=beta=eta=0.02, gamma=1, c_k=(k+1)^0.45"},
      {"svm",
       "alpha=eta=0.01, beta=0.1, gamma1=gamma2=10 (script gama=0.1), c_k=sqrt(k+1), 80 "
       "iterations, C0~U(-6,-5), w=1, b=0, xi=1, lambda=z=1; Hildreth projection tol 1e-6"},
      {"seeds", seeds},
      {"seed", cfg.seed},
      {"quick", cfg.quick}};
  report.notes.push_back(
      "diabetes_scale and fourclass (LIBSVM) are not packaged offline; breast_cancer (sklearn) "
      "and a seeded 2-D look-alike of fourclass replace them. The baseline is the squared-hinge "
      "SVM (LinearSVC's loss) solved exactly for each C on the grid.");
  return report;
}

const Registrar registrar{{
    .id = "lv-hba",
    .paper = "W. Yao, C. Yu, S. Zeng, J. Zhang, Constrained Bi-Level Optimization: Proximal "
             "Lagrangian Value function Approach and Hessian-free Algorithm, ICLR 2024",
    .summary = "LV-HBA on the LLC toy (and its divergent official defaults), the LLSC toy, and "
               "linear-SVM hyper-parameter optimisation against a grid-searched baseline.",
    .run = &run_lv_hba,
}};

}  // namespace
}  // namespace descent::experiments
