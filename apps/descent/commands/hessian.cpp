// `descent hessian`: curvature of a (trained) LibTorch model on a data set — λ_max by Lanczos,
// the trace by Hutchinson, the spectral density by SLQ — for the Hessian or the Gauss-Newton
// matrix of the training loss. Models and checkpoints come from descent::train.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/io/json.hpp"
#ifdef DESCENT_HAVE_TORCH
#include "descent/core/timer.hpp"
#include "descent/curvature/hutchinson.hpp"
#include "descent/curvature/lanczos.hpp"
#include "descent/curvature/slq.hpp"
#include "descent/curvature_torch/hessian.hpp"
#include "descent/experiments/runner.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/csv.hpp"
#include "descent/train/checkpoint.hpp"
#include "descent/train/data.hpp"
#include "descent/train/model.hpp"
#endif

namespace descent::cli {
namespace {

#ifdef DESCENT_HAVE_TORCH
struct HessianFlags {
  std::string data = "digits";
  std::string model;  // empty: from the checkpoint, else mlp:32
  std::string checkpoint;
  std::string what = "lambda-max";
  std::string matrix = "hessian";
  std::string dtype = "double";
  std::size_t probes = 0;         // 0: 100 for trace, 1 for density
  std::size_t lanczos_steps = 0;  // 0: 20 for lambda-max, 80 for density
  std::size_t samples = 1000;     // training samples in the loss (0 = all)
  bool standardize = false;
  std::string plot;
  double sigma = 0;  // density smoothing; 0: 1% of the spectral range
};

int run_hessian(const HessianFlags& f, const Globals& g) {
  namespace ct = curvature_torch;
  namespace F = torch::nn::functional;
  Stopwatch clock;
  if (!f.plot.empty() && f.what != "density")
    warn("--plot applies to --what density only (ignored for " + f.what + ")");
  if (!(f.sigma >= 0) || !std::isfinite(f.sigma))
    throw InvalidOption("--sigma", "must be a finite number >= 0 (0: 1% of the spectral range)");
  // The plot's CSV and gnuplot files go beside the PNG: a device or a pipe has no "beside".
  if (!f.plot.empty() && io::resolve_output(f.plot).kind != io::OutputTarget::Kind::replace)
    throw InvalidOption("--plot",
                        "needs a file path (its CSV is written beside it), not " + f.plot);
  std::string model_spec = f.model;
  if (!f.checkpoint.empty()) {
    const train::CheckpointMeta meta = train::read_checkpoint_meta(f.checkpoint);
    if (model_spec.empty()) model_spec = meta.model;
  }
  if (model_spec.empty()) model_spec = "mlp:32";
  train::SplitOptions so;
  so.train_limit = f.samples;
  so.seed = g.seed;
  so.standardize = f.standardize;
  const train::DataSplit split = train::load_split(f.data, so);
  torch::manual_seed(g.seed);
  auto model = train::make_model(model_spec, split.train.shape, split.train.classes);
  if (!f.checkpoint.empty()) train::load_checkpoint(f.checkpoint, *model, nullptr);
  const auto dtype = f.dtype == "float" ? torch::kFloat : torch::kDouble;
  model->to(dtype);
  model->eval();  // fixed behaviour of any dropout / batch-norm layer while measuring
  const torch::Tensor x = split.train.x.to(dtype), y = split.train.y;
  const auto params = model->parameters();

  std::optional<ct::HessianOperator> hess;
  std::optional<ct::GaussNewtonOperator> ggn;
  curvature::SymmetricOperator op;
  if (f.matrix == "hessian") {
    hess.emplace([&] { return F::cross_entropy(model->forward(x), y); }, params);
    op = hess->op();
  } else {
    ggn.emplace([&] { return model->forward(x); },
                [&](const torch::Tensor& z) { return F::cross_entropy(z, y); }, params);
    op = ggn->op();
  }

  nlohmann::json j = {{"data", f.data},  {"model", model_spec},  {"matrix", f.matrix},
                      {"what", f.what},  {"samples", x.size(0)}, {"parameters", op.dim},
                      {"dtype", f.dtype}};
  if (!f.checkpoint.empty()) j["checkpoint"] = f.checkpoint;
  int rc = 0;
  if (f.what == "lambda-max") {
    curvature::LanczosOptions lo;
    lo.steps = f.lanczos_steps ? f.lanczos_steps : 20;
    lo.seed = g.seed;
    const auto r = curvature::lanczos(op, lo);
    rc = exit_code(r.status, Goal::solve);
    j["status"] = std::string(to_string(r.status));
    j["lambda_max"] = r.lambda_max();
    j["lambda_min"] = r.lambda_min();
    j["lanczos_steps"] = r.steps;
    j["residual_lambda_max"] = r.residuals.size() ? r.residuals(r.residuals.size() - 1) : 0.0;
    std::vector<double> top;
    for (Eigen::Index i = r.ritz_values.size() - 1; i >= 0 && top.size() < 5; --i)
      top.push_back(r.ritz_values(i));
    j["top_ritz_values"] = top;
  } else if (f.what == "trace") {
    curvature::HutchinsonOptions ho;
    ho.max_probes = f.probes ? f.probes : 100;
    ho.min_probes = std::min<std::size_t>(10, ho.max_probes);
    ho.seed = g.seed;
    const auto t = curvature::hutchinson(op, ho);
    rc = exit_code(t.status, Goal::budget);
    j["status"] = std::string(to_string(t.status));
    j["trace"] = t.trace;
    j["standard_error"] = t.standard_error;
    j["probes"] = t.probes;
  } else {
    curvature::SlqOptions so2;
    so2.steps = f.lanczos_steps ? f.lanczos_steps : 80;
    so2.probes = f.probes ? f.probes : 1;
    so2.seed = g.seed;
    const auto d = curvature::slq(op, so2);
    rc = exit_code(d.status, Goal::solve);
    j["status"] = std::string(to_string(d.status));
    j["nodes"] = std::vector<double>(d.nodes.data(), d.nodes.data() + d.nodes.size());
    j["weights"] = std::vector<double>(d.weights.data(), d.weights.data() + d.weights.size());
    j["trace_estimate"] = d.trace();
    if (!f.plot.empty() && rc == 0) {
      const double range = d.nodes.maxCoeff() - d.nodes.minCoeff();
      const double sigma =
          f.sigma > 0 ? f.sigma : std::max(1e-3 * std::abs(d.nodes.maxCoeff()), 0.01 * range);
      const Eigen::VectorXd grid = d.default_grid(sigma, 600);
      const Eigen::VectorXd rho = d.smoothed(grid, sigma);
      // Log scale shows the bulk and the outliers together; floor avoids log(0).
      Eigen::MatrixXd table(grid.size(), 2);
      table.col(0) = grid;
      table.col(1) = rho.cwiseMax(1e-12);
      namespace fs = std::filesystem;
      const fs::path png = fs::absolute(f.plot);
      const fs::path csv = png.parent_path() / (png.stem().string() + ".csv");
      io::write_csv(csv.string(), table, {"eigenvalue", "density"});
      experiments::Plot p{
          .file = png.filename().string(),
          .title = f.matrix + " spectral density (SLQ), " + model_spec + " on " + f.data,
          .xlabel = "eigenvalue",
          .ylabel = "density",
          .logy = true,
          .series = {{csv.filename().string(), "eigenvalue", "density", "SLQ"}}};
      std::string why;
      if (experiments::render_plot(png.parent_path().string(), p, &why))
        j["plot"] = png.string();
      else
        std::cerr << "descent: warning: plot not rendered (" << why << "); data in " << csv << "\n";
      j["plot_data"] = csv.string();
      j["sigma"] = sigma;
    }
  }
  j["seconds"] = clock.seconds();
  if (g.json) {
    print_json(j);
  } else {
    std::cout << f.matrix << " of the cross-entropy loss: " << model_spec << " on " << f.data
              << " (" << x.size(0) << " samples, " << op.dim << " parameters)\n";
    if (f.what == "lambda-max")
      std::cout << "  lambda_max " << j["lambda_max"].get<double>() << "  (lambda_min "
                << j["lambda_min"].get<double>() << ", " << j["lanczos_steps"] << " Lanczos steps, "
                << "residual " << j["residual_lambda_max"].get<double>() << ")\n";
    else if (f.what == "trace")
      std::cout << "  trace " << j["trace"].get<double>() << " +- "
                << j["standard_error"].get<double>() << " (" << j["probes"] << " probes)\n";
    else {
      // Nodes come per probe, so the spectrum's range is their min and max, not first and last.
      const auto nodes = j["nodes"].get<std::vector<double>>();
      const auto [lo, hi] = std::minmax_element(nodes.begin(), nodes.end());
      std::cout << "  SLQ: " << nodes.size() << " nodes, range [" << (nodes.empty() ? 0.0 : *lo)
                << ", " << (nodes.empty() ? 0.0 : *hi) << "], trace estimate "
                << j["trace_estimate"].get<double>()
                << (j.contains("plot") ? "\n  plot " + j["plot"].get<std::string>() : "") << "\n";
    }
    std::cout << "  status " << j["status"].get<std::string>() << ", " << j["seconds"].get<double>()
              << " s\n";
  }
  return rc;
}
#endif

const CommandRegistrar registrar("hessian", [](CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "hessian", "Curvature of a network's loss: lambda_max, trace or spectral density (LibTorch)");
#ifdef DESCENT_HAVE_TORCH
  auto f = std::make_shared<HessianFlags>();
  cmd->add_option("--data", f->data, "digits, mnist-10k, fashion-mnist, iris, wine, breast-cancer")
      ->capture_default_str();
  cmd->add_option("--model", f->model,
                  "mlp:784-128-10, mlp:HIDDEN-..., linear or cnn-small (default: the "
                  "checkpoint's, else mlp:32)");
  cmd->add_option("--checkpoint", f->checkpoint, "checkpoint.pt written by `descent train`")
      ->check(CLI::ExistingFile);
  cmd->add_option("--what", f->what, "lambda-max | trace | density")
      ->check(CLI::IsMember({"lambda-max", "trace", "density"}))
      ->capture_default_str();
  cmd->add_option("--matrix", f->matrix, "hessian | ggn (Gauss-Newton = Fisher for softmax CE)")
      ->check(CLI::IsMember({"hessian", "ggn"}))
      ->capture_default_str();
  cmd->add_option("--probes", f->probes,
                  "Hutchinson probes (trace, default 100) or SLQ probes (density, default 1)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--lanczos-steps", f->lanczos_steps, "Lanczos steps (default 20; density 80)")
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--samples", f->samples, "Training samples in the loss (0 = all)")
      ->capture_default_str();
  cmd->add_option("--dtype", f->dtype, "double | float")
      ->check(CLI::IsMember({"double", "float"}))
      ->capture_default_str();
  cmd->add_flag("--standardize", f->standardize, "z-score the features (tabular sets)");
  cmd->add_option("--plot", f->plot, "density: write this PNG (and its CSV beside it)");
  cmd->add_option("--sigma", f->sigma, "density smoothing width (default: 1% of the range)")
      ->check(CLI::NonNegativeNumber);
  return Command{cmd, [f, &g] { return run_hessian(*f, g); }};
#else
  (void)g;
  return needs_torch(cmd);
#endif
});

}  // namespace
}  // namespace descent::cli
