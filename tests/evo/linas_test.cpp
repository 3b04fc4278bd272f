// LINAS, search spaces and the resumable results log: JSON spaces and their errors, exact
// round trips of the log, replay after a kill (no validation repeated, the same result), and
// LINAS's budget, determinism and advantage over random search on the tier-A oracle.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "../support/temp_dir.hpp"
#include "descent/core/error.hpp"
#include "descent/evo/hypervolume.hpp"
#include "descent/evo/linas.hpp"
#include "descent/evo/ofa.hpp"
#include "descent/evo/results_log.hpp"
#include "descent/evo/space.hpp"

namespace evo = descent::evo;
namespace fs = std::filesystem;
using Eigen::MatrixXd;

namespace {

std::string write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  return p.string();
}

/// A categorical toy problem: 6 variables with 3 choices; objectives (sum, spread).
evo::Problem toy(std::size_t* calls = nullptr) {
  evo::Problem p;
  p.bounds = evo::Bounds::categorical(std::vector<int>(6, 3));
  p.objectives = 2;
  p.evaluate = [calls](const MatrixXd& X, MatrixXd& F) {
    F.resize(X.rows(), 2);
    for (Eigen::Index r = 0; r < X.rows(); ++r) {
      F(r, 0) = X.row(r).sum() + 0.1 * X(r, 0);
      F(r, 1) = (2.0 - X.row(r).array()).square().sum() + 0.05 * X(r, 5);
    }
    if (calls) *calls += static_cast<std::size_t>(X.rows());
  };
  return p;
}

evo::SearchSpace toy_space() {
  std::vector<evo::Variable> v;
  for (int i = 0; i < 6; ++i) v.push_back({"v" + std::to_string(i), {1.0, 2.5, 4.0}});
  return evo::SearchSpace(v);
}

}  // namespace

TEST(SearchSpace, ReadsJsonWithCountsAndRoundTrips) {
  const auto dir = descent::test::fresh_temp_dir("space_ok");
  const auto s = evo::SearchSpace::from_json(
      write(dir / "s.json",
            R"({"variables": [{"name": "d", "count": 3, "choices": [2, 3, 4]},
                              {"name": "w", "choices": [0.5, 1]}]})"));
  ASSERT_EQ(s.size(), 4);
  EXPECT_EQ(s.names(), (std::vector<std::string>{"d_0", "d_1", "d_2", "w"}));
  EXPECT_EQ(s.choice_counts(), (std::vector<int>{3, 3, 3, 2}));
  MatrixXd idx(2, 4);
  idx << 0, 1, 2, 1, 2, 2, 0, 0;
  const MatrixXd values = s.decode(idx);
  EXPECT_EQ(values(0, 2), 4.0);
  EXPECT_EQ(values(0, 3), 1.0);
  EXPECT_EQ(s.encode(values), idx);
  MatrixXd bad = values;
  bad(1, 3) = 0.75;
  EXPECT_THROW(s.encode(bad), descent::Error);
}

TEST(SearchSpace, BadJsonNamesFileLineAndField) {
  const auto dir = descent::test::fresh_temp_dir("space_bad");
  struct Case {
    std::string text, field;
    std::size_t line;
  };
  const std::vector<Case> cases{
      {"{\"variables\": [\n {\"name\": \"a\", \"choices\": [1]},\n {\"name\": \"b\", "
       "\"choices\": []}]}",
       "variables[1].choices", 3},
      {"{\"variables\": [\n{\"name\": \"a\", \"choices\": [1, 1]}]}", "variables[0].choices[1]", 2},
      {"{\"variables\": [{\"name\": \"a\", \"choices\": [1], \"kind\": 2}]}", "variables[0].kind",
       1},
      {"{\"variables\": [{\"name\": \"a,b\", \"choices\": [1]}]}", "variables[0].name", 1},
      {"{\"variables\": [{\"name\": \"a\", \"choices\": [\"x\"]}]}", "variables[0].choices[0]", 1},
      {"{\"variables\": [{\"name\": \"a\", \"count\": 0, \"choices\": [1]}]}", "variables[0].count",
       1},
      {"{\"variables\": [{\"name\": \"a\", \"choices\": [1]}, {\"name\": \"a\", \"choices\": "
       "[2]}]}",
       "variables[1].name", 1},
      {"{\"variables\": []}", "variables", 1},
      {"{\"vars\": []}", "variables", 1},
  };
  for (const auto& c : cases) {
    const auto path = write(dir / "s.json", c.text);
    try {
      evo::SearchSpace::from_json(path);
      ADD_FAILURE() << "accepted " << c.text;
    } catch (const descent::InputError& e) {
      EXPECT_EQ(e.field(), c.field) << e.what();
      EXPECT_EQ(e.line(), c.line) << e.what();
      EXPECT_NE(std::string(e.what()).find("s.json"), std::string::npos);
    }
  }
}

