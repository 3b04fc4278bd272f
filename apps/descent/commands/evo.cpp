// `descent hv`: the exact hypervolume of a user's front (2 or 3 minimised objectives).
#include <algorithm>
#include <cmath>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/evo/hypervolume.hpp"
#include "descent/evo/pareto.hpp"
#include "descent/io/csv.hpp"
#include "evo_flags.hpp"

namespace descent::cli {
namespace {

struct HvFlags {
  std::string front, ref, columns, maximize;
};

Eigen::Index column_of(const io::CsvTable& t, const std::string& name, const std::string& file) {
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    if (t.columns[c] == name) return static_cast<Eigen::Index>(c);
  throw InputError(
      file, 1, name,
      "no such column (the header has " + std::to_string(t.columns.size()) + " columns)");
}

int run_hv(const HvFlags& f, const Globals& g) {
  const io::CsvTable t = io::read_csv(f.front);
  std::vector<Eigen::Index> cols;
  std::vector<std::string> names;
  if (f.columns.empty()) {
    for (Eigen::Index c = 0; c < t.values.cols(); ++c) {
      cols.push_back(c);
      names.push_back(t.columns.empty() ? "column " + std::to_string(c + 1)
                                        : t.columns[static_cast<std::size_t>(c)]);
    }
  } else {
    if (t.columns.empty())
      throw InvalidOption("columns", "names columns, but " + f.front + " has no header row");
    for (const auto& n : split_names(f.columns, "columns")) {
      cols.push_back(column_of(t, n, f.front));
      names.push_back(n);
    }
  }
  if (cols.size() != 2 && cols.size() != 3)
    throw InvalidOption("columns", "the exact hypervolume takes 2 or 3 objectives, got " +
                                       std::to_string(cols.size()) +
                                       " (choose them with --columns, which needs a header row)");
  Eigen::MatrixXd F(t.values.rows(), static_cast<Eigen::Index>(cols.size()));
  for (std::size_t k = 0; k < cols.size(); ++k)
    F.col(static_cast<Eigen::Index>(k)) = t.values.col(cols[k]);
  for (const auto& n : split_names(f.maximize, "maximize")) {
    const auto it = std::find(names.begin(), names.end(), n);
    if (it == names.end())
      throw InvalidOption("maximize", "'" + n + "' is not one of the objective columns");
    F.col(it - names.begin()) *= -1.0;
  }
  const Eigen::VectorXd ref = parse_numbers(f.ref, "ref");
  if (ref.size() != F.cols())
    throw InvalidOption("ref", "has " + std::to_string(ref.size()) + " coordinates for " +
                                   std::to_string(F.cols()) + " objectives");
  for (Eigen::Index r = 0; r < F.rows(); ++r)
    for (Eigen::Index k = 0; k < F.cols(); ++k)
      if (!(F(r, k) < ref(k)))
        throw InputError(f.front, t.lines[static_cast<std::size_t>(r)],
                         names[static_cast<std::size_t>(k)],
                         "the reference point must be worse than every point in every "
                         "(minimised) objective, but " +
                             std::to_string(F(r, k)) + " >= " + std::to_string(ref(k)));
  const double hv = evo::hypervolume(F, ref);
  const auto front = evo::pareto_front(F);
  if (g.json) {
    print_json({{"hypervolume", hv},
                {"points", F.rows()},
                {"non_dominated", front.size()},
                {"objectives", names}});
  } else {
    std::cout << "hypervolume " << hv << " (" << F.rows() << " points, " << front.size()
              << " non-dominated)\n";
  }
  return 0;
}

const CommandRegistrar registrar("hv", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<HvFlags>();
  auto* cmd = app.add_subcommand(
      "hv", "Exact hypervolume of a front (2 or 3 minimised objectives) in a CSV file");
  cmd->add_option("--front", f->front, "CSV of points, one per row (a header names the columns)")
      ->required();
  cmd->add_option("--ref", f->ref, "Reference point, comma-separated, worse than every point")
      ->required();
  cmd->add_option("--columns", f->columns, "The objective columns by name (default: all)");
  cmd->add_option("--maximize", f->maximize,
                  "Columns to maximise (negated; give their --ref coordinate negated too)");
  cmd->footer(
      "Example: descent hv --front front.csv --columns latency,accuracy --maximize accuracy "
      "--ref 120,-72\nExit status: 0, or 2 for a malformed file, a non-finite value or a "
      "reference point that some point does not dominate.");
  return Command{cmd, [f, &g] { return run_hv(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
