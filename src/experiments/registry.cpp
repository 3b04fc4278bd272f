#include "descent/experiments/registry.hpp"

#include <algorithm>
#include <map>

#include "descent/core/error.hpp"

namespace descent::experiments {

namespace {
std::map<std::string, ExperimentInfo>& registry() {
  static std::map<std::string, ExperimentInfo> r;  // constructed on first use: safe at static init
  return r;
}
}  // namespace

Registrar::Registrar(ExperimentInfo info) {
  if (info.id.empty() || !info.run) throw Error("experiment registered without an id or run()");
  const std::string id = info.id;
  if (!registry().emplace(id, std::move(info)).second)
    throw Error("experiment '" + id + "' registered twice");
}

std::vector<const ExperimentInfo*> all_experiments() {
  std::vector<const ExperimentInfo*> out;
  for (const auto& [id, info] : registry()) out.push_back(&info);
  return out;
}

const ExperimentInfo* find_experiment(const std::string& id) {
  auto it = registry().find(id);
  return it == registry().end() ? nullptr : &it->second;
}

}  // namespace descent::experiments