TEST(ResultsLog, RoundTripsExactlyAndRefusesToOverwrite) {
  const auto dir = descent::test::fresh_temp_dir("log_rt");
  const std::string path = (dir / "r.csv").string();
  const std::vector<evo::Objective> obj{{"acc", true}, {"cost", false}};
  MatrixXd X(3, 6), F(3, 2);
  X << 0, 1, 2, 0, 1, 2, 2, 2, 2, 0, 0, 0, 1, 1, 1, 1, 1, 1;
  F << -0.1, 1.0 / 3.0, -75.123456789012345, 1e-300, -1, 2;
  {
    auto log = evo::ResultsLog::create(path, toy_space(), obj, "sig");
    for (Eigen::Index r = 0; r < 3; ++r) log->append(X.row(r), F.row(r));
  }
  std::string header;
  std::getline(std::ifstream(path) >> std::ws, header);
  EXPECT_EQ(header, "# descent search: sig");
  EXPECT_THROW(evo::ResultsLog::create(path, toy_space(), obj, "sig"), descent::Error);
  auto back = evo::ResultsLog::resume(path, toy_space(), obj, "sig");
  EXPECT_EQ(back->X(), X);
  EXPECT_EQ(back->F(), F);  // %.17g: bit for bit
  EXPECT_EQ(back->truncated_bytes(), 0u);
  try {
    evo::ResultsLog::resume(path, toy_space(), obj, "other");
    ADD_FAILURE();
  } catch (const descent::InputError& e) {
    EXPECT_EQ(e.line(), 1u);
  }
}

TEST(ResultsLog, CutsATornLineAndNamesBadRows) {
  const auto dir = descent::test::fresh_temp_dir("log_torn");
  const std::string path = (dir / "r.csv").string();
  const std::vector<evo::Objective> obj{{"a", false}, {"b", false}};
  write(path,
        "# descent search: s\nv0,v1,v2,v3,v4,v5,a,b\n1,1,1,1,1,1,3,4\n2.5,1,4,1,1,1,5,6\n1,1,");
  auto log = evo::ResultsLog::resume(path, toy_space(), obj, "s");
  EXPECT_EQ(log->X().rows(), 2);
  EXPECT_EQ(log->truncated_bytes(), 4u);
  EXPECT_EQ(fs::file_size(path), std::string("# descent search: s\nv0,v1,v2,v3,v4,v5,a,b\n"
                                             "1,1,1,1,1,1,3,4\n2.5,1,4,1,1,1,5,6\n")
                                     .size());
  write(path, "# descent search: s\nv0,v1,v2,v3,v4,v5,a,b\n1,1,1,1,1,1,3,4\n1,1,3,1,1,1,5,6\n");
  try {
    evo::ResultsLog::resume(path, toy_space(), obj, "s");
    ADD_FAILURE();
  } catch (const descent::InputError& e) {
    EXPECT_EQ(e.line(), 4u);
    EXPECT_EQ(e.field(), "v2");
  }
  write(path, "# descent search: s\nv0,v1,v2,v3,v4,v5,a,b\n1,1,1,1,1,1,3,nan\n");
  EXPECT_THROW(evo::ResultsLog::resume(path, toy_space(), obj, "s"), descent::InputError);
  write(path, "# descent search: s\nv0,v1,v2,v3,v4,v5,a,c\n1,1,1,1,1,1,3,4\n");
  EXPECT_THROW(evo::ResultsLog::resume(path, toy_space(), obj, "s"), descent::InputError);
}

