// `descent dp-train` (DP-GD and DIFF2 across P workers, simulated or under mpirun) and
// `descent dp-account` (the RDP/zCDP accountant: epsilon from sigma, sigma from epsilon, and the
// Poisson-subsampled Gaussian).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/data/datasets.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "descent/io/npy.hpp"
#include "descent/privacy/accountant.hpp"
#include "descent/privacy/diff2.hpp"
#include "descent/privacy/dp_gd.hpp"
#include "descent/privacy/methods.hpp"
#include "descent/privacy/mlp.hpp"
#include "method_flags.hpp"

namespace descent::cli {
namespace {

using namespace descent::privacy;

// ---------------------------------------------------------------------------------------------
// dp-train

// Method options (--epsilon, --delta, --rounds, --step, --clip, --sigma, ..., --set) are set
// only when given: privacy::methods() holds the defaults.
struct TrainFlags {
  std::string data = "synthetic";
  std::string model = "mlp:20-20-1";
  std::string method = "diff2";
  int workers = 4;
  MethodFlags options;
  double test_fraction = 0.2;
  bool standardize = false;
  std::string mpi = "auto";
  std::string params_out, history_out, summary_out;
  RunFlags run;
};

// "synthetic[:in=20,hidden=20,n=2000,test=2000,noise=0.1,seed=1]"
struct SyntheticSpec {
  Eigen::Index in = -1, hidden = -1, n = 2000, test = 2000;
  double noise = 0.1;
  std::uint64_t seed = 1;
};

SyntheticSpec parse_synthetic(const std::string& spec) {
  SyntheticSpec s;
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return s;
  std::stringstream ss(spec.substr(colon + 1));
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) throw Error("--data " + spec + ": expected key=value");
    const std::string k = item.substr(0, eq), v = item.substr(eq + 1);
    double x = 0;
    try {
      x = std::stod(v);
    } catch (const std::exception&) {
      throw Error("--data " + spec + ": '" + item + "' is not key=number");
    }
    if (k == "in")
      s.in = Eigen::Index(x);
    else if (k == "hidden")
      s.hidden = Eigen::Index(x);
    else if (k == "n")
      s.n = Eigen::Index(x);
    else if (k == "test")
      s.test = Eigen::Index(x);
    else if (k == "noise")
      s.noise = x;
    else if (k == "seed")
      s.seed = std::uint64_t(x);
    else
      throw Error("--data " + spec + ": unknown key '" + k +
                  "' (in, hidden, n, test, noise, seed)");
  }
  if (s.n < 1 || s.test < 0) throw Error("--data " + spec + ": need n >= 1 and test >= 0");
  return s;
}

struct LocalData {
  std::vector<std::unique_ptr<MlpRegression>> workers;  // this rank's
  std::unique_ptr<MlpRegression> test;
  std::string description;
};

