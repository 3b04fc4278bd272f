// The SNS robustness suite as a benchmark report: every case of ot::robustness_suite() solved by
// SNS (default options) and by log-domain Sinkhorn, each to the same L1 tolerance; per-case
// records go to a CSV, a summary in Markdown to stdout (docs/ot.md quotes it).
//   sns_suite [--quick] [--seeds N] [--tol 1e-9] [--sinkhorn-cap 100000] [--csv FILE]
//             [--only SUBSTRING] [--eta-relative 10,50,...] [--patience N] [--no-continuation]
//             [--rank-scaled]
// The last three change SNS's defaults, to show what each safeguard does.
// --quick is the CI subset's shape (small clouds, two eta); the default is the full suite.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "descent/ot/ot.hpp"

namespace {

using namespace descent;

struct Run {
  std::string status;
  double seconds = 0, error = 0;
  std::size_t iterations = 0;
  double newton = 0, fallbacks = 0, stages = 0, cg = 0;
};

Run run_sns(const ot::SuiteCase& c, double tol, const ot::SnsOptions& base, bool continuation) {
  ot::SnsOptions o = base;
  if (!continuation) o.eta_start = c.eta;
  o.eta = c.eta;
  o.tolerance = tol;
  o.plan.format = ot::PlanFormat::none;
  const ot::Result r = ot::sinkhorn_newton_sparse(c.problem, o);
  const auto& k = r.summary.counters;
  return {std::string(to_string(r.summary.status)),
          r.summary.seconds,
          r.marginal_error,
          r.summary.iterations,
          k.at("newton_steps"),
          k.at("sinkhorn_fallbacks"),
          k.at("eta_stages"),
          k.at("cg_iterations")};
}

// The log-domain Sinkhorn the SNS paper compares against (docs/ot.md's suite tables); the
// scaling-domain fast path is timed in bench/ot/run.sh's per-eta table instead.
Run run_sinkhorn(const ot::SuiteCase& c, double tol, std::size_t cap) {
  ot::SinkhornOptions o;
  o.domain = ot::SinkhornDomain::log;
  o.eta = c.eta;
  o.tolerance = tol;
  o.max_iterations = cap;
  o.plan.format = ot::PlanFormat::none;
  const ot::Result r = ot::sinkhorn(c.problem, o);
  return {std::string(to_string(r.summary.status)), r.summary.seconds, r.marginal_error,
          r.summary.iterations};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

}  // namespace

int main(int argc, char** argv) {
  ot::SuiteOptions suite;
  double tol = 1e-9;
  std::size_t cap = 100000;
  std::string csv, only;
  bool quick = false, continuation = true;
  ot::SnsOptions sns;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "sns_suite: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick")
      quick = true;
    else if (a == "--seeds")
      suite.seeds = std::stoul(next());
    else if (a == "--tol")
      tol = std::stod(next());
    else if (a == "--sinkhorn-cap")
      cap = std::stoul(next());
    else if (a == "--csv")
      csv = next();
    else if (a == "--only")
      only = next();
    else if (a == "--eta-relative") {
      suite.eta_relative.clear();
      const std::string list = next();
      for (std::size_t at = 0; at < list.size();) {
        const std::size_t comma = std::min(list.find(',', at), list.size());
        suite.eta_relative.push_back(std::stod(list.substr(at, comma - at)));
        at = comma + 1;
      }
    } else if (a == "--patience")
      sns.patience = std::stoul(next());
    else if (a == "--no-continuation")
      continuation = false;
    else if (a == "--rank-scaled")
      sns.rank = ot::SparsityRank::scaled;
    else {
      std::fprintf(stderr, "sns_suite: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (quick) {
    suite.min_points = 30;
    suite.max_points = 70;
    suite.seeds = 1;
    suite.eta_relative = {50, 1200};
    cap = std::min<std::size_t>(cap, 20000);
  }
  std::FILE* out = csv.empty() ? nullptr : std::fopen(csv.c_str(), "w");
  if (!csv.empty() && !out) {
    std::fprintf(stderr, "sns_suite: cannot write %s\n", csv.c_str());
    return 2;
  }
  if (out)
    std::fprintf(out,
                 "case,n,m,eta_relative,sns_status,sns_seconds,sns_iterations,sns_newton,"
                 "sns_fallbacks,sns_stages,sns_cg,sns_error,sinkhorn_status,sinkhorn_seconds,"
                 "sinkhorn_iterations,sinkhorn_error\n");
  struct Group {
    int cases = 0, sns_converged = 0, sinkhorn_converged = 0, sns_faster = 0;
    std::vector<double> sns_t, sk_t, ratio;
  };
  std::map<double, Group> by_eta;
  std::map<std::string, Group> by_geometry;
  Group all, large_eta;  // large_eta: eta * max C >= 200, where the issue asks SNS to win
  std::vector<std::string> failures, slower;
  for (const ot::SuiteCase& c : ot::robustness_suite(suite)) {
    if (!only.empty() && c.name.find(only) == std::string::npos) continue;
    const Run s = run_sns(c, tol, sns, continuation), k = run_sinkhorn(c, tol, cap);
    if (out)
      std::fprintf(out, "%s,%ld,%ld,%g,%s,%.6f,%zu,%g,%g,%g,%g,%.3e,%s,%.6f,%zu,%.3e\n",
                   c.name.c_str(), long(c.problem.rows()), long(c.problem.cols()), c.eta_relative,
                   s.status.c_str(), s.seconds, s.iterations, s.newton, s.fallbacks, s.stages, s.cg,
                   s.error, k.status.c_str(), k.seconds, k.iterations, k.error);
    const bool sc = s.status == "converged" && s.error <= tol;
    const bool kc = k.status == "converged";
    std::vector<Group*> groups{&all, &by_eta[c.eta_relative], &by_geometry[c.geometry]};
    if (c.eta_relative >= 200) groups.push_back(&large_eta);
    for (Group* g : groups) {
      ++g->cases;
      g->sns_converged += sc;
      g->sinkhorn_converged += kc;
      g->sns_faster += s.seconds <= k.seconds;
      g->sns_t.push_back(s.seconds);
      g->sk_t.push_back(k.seconds);
      g->ratio.push_back(k.seconds / std::max(s.seconds, 1e-9));
    }
    if (!sc)
      failures.push_back(c.name + " (" + s.status + ", error " + std::to_string(s.error) + ")");
    if (s.seconds > k.seconds) {
      char line[256];
      std::snprintf(line, sizeof line, "%s: SNS %.4f s (%zu it) vs Sinkhorn %.4f s (%zu it)",
                    c.name.c_str(), s.seconds, s.iterations, k.seconds, k.iterations);
      slower.push_back(line);
    }
    std::fprintf(stderr, "%-55s sns %-10s %4zu it %7.4f s | sinkhorn %-14s %6zu it %7.4f s\n",
                 c.name.c_str(), s.status.c_str(), s.iterations, s.seconds, k.status.c_str(),
                 k.iterations, k.seconds);
  }
  if (out) std::fclose(out);
  auto table = [&](const char* title, const auto& groups, bool with_large_eta) {
    std::printf(
        "\n| %s | cases | SNS converged | Sinkhorn converged (cap %zu) | SNS median s | "
        "Sinkhorn median s | median time ratio Sinkhorn/SNS | SNS faster |\n"
        "|---|---|---|---|---|---|---|---|\n",
        title, cap);
    auto row = [&](const std::string& name, const Group& g) {
      std::printf("| %s | %d | %d | %d | %.4f | %.4f | %.1f | %d |\n", name.c_str(), g.cases,
                  g.sns_converged, g.sinkhorn_converged, median(g.sns_t), median(g.sk_t),
                  median(g.ratio), g.sns_faster);
    };
    for (const auto& [key, g] : groups) {
      char name[64];
      if constexpr (std::is_same_v<std::decay_t<decltype(key)>, double>)
        std::snprintf(name, sizeof name, "%g", key);
      else
        std::snprintf(name, sizeof name, "%s", key.c_str());
      row(name, g);
    }
    if (with_large_eta && large_eta.cases > 0) row(">= 200", large_eta);
    row("all", all);
  };
  std::printf("SNS robustness suite: %d cases, tolerance %g (L1), SNS default options\n", all.cases,
              tol);
  table("eta * max C", by_eta, true);
  table("geometry", by_geometry, false);
  std::printf("\nSNS not converged: %zu\n", failures.size());
  for (const auto& f : failures) std::printf("- %s\n", f.c_str());
  std::printf("\nCases where SNS is slower than Sinkhorn: %zu\n", slower.size());
  for (const auto& f : slower) std::printf("- %s\n", f.c_str());
  return failures.empty() ? 0 : 1;
}
