// `descent data`: which offline data sets are installed, and their shapes.
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/data/datasets.hpp"

namespace descent::cli {
namespace {

int run_data(const std::string& name, const Globals& g) {
  nlohmann::json rows = nlohmann::json::array();
  const std::vector<std::string> names =
      name.empty() ? data::dataset_names() : std::vector<std::string>{name};
  for (const auto& n : names) {
    nlohmann::json row = {{"name", n}};
    try {
      const data::Dataset d = data::load(n);
      row["available"] = true;
      row["samples"] = d.size();
      row["features"] = d.dimension();
      row["classes"] = d.classes;
      row["source"] = d.source;
    } catch (const InputError&) {
      throw;  // a corrupt file is an error, not "unavailable"
    } catch (const Error& e) {
      if (!name.empty()) throw;
      row["available"] = false;
      row["error"] = e.what();
    }
    rows.push_back(row);
  }
  if (g.json) {
    print_json(rows);
    return 0;
  }
  for (const auto& r : rows) {
    if (r["available"].get<bool>())
      std::cout << r["name"].get<std::string>() << ": " << r["samples"] << " x " << r["features"]
                << (r["classes"].get<int>() > 0
                        ? ", " + std::to_string(r["classes"].get<int>()) + " classes"
                        : std::string(", regression"))
                << "  (" << r["source"].get<std::string>() << ")\n";
    else
      std::cout << r["name"].get<std::string>()
                << ": not installed: " << r["error"].get<std::string>() << "\n";
  }
  return 0;
}

const CommandRegistrar registrar("data", [](CLI::App& app, Globals& g) {
  auto name = std::make_shared<std::string>();
  auto* cmd =
      app.add_subcommand("data", "Show the offline data sets and whether they are installed");
  cmd->add_option("name", *name, "One data set (default: all)");
  return Command{cmd, [name, &g] { return run_data(*name, g); }};
});

}  // namespace
}  // namespace descent::cli
