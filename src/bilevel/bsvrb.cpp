#include "descent/bilevel/bsvrb.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Cholesky>

#include "descent/bilevel/estimators.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

namespace descent::bilevel {

void BsvrbOptions::validate() const {
  check::at_least("batch", static_cast<long long>(batch), 1);
  check::positive("eta", eta);
  check::positive("tau", tau);
  check::positive("tau_v", tau_v);
  check::in_closed("beta", beta, 1e-12, 1.0);
  check::in_closed("alpha", alpha, 1e-12, 1.0);
  check::non_negative("gamma", gamma);
  check::positive("lambda_lb", lambda_lb);
  check::require(v_radius > 0, "v_radius", "must be > 0");
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::positive("divergence_threshold", divergence_threshold);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

void RsvrbOptions::validate() const {
  check::at_least("batch", static_cast<long long>(batch), 1);
  check::positive("eta", eta);
  check::positive("tau", tau);
  check::in_closed("beta", beta, 1e-12, 1.0);
  check::positive("lambda_lb", lambda_lb);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::positive("divergence_threshold", divergence_threshold);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

std::string_view to_string(BsvrbVersion v) noexcept {
  return v == BsvrbVersion::v1 ? "bsvrb1" : "bsvrb2";
}

BlockSampler::BlockSampler(std::size_t blocks, std::uint64_t seed)
    : blocks_(blocks), rng_(make_rng(seed, {0xB10C5})) {}

std::vector<std::size_t> BlockSampler::next(std::size_t count) {
  std::vector<std::size_t> out;
  if (count >= blocks_) {
    for (std::size_t i = 0; i < blocks_; ++i) out.push_back(i);
    return out;
  }
  while (out.size() < count) {
    if (pos_ == order_.size()) {
      order_.clear();
      for (auto i : permutation(rng_, static_cast<Eigen::Index>(blocks_)))
        order_.push_back(static_cast<std::size_t>(i));
      pos_ = 0;
    }
    const std::size_t b = order_[pos_++];
    if (std::find(out.begin(), out.end(), b) == out.end()) out.push_back(b);
  }
  return out;
}

namespace {

void check_sizes(const MultiBlockProblem& p, const Vec& x, const std::vector<Vec>& y,
                 const char* who) {
  bool ok = x.size() == p.dim_x() && y.size() == p.num_blocks();
  for (const auto& yi : y) ok = ok && yi.size() == p.dim_y();
  if (!ok) throw Error(std::string(who) + ": x/y sizes do not match the problem");
}

bool finite_all(const Vec& x, const std::vector<Vec>& y, const Vec& z, double limit) {
  if (!all_finite(x, limit) || !all_finite(z, limit)) return false;
  for (const auto& yi : y)
    if (!all_finite(yi, limit)) return false;
  return true;
}

// Shared tail of an iteration: the row of iteration t + 1 (the monitor only when the Run wants
// it), recorded. Returns true to stop.
IterationInfo block_row(std::size_t iteration, const Vec& x, const Vec& z, double eta,
                        const BlockMonitor& monitor, Metric (&extras)[1]) {
  extras[0].value = monitor ? monitor(x) : std::nan("");
  IterationInfo info;
  info.iteration = iteration;
  info.gradient_norm = z.norm();
  info.step_size = eta;
  info.x = std::span<const double>(x.data(), static_cast<std::size_t>(x.size()));
  info.extras = extras;
  return info;
}

bool report_iteration(Run& run, std::size_t t, const Vec& x, const Vec& z, double eta,
                      const BlockMonitor& monitor, Metric (&extras)[1]) {
  if (!run.wants(t + 1)) return false;
  return run.record(block_row(t + 1, x, z, eta, monitor, extras));
}

double mean_upper(const MultiBlockProblem& p, const Vec& x, const std::vector<Vec>& y) {
  double s = 0;
  for (std::size_t i = 0; i < p.num_blocks(); ++i) s += p.upper(i, x, y[i]);
  return s / double(p.num_blocks());
}

// Shared end of a run: the last row (if the stride skipped it), the objective, counters and
// the end callback.
Summary finish_run(Run& run, const MultiBlockProblem& p, const Vec& x, const std::vector<Vec>& y,
                   const Vec& z, double eta, double draws, const BlockMonitor& monitor,
                   Metric (&extras)[1]) {
  Summary& summary = run.summary();
  const bool diverged = run.ended() && summary.status == Status::diverged;
  if (!diverged && summary.iterations > 0 && run.keeps_history())
    run.keep_final(block_row(summary.iterations, x, z, eta, monitor, extras));
  summary.counters["block_samples"] = draws;
  return run.finish(diverged ? std::nan("") : mean_upper(p, x, y), z.norm());
}

}  // namespace

Summary minimize_bsvrb(MultiBlockProblem& p, Vec& x, std::vector<Vec>& y, const BsvrbOptions& o,
                       Callbacks callbacks, const BlockMonitor& monitor) {
  o.validate();
  check_sizes(p, x, y, "minimize_bsvrb");
  const std::size_t m = p.num_blocks();
  const std::size_t nb = o.blocks_per_iteration == 0 ? m : std::min(m, o.blocks_per_iteration);
  const double gamma =
      o.gamma_rule == GammaRule::theory ? msvr_theory_gamma(m, nb, o.alpha) : o.gamma;
  const bool v1 = o.version == BsvrbVersion::v1;
  const Eigen::Index dy = p.dim_y();

  Run run(std::string(to_string(o.version)), static_cast<std::size_t>(x.size()), o.max_iterations,
          {o.record_history, o.history_stride}, callbacks);
  Summary& summary = run.summary();
  Metric extras[] = {{"monitor", 0.0}};
  double eta = o.eta;
  BlockSampler sampler(m, o.seed);
  Rng rng = make_rng(o.seed, {0x5A3B1E});

  std::vector<Vec> s(m), u(m), v(m, Vec::Zero(dy)), y_prev = y, v_prev = v;
  std::vector<Mat> H(m);
  std::vector<bool> seen(m, false);
  Vec x_prev = x, z = Vec::Zero(x.size());
  Vec h_new, h_old, fx, fy, fx_o, fy_o, tmp, tmp_o, w, jw, G(x.size()), Gp(x.size());
  Mat hn, ho;
  double draws = 0;
  for (std::size_t t = 0; t < o.max_iterations; ++t) {
    const auto blocks = sampler.next(nb);
    G.setZero();
    Gp.setZero();
    for (const std::size_t i : blocks) {
      p.sample(i, o.batch, rng);
      ++draws;
      const bool first = !seen[i];
      // LL gradient estimator.
      p.lower_grad_y(i, x, y[i], h_new);
      if (first) {
        s[i] = h_new;
      } else {
        p.lower_grad_y(i, x_prev, y_prev[i], h_old);
        msvr_update(s[i], h_new, h_old, o.alpha, gamma);
      }
      p.upper_grad(i, x, y[i], fx, fy);
      p.upper_grad(i, x_prev, y_prev[i], fx_o, fy_o);
      if (v1) {
        const Mat H_old = first ? Mat() : H[i];
        p.lower_hessian_yy(i, x, y[i], hn);
        if (first) {
          H[i] = hn;
        } else {
          p.lower_hessian_yy(i, x_prev, y_prev[i], ho);
          msvr_update(H[i], hn, ho, o.alpha, gamma);
        }
        project_min_eigenvalue(H[i], o.lambda_lb);
        w = H[i].llt().solve(fy);
        p.lower_jvp_xy(i, x, y[i], w, jw);
        G += fx - jw;
        if (!first) {
          w = H_old.llt().solve(fy_o);
          p.lower_jvp_xy(i, x_prev, y_prev[i], w, jw);
          Gp += fx_o - jw;
        }
      } else {
        p.lower_hvp_yy(i, x, y[i], v[i], tmp);
        tmp -= fy;
        if (first) {
          u[i] = tmp;
        } else {
          p.lower_hvp_yy(i, x_prev, y_prev[i], v_prev[i], tmp_o);
          tmp_o -= fy_o;
          msvr_update(u[i], tmp, tmp_o, o.alpha, gamma);
        }
        p.lower_jvp_xy(i, x, y[i], v[i], jw);
        G += fx - jw;
        if (!first) {
          p.lower_jvp_xy(i, x_prev, y_prev[i], v_prev[i], jw);
          Gp += fx_o - jw;
        }
      }
    }
    G /= double(blocks.size());
    Gp /= double(blocks.size());
    // STORM; before any old point exists the estimator is the fresh value.
    if (t == 0)
      z = G;
    else
      storm_update(z, G, Gp, o.beta);
    x_prev = x;
    y_prev = y;
    v_prev = v;
    eta = o.decay_eta ? o.eta / std::sqrt(double(t + 1)) : o.eta;
    x -= eta * z;
    for (const std::size_t i : blocks) {
      y[i] -= o.tau * s[i];
      if (!v1) {
        v[i] -= o.tau_v * u[i];
        project_ball(v[i], o.v_radius);
      }
      seen[i] = true;
    }
    summary.iterations = t + 1;
    if (!finite_all(x, y, z, o.divergence_threshold)) {
      run.end(Status::diverged, "iterates overflowed or became non-finite at iteration " +
                                    std::to_string(t + 1) +
                                    "; reduce eta/tau (stability rule: <~ 1/gamma)");
      break;
    }
    if (report_iteration(run, t, x, z, eta, monitor, extras)) break;
  }
  summary.counters["gamma"] = gamma;
  return finish_run(run, p, x, y, z, eta, draws, monitor, extras);
}

Summary minimize_rsvrb(MultiBlockProblem& p, Vec& x, std::vector<Vec>& y, const RsvrbOptions& o,
                       Callbacks callbacks, const BlockMonitor& monitor) {
  o.validate();
  check_sizes(p, x, y, "minimize_rsvrb");
  const std::size_t m = p.num_blocks();
  const std::size_t nb = o.blocks_per_iteration == 0 ? m : std::min(m, o.blocks_per_iteration);
  const double scale = double(m) / double(nb);
  const Eigen::Index dy = p.dim_y(), dx = p.dim_x();

  Run run("rsvrb", static_cast<std::size_t>(x.size()), o.max_iterations,
          {o.record_history, o.history_stride}, callbacks);
  Summary& summary = run.summary();
  Metric extras[] = {{"monitor", 0.0}};
  double eta = o.eta;
  BlockSampler sampler(m, o.seed), sampler2(m, o.seed + 0x9E37);
  Rng rng = make_rng(o.seed, {0x25B1});

  // Tracked per block: s (∇_y g), q (∇_y f), V (∇²_xy g as a dx × dy matrix), H (∇²_yy g).
  std::vector<Vec> s(m, Vec::Zero(dy)), q(m, Vec::Zero(dy));
  std::vector<Mat> V(m, Mat::Zero(dx, dy)), H(m, Mat::Identity(dy, dy));
  std::vector<Vec> y_prev = y;
  Vec x_prev = x, z = Vec::Zero(dx), G(dx), Gp(dx), gy_n, gy_o, fx, fy, fx_o, fy_o, e, col;
  Mat hn, ho, Vn(dx, dy), Vo(dx, dy);
  double draws = 0;
  const auto jacobian = [&](std::size_t i, const Vec& xx, const Vec& yy, Mat& out) {
    for (Eigen::Index k = 0; k < dy; ++k) {
      e = Vec::Unit(dy, k);
      p.lower_jvp_xy(i, xx, yy, e, col);
      out.col(k) = col;
    }
  };
  // Randomised STORM: U ← (1−β)U + 1[i sampled]·(m/I)(h_new − (1−β)h_old) (first visit: h_new).
  std::vector<bool> seen(m, false);
  for (std::size_t t = 0; t < o.max_iterations; ++t) {
    const auto blocks = sampler.next(nb);
    std::vector<bool> in(m, false);
    for (auto i : blocks) in[i] = true;
    std::vector<Mat> H_old = H, V_old = V;
    std::vector<Vec> q_old = q;
    for (std::size_t i = 0; i < m; ++i) {
      if (!in[i]) {
        if (seen[i]) {
          s[i] *= 1 - o.beta;
          q[i] *= 1 - o.beta;
          V[i] *= 1 - o.beta;
          H[i] *= 1 - o.beta;
        }
        continue;
      }
      p.sample(i, o.batch, rng);
      ++draws;
      p.lower_grad_y(i, x, y[i], gy_n);
      p.upper_grad(i, x, y[i], fx, fy);
      p.lower_hessian_yy(i, x, y[i], hn);
      jacobian(i, x, y[i], Vn);
      if (!seen[i]) {
        s[i] = gy_n;
        q[i] = fy;
        H[i] = hn;
        V[i] = Vn;
        seen[i] = true;
        continue;
      }
      p.lower_grad_y(i, x_prev, y_prev[i], gy_o);
      p.upper_grad(i, x_prev, y_prev[i], fx_o, fy_o);
      p.lower_hessian_yy(i, x_prev, y_prev[i], ho);
      jacobian(i, x_prev, y_prev[i], Vo);
      const double b = 1 - o.beta;
      s[i] = b * s[i] + scale * (gy_n - b * gy_o);
      q[i] = b * q[i] + scale * (fy - b * fy_o);
      H[i] = b * H[i] + scale * (hn - b * ho);
      V[i] = b * V[i] + scale * (Vn - b * Vo);
    }
    // Hypergradient on an independent block sample, with the tracked estimates.
    const auto blocks2 = sampler2.next(nb);
    G.setZero();
    Gp.setZero();
    for (const std::size_t i : blocks2) {
      p.sample(i, o.batch, rng);
      ++draws;
      p.upper_grad(i, x, y[i], fx, fy);
      p.upper_grad(i, x_prev, y_prev[i], fx_o, fy_o);
      Mat Hp = seen[i] ? H[i] : Mat(Mat::Identity(dy, dy));
      project_min_eigenvalue(Hp, o.lambda_lb);
      G += fx - V[i] * Hp.llt().solve(q[i]);
      Mat Hpo = H_old[i];
      project_min_eigenvalue(Hpo, o.lambda_lb);
      Gp += fx_o - V_old[i] * Hpo.llt().solve(q_old[i]);
    }
    G /= double(blocks2.size());
    Gp /= double(blocks2.size());
    if (t == 0)
      z = G;
    else
      storm_update(z, G, Gp, o.beta);
    x_prev = x;
    y_prev = y;
    eta = o.decay_eta ? o.eta / std::sqrt(double(t + 1)) : o.eta;
    x -= eta * z;
    // Every block moves with its (unbiased, randomised) estimate, as in RSVRB.
    for (std::size_t i = 0; i < m; ++i)
      if (seen[i]) y[i] -= o.tau * s[i];
    summary.iterations = t + 1;
    if (!finite_all(x, y, z, o.divergence_threshold)) {
      run.end(Status::diverged, "iterates overflowed or became non-finite at iteration " +
                                    std::to_string(t + 1) + "; reduce eta/tau");
      break;
    }
    if (report_iteration(run, t, x, z, eta, monitor, extras)) break;
  }
  return finish_run(run, p, x, y, z, eta, draws, monitor, extras);
}

}  // namespace descent::bilevel