// A run killed after k validations and resumed equals the uninterrupted run, and pays only for
// the validations the file did not hold.
TEST(ResultsLog, ResumedSearchesRepeatNoValidationAndEndTheSame) {
  const auto dir = descent::test::fresh_temp_dir("log_replay");
  const std::vector<evo::Objective> obj{{"a", false}, {"b", false}};
  using Run = std::function<evo::Nsga2Result(const evo::Problem&)>;
  evo::LinasOptions lo;
  lo.population = 10;
  lo.evaluations = 40;
  lo.inner_evaluations = 200;
  lo.predictor = "ridge";
  evo::Nsga2Options no;
  no.population = 10;
  no.max_evaluations = 60;
  no.generations = 100;
  const std::vector<std::pair<std::string, Run>> runs{
      {"linas", [&](const evo::Problem& p) { return evo::linas(p, lo); }},
      {"nsga2", [&](const evo::Problem& p) { return evo::nsga2(p, no); }},
      {"random", [&](const evo::Problem& p) { return evo::random_search(p, 45, 3, 10); }}};
  for (const auto& [name, run] : runs) {
    const std::string full = (dir / (name + "_full.csv")).string();
    std::size_t calls = 0;
    auto log = evo::ResultsLog::create(full, toy_space(), obj, name);
    const auto a = run(evo::logged(toy(&calls), log).problem);
    const auto total = static_cast<std::size_t>(a.all_X.rows());
    EXPECT_EQ(calls, total) << name;
    // The kill: keep the header and the first 17 rows, plus half a row.
    std::ifstream in(full);
    std::string text, line;
    for (int i = 0; i < 19 && std::getline(in, line); ++i) text += line + "\n";
    const std::string cut = (dir / (name + "_cut.csv")).string();
    write(cut, text + "1,2.5,");
    std::size_t more = 0;
    auto resumed = evo::ResultsLog::resume(cut, toy_space(), obj, name);
    const auto lp = evo::logged(toy(&more), resumed);
    const auto b = run(lp.problem);
    EXPECT_EQ(more, total - 17) << name;
    EXPECT_EQ(*lp.replayed, 17u) << name;
    EXPECT_EQ(a.all_X, b.all_X) << name;
    EXPECT_EQ(a.all_F, b.all_F) << name;
    EXPECT_EQ(a.front, b.front) << name;
    std::ifstream fa(full), fb(cut);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(fa), {}),
              std::string(std::istreambuf_iterator<char>(fb), {}))
        << name;
  }
}

TEST(Linas, SpendsTheBudgetOnDistinctConfigurationsDeterministically) {
  evo::LinasOptions o;
  o.population = 10;
  o.evaluations = 35;
  o.inner_evaluations = 300;
  o.seed = 4;
  std::size_t calls = 0;
  const auto a = evo::linas(toy(&calls), o);
  EXPECT_EQ(a.summary.status, descent::Status::max_iterations);
  EXPECT_EQ(a.all_X.rows(), 35);
  EXPECT_EQ(calls, 35u);
  EXPECT_EQ(a.summary.iterations, 4u);
  std::set<std::vector<double>> distinct;
  for (Eigen::Index r = 0; r < a.all_X.rows(); ++r)
    distinct.insert(std::vector<double>(a.all_X.row(r).data(), a.all_X.row(r).data() + 6));
  EXPECT_EQ(distinct.size(), 35u);
  // Three inner runs of at most 300 (fewer when the 729-point space runs out of new offspring).
  EXPECT_GT(a.summary.counters.at("predictor_evaluations"), 0.0);
  EXPECT_LE(a.summary.counters.at("predictor_evaluations"), 3 * 300.0);
  const auto b = evo::linas(toy(), o);
  EXPECT_EQ(a.all_X, b.all_X);
  o.seed = 5;
  EXPECT_NE(evo::linas(toy(), o).all_X, a.all_X);
  o.population = 3;  // fewer rows than the predictors' folds
  EXPECT_THROW(evo::linas(toy(), o), descent::InvalidOption);
}

TEST(Linas, StallsWhenTheSpaceIsExhausted) {
  evo::Problem p = toy();
  p.bounds = evo::Bounds::categorical({2, 2, 3});  // 12 configurations
  evo::LinasOptions o;
  o.population = 5;
  o.evaluations = 50;
  o.inner_evaluations = 50;
  o.predictor = "ridge";
  const auto r = evo::linas(p, o);
  EXPECT_EQ(r.all_X.rows(), 12);
  EXPECT_EQ(r.summary.status, descent::Status::stalled);
}

// LINAS at a small budget against random search at the same budget, mean of three seeds, on
// the tier-A oracle with DyNAS-T's features (the full D4 check is `descent repro linas`).
TEST(Linas, BeatsRandomSearchOnTierA) {
  const auto oracle = evo::OfaOracle::bundled();
  evo::Problem p;
  p.bounds = evo::ofa_mbv3_space().bounds();
  p.objectives = 2;
  p.evaluate = [&](const MatrixXd& X, MatrixXd& F) { oracle.evaluate(X, F); };
  const Eigen::Vector2d ref(-70.0, 550.0);
  double linas_hv = 0, random_hv = 0;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    evo::LinasOptions o;
    o.population = 50;
    o.evaluations = 100;
    o.inner_evaluations = 2000;
    o.predictor = "ridge";
    o.seed = seed;
    linas_hv += evo::hypervolume_within(
        evo::linas(p, o, {}, [](const MatrixXd& X) { return evo::ofa_onehot_custom(X); }).F, ref);
    random_hv += evo::hypervolume_within(evo::random_search(p, 100, seed).F, ref);
  }
  std::printf("tier A, 100 validations: LINAS HV %.1f, random %.1f (means of 3 seeds)\n",
              linas_hv / 3, random_hv / 3);
  EXPECT_GT(linas_hv, random_hv);
}