// A regression table from a data set name or a CSV/.npy file (last column = target), shuffled
// with a fixed seed, split into test and P equal training shards and, with --standardize,
// standardised with the training rows' statistics (NOT private: see docs/privacy.md). Every rank
// reads the whole file and keeps its own shards.
LocalData load_table(const std::string& spec, const MlpShape& shape, int P,
                     const dist::WorkerRange& range, double test_fraction, bool standardize) {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
  const auto names = data::dataset_names();
  if (std::find(names.begin(), names.end(), spec) != names.end()) {
    const data::Dataset ds = data::load(spec);
    X = ds.features;
    y = ds.targets;
  } else {
    Eigen::MatrixXd t;
    const std::string e = std::filesystem::path(spec).extension().string();
    if (e == ".npy")
      t = io::read_npy_matrix(spec);
    else if (e == ".csv" || e == ".txt" || e == ".gz")
      t = io::read_csv_matrix(spec);
    else
      throw Error("--data '" + spec +
                  "': not synthetic[:...], a data set name (descent data) or a "
                  ".csv/.npy file");
    if (t.cols() < 2) throw InputError(spec, 0, "data", "need features and a target column");
    X = t.leftCols(t.cols() - 1);
    y = t.col(t.cols() - 1);
  }
  if (X.cols() != shape.inputs)
    throw Error("--data '" + spec + "' has " + std::to_string(X.cols()) + " features but --model " +
                shape.to_string() + " expects " + std::to_string(shape.inputs));
  Rng rng = make_rng(1, {0x5b11'7000ULL});
  const std::vector<Eigen::Index> perm = permutation(rng, X.rows());
  const auto n_test = static_cast<Eigen::Index>(std::floor(test_fraction * double(X.rows())));
  const Eigen::Index n = (X.rows() - n_test) / P;
  if (n < 1)
    throw Error("--data '" + spec + "': too few rows for " + std::to_string(P) + " workers");
  auto rows = [&](Eigen::Index first, Eigen::Index count, Eigen::MatrixXd& Xo,
                  Eigen::VectorXd& yo) {
    Xo.resize(count, X.cols());
    yo.resize(count);
    for (Eigen::Index i = 0; i < count; ++i) {
      Xo.row(i) = X.row(perm[static_cast<std::size_t>(first + i)]);
      yo[i] = y[perm[static_cast<std::size_t>(first + i)]];
    }
  };
  Eigen::MatrixXd Xtr;
  Eigen::VectorXd ytr;
  rows(n_test, n * P, Xtr, ytr);
  const Eigen::RowVectorXd mu = Xtr.colwise().mean();
  Eigen::RowVectorXd sd = ((Xtr.rowwise() - mu).array().square().colwise().mean()).sqrt();
  sd = sd.unaryExpr([](double v) { return v > 0 ? v : 1.0; });
  const double ymu = ytr.mean();
  auto standardise = [&](Eigen::MatrixXd& Xo, Eigen::VectorXd& yo) {
    if (!standardize) return;
    Xo = (Xo.rowwise() - mu).array().rowwise() / sd.array();
    yo.array() -= ymu;
  };
  LocalData out;
  for (int j = 0; j < range.count; ++j) {
    Eigen::MatrixXd Xw;
    Eigen::VectorXd yw;
    rows(n_test + Eigen::Index(range.first + j) * n, n, Xw, yw);
    standardise(Xw, yw);
    out.workers.push_back(std::make_unique<MlpRegression>(shape, Xw, yw));
  }
  if (n_test > 0) {
    Eigen::MatrixXd Xt;
    Eigen::VectorXd yt;
    rows(0, n_test, Xt, yt);
    standardise(Xt, yt);
    out.test = std::make_unique<MlpRegression>(shape, Xt, yt);
  }
  out.description = spec + " (" + std::to_string(n) + " records per worker, " +
                    std::to_string(n_test) + " test" +
                    (standardize ? ", standardised with non-private statistics)" : ")");
  return out;
}

LocalData make_data(const TrainFlags& f, MlpShape& shape, const dist::WorkerRange& range) {
  if (f.data.rfind("synthetic", 0) == 0) {
    const SyntheticSpec s = parse_synthetic(f.data);
    if ((s.in > 0 && s.in != shape.inputs) || (s.hidden > 0 && s.hidden != shape.hidden))
      throw Error("--data " + f.data + " disagrees with --model " + shape.to_string() +
                  " (the teacher has the student's shape)");
    TeacherTask teacher(shape, s.seed, s.noise);
    LocalData out;
    for (int j = 0; j < range.count; ++j) {
      auto d = teacher.sample(s.n, static_cast<std::uint64_t>(range.first + j));
      out.workers.push_back(std::make_unique<MlpRegression>(shape, d.X, d.y));
    }
    if (s.test > 0) {
      auto t = teacher.sample(s.test, kTestStream);
      out.test = std::make_unique<MlpRegression>(shape, t.X, t.y);
    }
    out.description = "synthetic teacher " + shape.to_string() + " (" + std::to_string(s.n) +
                      " records per worker, " + std::to_string(s.test) + " test, data seed " +
                      std::to_string(s.seed) + ")";
    return out;
  }
  if (f.test_fraction < 0 || f.test_fraction >= 1)
    throw Error("--test-fraction must lie in [0, 1)");
  return load_table(f.data, shape, f.workers, range, f.test_fraction, f.standardize);
}

void write_history(const std::string& path, const Summary& s) {
  // No timings: the file is identical for identical iterates (the MPI test compares it).
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(s.history.size()), 6);
  for (std::size_t i = 0; i < s.history.size(); ++i) {
    const auto& h = s.history[i];
    auto extra = [&](const char* k) {
      for (const auto& [name, v] : h.extras)
        if (name == k) return v;
      return std::nan("");
    };
    rows.row(static_cast<Eigen::Index>(i)) << double(h.iteration), h.objective, extra("test_loss"),
        extra("grad_norm2"), extra("noise_std"), extra("epsilon");
  }
  io::write_csv(path, rows,
                {"round", "train_loss", "test_loss", "grad_norm2", "noise_std", "epsilon"});
}

int train(const TrainFlags& f, const Globals& g, dist::Communicator& comm) {
  if (f.workers < 1) throw Error("--workers must be >= 1");
  MlpShape shape = MlpShape::parse(f.model);
  const dist::WorkerRange range = dist::worker_range(f.workers, comm.rank(), comm.size());
  LocalData data = make_data(f, shape, range);
  WorkerSet set;
  set.comm = &comm;
  set.workers = f.workers;
  for (auto& w : data.workers) set.local.push_back(w.get());
  set.test = data.test.get();

  Rng init = make_rng(g.seed, {0x1417ULL});
  Eigen::VectorXd x = mlp_initial_parameters(shape, init);

  const auto& method = privacy::methods().at(f.method);
  const std::vector<OptionDoc> docs = method.options();
  MethodFlags flags = f.options;
  if (takes(docs, "noise_multiplier2") && (flags.settings.find("sigma") != nullptr) !=
                                              (flags.settings.find("noise_multiplier2") != nullptr))
    throw InvalidOption("--sigma2", "give both --sigma and --sigma2, or neither");
  alias_setting(flags, docs, "sigma", {"noise_multiplier", "noise_multiplier1"});
  Settings settings = settings_for(flags, docs, f.method);
  settings.set("seed", std::to_string(g.seed));
  settings.set("threads", std::to_string(std::max(1, g.threads)));
  const bool root = comm.is_root();
  Callbacks cbs = root ? make_callbacks(f.run, g) : Callbacks{};
  const Summary s = naming_flags(flags, [&] { return method.run(set, x, settings, cbs); });
  const auto setting = [&](const char* key) { return setting_or_default(settings, docs, key); };
  io::Json options = io::Json::object();
  for (const OptionDoc& d : docs) options[d.key] = setting(d.key.c_str());

  if (!root) return 0;
  // Only rank 0 writes, atomically, and only after the last collective: a failed job leaves
  // no partial result files.
  if (!f.params_out.empty()) io::write_npy(f.params_out, Eigen::MatrixXd(x));
  if (!f.history_out.empty()) write_history(f.history_out, s);
  io::Json j = io::to_json(s);
  j["data"] = data.description;
  j["model"] = shape.to_string();
  j["dimension"] = shape.dimension();
  j["workers"] = f.workers;
  j["communicator"] = comm.name();
  j["ranks"] = comm.size();
  j["options"] = options;
  const double epsilon = std::stod(setting("epsilon")), delta = std::stod(setting("delta"));
  j["privacy"] = {{"epsilon_spent", s.counters.at("epsilon")},
                  {"epsilon_target", epsilon},
                  {"delta", delta},
                  {"adjacency", setting("adjacency")},
                  {"conversion", setting("conversion")},
                  {"covers",
                   "every message each worker sends (hence every iterate); not the "
                   "train/test diagnostics"}};
  if (!f.summary_out.empty()) io::write_json(f.summary_out, j);
  if (g.json) {
    print_json(j);
  } else {
    std::printf("%s on %s, %d workers (%s, %d rank%s), d = %lld\n", s.method.c_str(),
                data.description.c_str(), f.workers, comm.name().c_str(), comm.size(),
                comm.size() == 1 ? "" : "s", static_cast<long long>(shape.dimension()));
    std::printf("  %s\n", s.brief().c_str());
    // Without a test split (--test-fraction 0) there is no test loss: left out, not "nan".
    const auto counter = [&](const char* k) { return s.counters.at(k); };
    const double test_loss = counter("test_loss");
    if (std::isfinite(test_loss))
      std::printf("  train loss %.6g, test loss %.6g, |grad f|^2 %.4g\n", counter("train_loss"),
                  test_loss, counter("grad_norm2"));
    else
      std::printf("  train loss %.6g, |grad f|^2 %.4g (no test split)\n", counter("train_loss"),
                  counter("grad_norm2"));
    std::printf(
        "  privacy: epsilon = %.6g spent (target %.6g), delta = %g, %s adjacency, %s noise\n",
        counter("epsilon"), epsilon, delta, setting("adjacency").c_str(),
        counter("noise_central") == 1 ? "central" : "local");
  }
  return exit_code(s.status, Goal::budget);
}

int run_dp_train(const TrainFlags& f, const Globals& g) {
  auto comm = dist::make_communicator(dist::mode_from_string(f.mpi));
  // A failure on one rank must end all of them (the others would wait in a collective).
  return dist::run_or_abort(*comm, [&] { return train(f, g, *comm); });
}

// ---------------------------------------------------------------------------------------------
// dp-account

struct AccountFlags {
  std::optional<double> sigma, sigma2, epsilon, q, z;
  double delta = 1e-5;
  std::size_t rounds = 0, steps = 0, restart = 1;
  double n = 0;
  double split = 0.5;
  std::string method = "dpgd";
  std::string adjacency = "replace-one";
  std::string noise_model = "local";
  int workers = 1;
};

int run_dp_account(const AccountFlags& f, const Globals& g) {
  io::Json j;
  const Adjacency adj = adjacency_from_string(f.adjacency);
  if (f.q || f.z) {
    if (!(f.q && f.z && f.steps > 0))
      throw Error("dp-account: the subsampled Gaussian needs --q, --z and --steps");
    RdpAccountant acc;
    acc.compose_subsampled_gaussian(*f.q, *f.z, f.steps);
    const EpsilonAtOrder e = acc.epsilon(f.delta);
    j = {{"mechanism", "poisson-subsampled gaussian (add/remove)"},
         {"q", *f.q},
         {"z", *f.z},
         {"steps", f.steps},
         {"delta", f.delta},
         {"epsilon", e.epsilon},
         {"order", e.order}};
    if (!g.json)
      std::printf("epsilon = %.6g at delta = %g (best order %g; q = %g, z = %g, %zu steps)\n",
                  e.epsilon, f.delta, e.order, *f.q, *f.z, f.steps);
  } else {
    if (f.rounds < 1 || !(f.n > 0)) throw Error("dp-account: give --rounds and --n");
    if (f.sigma && f.epsilon)
      throw Error(
          "dp-account: give --sigma (prints epsilon) or --epsilon (prints sigma), not both");
    const bool diff2 = f.method == "diff2";
    // Central noise: one release of the average over P workers, sensitivity 1/(n P) of a record.
    const bool central = f.noise_model == "central";
    const double n = central ? f.n * f.workers : f.n;
    if (f.method != "dpgd" && !diff2) throw Error("dp-account: --method must be dpgd or diff2");
    const std::size_t r1 = diff2 ? restart_round_count(f.rounds, f.restart) : f.rounds;
    const std::size_t r2 = f.rounds - r1;
    PrivacyBudget b;
    b.delta = f.delta;
    b.adjacency = adj;
    j = {{"method", f.method},
         {"rounds", f.rounds},
         {"n", f.n},
         {"noise_model", f.noise_model},
         {"workers", f.workers},
         {"privacy_n", n},
         {"delta", f.delta},
         {"adjacency", f.adjacency}};
    if (f.sigma) {
      if (diff2 && r2 > 0 && !f.sigma2) throw Error("dp-account: diff2 needs --sigma2 too");
      const Spent tight = spent(b, n, r1, *f.sigma, r2, f.sigma2.value_or(0));
      b.conversion = Conversion::classic;
      const Spent classic = spent(b, n, r1, *f.sigma, r2, f.sigma2.value_or(0));
      j["rho"] = tight.rho;
      j["epsilon"] = tight.epsilon;
      j["epsilon_classic"] = classic.epsilon;
      if (!g.json)
        std::printf("epsilon = %.6g (tight; classic %.6g) at delta = %g, rho = %.6g zCDP\n",
                    tight.epsilon, classic.epsilon, f.delta, tight.rho);
    } else if (f.epsilon) {
      b.epsilon = *f.epsilon;
      if (diff2) {
        const Diff2Noise nz = calibrate_diff2(b, n, f.rounds, f.restart, f.split);
        j["epsilon"] = b.epsilon;
        j["rho"] = nz.rho;
        j["sigma1"] = nz.sigma1;
        j["sigma2"] = nz.sigma2;
        j["restart_rounds"] = nz.restart_rounds;
        j["difference_rounds"] = nz.difference_rounds;
        if (!g.json)
          std::printf(
              "sigma1 = %.6g (%zu restart rounds), sigma2 = %.6g (%zu difference "
              "rounds); rho* = %.6g\n",
              nz.sigma1, nz.restart_rounds, nz.sigma2, nz.difference_rounds, nz.rho);
      } else {
        const double sigma = calibrate_dpgd_sigma(b, n, f.rounds);
        j["epsilon"] = b.epsilon;
        j["rho"] = rho_of_epsilon(b.epsilon, b.delta);
        j["sigma"] = sigma;
        j["z"] = sensitivity_multiplier(sigma, n, adj);
        if (!g.json)
          std::printf(
              "sigma = %.6g (noise std sigma*C %s; sensitivity multiplier z = %.6g); rho* = %.6g\n",
              sigma, central ? "once in the average" : "per worker",
              sensitivity_multiplier(sigma, n, adj), j["rho"].get<double>());
      }
    } else {
      throw Error("dp-account: give --sigma (to get epsilon) or --epsilon (to get sigma)");
    }
  }
  if (g.json) print_json(j);
  return 0;
}

const CommandRegistrar train_registrar("dp-train", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<TrainFlags>();
  auto* cmd = app.add_subcommand(
      "dp-train", "Differentially private training (DP-GD, DIFF2) over P workers; MPI-aware");
  cmd->add_option("--data", f->data,
                  "synthetic[:in=,hidden=,n=2000,test=2000,noise=0.1,seed=1], a data set name, "
                  "or a .csv/.npy file (last column = target)")
      ->capture_default_str();
  cmd->add_option("--model", f->model, "mlp:IN-H-1")->capture_default_str();
  add_method_flag(cmd, f->method, privacy::methods());
  const OptionFlagAdder option{cmd, f->options, registry_docs(privacy::methods())};
  option("--epsilon", "epsilon", "Target epsilon");
  option("--delta", "delta", "Target delta");
  option("--adjacency", "adjacency", "replace-one or add-remove");
  option("--conversion", "conversion", "tight or classic RDP -> (eps, delta)");
  option("--rounds", "rounds", "Rounds R");
  cmd->add_option("--workers", f->workers, "Workers P (= ranks under mpirun, or simulated)")
      ->capture_default_str();
  option("--step", "step_size", "Step eta");
  option("--clip", "clip", "Per-sample clip C1");
  option("--clip-diff", "clip_diff", "DIFF2: difference clip C2");
  option("--restart", "restart", "DIFF2: restart period T");
  option("--budget-split", "budget_split", "DIFF2: share of rho* for restarts");
  option("--sigma", "sigma", "Noise multiplier (DIFF2: sigma1) instead of --epsilon");
  option("--sigma2", "noise_multiplier2", "DIFF2: sigma2 with --sigma");
  option("--guard", "guard", "DIFF2 stability guard: refuse, warn, cap or off");
  option("--eval-every", "eval_every", "Diagnostics every k rounds (not covered by epsilon)");
  option("--output-iterate", "output", "last or uniform");
  option("--noise-model", "noise_model",
         "local (every worker adds its noise) or central (the server adds it once to the "
         "average; calibrated with n P records)");
  add_set_flag(cmd, f->options, "privacy");
  cmd->add_option("--test-fraction", f->test_fraction, "Files: held-out fraction")
      ->capture_default_str();
  cmd->add_flag("--standardize", f->standardize,
                "Files: standardise features and centre the target with the training rows' "
                "statistics (not covered by epsilon)");
  cmd->add_option("--mpi", f->mpi, "auto (MPI when started by mpirun), serial or mpi")
      ->check(CLI::IsMember({"auto", "serial", "mpi"}))
      ->capture_default_str();
  cmd->add_option("--params", f->params_out, "Write the output parameters to this .npy");
  cmd->add_option("--history", f->history_out, "Write the evaluated rounds to this .csv");
  cmd->add_option("--out", f->summary_out, "Write the summary (with the epsilon spent) as JSON");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_dp_train(*f, g); }};
});

const CommandRegistrar account_registrar("dp-account", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<AccountFlags>();
  auto* cmd = app.add_subcommand(
      "dp-account", "Privacy accounting: epsilon from sigma, or sigma from epsilon (RDP/zCDP)");
  cmd->add_option("--sigma", f->sigma, "Noise multiplier (DIFF2: sigma1) -> prints epsilon");
  cmd->add_option("--sigma2", f->sigma2, "DIFF2: sigma2");
  cmd->add_option("--epsilon", f->epsilon, "Target epsilon -> prints sigma");
  cmd->add_option("--delta", f->delta, "delta")->capture_default_str();
  cmd->add_option("--rounds", f->rounds, "Rounds R");
  cmd->add_option("--n", f->n, "Records per worker");
  cmd->add_option("--workers", f->workers, "Workers P (with --noise-model central)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--noise-model", f->noise_model,
                  "local (each worker adds noise) or central (the server adds it once to the "
                  "average of P workers: the accountant sees n P records)")
      ->check(CLI::IsMember({"local", "central"}))
      ->capture_default_str();
  cmd->add_option("--method", f->method, "dpgd or diff2")->capture_default_str();
  cmd->add_option("--restart", f->restart, "DIFF2: restart period T")->capture_default_str();
  cmd->add_option("--budget-split", f->split, "DIFF2: share of rho* for restarts")
      ->capture_default_str();
  cmd->add_option("--adjacency", f->adjacency, "replace-one or add-remove")
      ->check(CLI::IsMember({"replace-one", "add-remove"}))
      ->capture_default_str();
  cmd->add_option("--q", f->q, "Subsampled Gaussian: sampling rate");
  cmd->add_option("--z", f->z, "Subsampled Gaussian: std / sensitivity");
  cmd->add_option("--steps", f->steps, "Subsampled Gaussian: steps");
  return Command{cmd, [f, &g] { return run_dp_account(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