TEST(OfaSpace, OnehotCustomMatchesDyNasT) {
  MatrixXd c = MatrixXd::Zero(1, 45);
  for (int b = 0; b < 20; ++b) {
    c(0, b) = b % 3;             // kernel index
    c(0, 20 + b) = (b + 1) % 3;  // expansion index
  }
  c.block(0, 40, 1, 5) << 0, 1, 2, 0, 2;  // depths 2, 3, 4, 2, 4
  const MatrixXd z = evo::ofa_onehot_custom(c);
  ASSERT_EQ(z.cols(), 120);
  const int depth[5] = {2, 3, 4, 2, 4};
  for (int b = 0; b < 20; ++b) {
    const bool active = b % 4 < depth[b / 4];
    EXPECT_EQ(z.block(0, 3 * b, 1, 3).sum(), active ? 1.0 : 0.0) << b;
    EXPECT_EQ(z.block(0, 60 + 3 * b, 1, 3).sum(), active ? 1.0 : 0.0) << b;
    if (active) {
      EXPECT_EQ(z(0, 3 * b + b % 3), 1.0);
      EXPECT_EQ(z(0, 60 + 3 * b + (b + 1) % 3), 1.0);
    }
  }
  const auto space = evo::ofa_mbv3_space();
  EXPECT_EQ(space.size(), 45);
  EXPECT_EQ(space.names()[20], "e_0");
  EXPECT_EQ(space.variables()[44].choices, (std::vector<double>{2, 3, 4}));
}

// One objective: NSGA-II's rank-and-crowding survival is a (mu + lambda) GA with binary
// tournaments (pymoo's GA with its defaults), the single-objective search of DyNAS-T.
TEST(SingleObjective, Nsga2WithOneObjectiveIsAGeneticAlgorithm) {
  evo::Problem p;
  p.bounds = evo::Bounds::categorical(std::vector<int>(20, 7));
  p.objectives = 1;
  p.evaluate = [](const MatrixXd& X, MatrixXd& F) {
    F = (X.array() - 3.0).square().rowwise().sum().matrix();  // optimum: every variable 3
  };
  evo::Nsga2Options o;
  o.population = 30;
  o.generations = 150;
  o.seed = 2;
  const auto r = evo::nsga2(p, o);
  EXPECT_EQ(r.F.minCoeff(), 0.0);
  EXPECT_EQ(r.front.size(), 1u);  // one objective: one best point (distinct configurations)
  EXPECT_LE(r.F(0, 0), r.F.col(0).tail(r.F.rows() - 1).minCoeff());  // best first
}

// A file that is not this search's is never cut or overwritten; a complete last row that only
// lost its line break is kept.
TEST(ResultsLog, LeavesOtherFilesAloneAndKeepsACompleteLastRow) {
  const auto dir = descent::test::fresh_temp_dir("log_foreign");
  const std::vector<evo::Objective> obj{{"a", false}, {"b", false}};
  const std::string notes = write(dir / "notes.txt", "my notes\nsecond line without break");
  EXPECT_THROW(evo::ResultsLog::resume(notes, toy_space(), obj, "s"), descent::InputError);
  EXPECT_THROW(evo::ResultsLog::create(notes, toy_space(), obj, "s"), descent::Error);
  std::ifstream in(notes);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}),
            "my notes\nsecond line without break");
  const std::string other = write(dir / "other.csv", "# descent search: t\nv0\n1,1,1");
  EXPECT_THROW(evo::ResultsLog::resume(other, toy_space(), obj, "s"), descent::InputError);
  EXPECT_EQ(fs::file_size(other), std::string("# descent search: t\nv0\n1,1,1").size());
  const std::string whole =
      write(dir / "whole.csv", "# descent search: s\nv0,v1,v2,v3,v4,v5,a,b\n1,1,1,1,1,1,3,4");
  auto log = evo::ResultsLog::resume(whole, toy_space(), obj, "s");
  EXPECT_EQ(log->X().rows(), 1);
  EXPECT_EQ(log->truncated_bytes(), 0u);
  const std::string torn_signature = write(dir / "torn.csv", "# descent sea");
  auto fresh = evo::ResultsLog::resume(torn_signature, toy_space(), obj, "s");
  EXPECT_EQ(fresh->X().rows(), 0);
  const std::string bad_header =
      write(dir / "header.csv", "# descent search: s\nv0,v1,v2,v3,v4,v5,a,c\n");
  EXPECT_THROW(evo::ResultsLog::resume(bad_header, toy_space(), obj, "s"), descent::InputError);
}
