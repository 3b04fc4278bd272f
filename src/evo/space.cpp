#include "descent/evo/space.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "descent/core/error.hpp"
#include "descent/evo/ofa.hpp"
#include "descent/io/json.hpp"

namespace descent::evo {

namespace {

using Index = Eigen::Index;

/// Why `name` cannot be a CSV column name, or "" if it can.
std::string bad_name(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.find_first_of(",\"\r\n") != std::string::npos)
    return "contains a comma, a quote or a line break (it becomes a CSV column name)";
  return "";
}

/// The line of the first `"name": "<value>"` in the file (0 if it is not found): JSON
/// semantic errors point at the variable they are about.
std::size_t line_of_name(const std::string& text, const std::string& value) {
  const std::string quoted = "\"" + value + "\"";
  for (std::size_t at = text.find(quoted); at != std::string::npos;
       at = text.find(quoted, at + 1)) {
    const std::size_t before = text.rfind(':', at);
    if (before == std::string::npos) continue;
    const std::size_t key = text.rfind("\"name\"", before);
    if (key == std::string::npos) continue;
    if (text.find_first_not_of(" \t\r\n", key + 6) != before) continue;
    if (text.find_first_not_of(" \t\r\n", before + 1) != at) continue;
    return static_cast<std::size_t>(std::count(text.begin(), text.begin() + at, '\n')) + 1;
  }
  return 0;
}

}  // namespace

SearchSpace::SearchSpace(std::vector<Variable> variables) : variables_(std::move(variables)) {
  if (variables_.empty()) throw Error("search space: no variables");
  std::set<std::string> seen;
  for (const auto& v : variables_) {
    if (const auto why = bad_name(v.name); !why.empty())
      throw Error("search space: variable name '" + v.name + "' " + why);
    if (!seen.insert(v.name).second)
      throw Error("search space: variable '" + v.name + "' is defined twice");
    if (v.choices.empty()) throw Error("search space: variable '" + v.name + "' has no choices");
    std::set<double> distinct;
    for (double c : v.choices) {
      if (!std::isfinite(c))
        throw Error("search space: variable '" + v.name + "' has a non-finite choice");
      if (!distinct.insert(c).second)
        throw Error("search space: variable '" + v.name + "' lists the choice " +
                    std::to_string(c) + " twice");
    }
  }
}

SearchSpace SearchSpace::from_json(const std::string& path) {
  const io::Json j = io::read_json(path);
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  if (!j.is_object() || !j.contains("variables") || !j["variables"].is_array())
    throw InputError(path, 1, "variables",
                     "expected an object with a \"variables\" array, e.g. {\"variables\": "
                     "[{\"name\": \"depth\", \"count\": 5, \"choices\": [2, 3, 4]}]}");
  const auto& list = j["variables"];
  if (list.empty()) throw InputError(path, 1, "variables", "the list of variables is empty");
  std::vector<Variable> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "variables[" + std::to_string(i) + "]";
    const auto& v = list[i];
    if (!v.is_object() || !v.contains("name") || !v["name"].is_string())
      throw InputError(path, 0, where + ".name", "each variable needs a \"name\" string");
    const std::string name = v["name"].get<std::string>();
    const std::size_t line = line_of_name(text, name);
    for (const auto& [key, value] : v.items())
      if (key != "name" && key != "choices" && key != "count")
        throw InputError(path, line, where + "." + key,
                         "unknown key (expected name, choices and optionally count)");
    if (const auto why = bad_name(name); !why.empty())
      throw InputError(path, line, where + ".name", "'" + name + "' " + why);
    if (!v.contains("choices") || !v["choices"].is_array())
      throw InputError(path, line, where + ".choices", "expected an array of numbers");
    const auto& cj = v["choices"];
    if (cj.empty())
      throw InputError(path, line, where + ".choices",
                       "the list of choices of '" + name + "' is empty");
    std::vector<double> choices;
    std::set<double> distinct;
    for (std::size_t c = 0; c < cj.size(); ++c) {
      if (!cj[c].is_number() || !std::isfinite(cj[c].get<double>()))
        throw InputError(path, line, where + ".choices[" + std::to_string(c) + "]",
                         "choices must be finite numbers, got " + cj[c].dump());
      const double value = cj[c].get<double>();
      if (!distinct.insert(value).second)
        throw InputError(path, line, where + ".choices[" + std::to_string(c) + "]",
                         "the choice " + cj[c].dump() + " is listed twice");
      choices.push_back(value);
    }
    std::int64_t count = 1;
    if (v.contains("count")) {
      if (!v["count"].is_number_integer() || v["count"].get<std::int64_t>() < 1 ||
          v["count"].get<std::int64_t>() > 100000)
        throw InputError(path, line, where + ".count",
                         "expected an integer from 1 to 100000, got " + v["count"].dump());
      count = v["count"].get<std::int64_t>();
    }
    for (std::int64_t k = 0; k < count; ++k) {
      const std::string n = v.contains("count") ? name + "_" + std::to_string(k) : name;
      if (!seen.insert(n).second)
        throw InputError(path, line, where + ".name", "the variable '" + n + "' is defined twice");
      out.push_back({n, choices});
    }
  }
  return SearchSpace(std::move(out));
}

std::vector<std::string> SearchSpace::names() const {
  std::vector<std::string> n;
  for (const auto& v : variables_) n.push_back(v.name);
  return n;
}

std::vector<int> SearchSpace::choice_counts() const {
  std::vector<int> c;
  for (const auto& v : variables_) c.push_back(static_cast<int>(v.choices.size()));
  return c;
}

Bounds SearchSpace::bounds() const {
  return Bounds::categorical(choice_counts());
}

Eigen::MatrixXd SearchSpace::decode(const Eigen::MatrixXd& indices) const {
  if (indices.cols() != size())
    throw Error("search space: " + std::to_string(indices.cols()) + " columns for " +
                std::to_string(size()) + " variables");
  Eigen::MatrixXd out(indices.rows(), indices.cols());
  for (Index r = 0; r < indices.rows(); ++r)
    for (Index c = 0; c < indices.cols(); ++c) {
      const auto& v = variables_[static_cast<std::size_t>(c)];
      const double x = indices(r, c);
      const auto k = static_cast<long>(std::lround(x));
      if (x != static_cast<double>(k) || k < 0 || k >= static_cast<long>(v.choices.size()))
        throw Error("search space: row " + std::to_string(r + 1) + ", variable '" + v.name +
                    "': index " + std::to_string(x) + " is not one of 0.." +
                    std::to_string(v.choices.size() - 1));
      out(r, c) = v.choices[static_cast<std::size_t>(k)];
    }
  return out;
}

Eigen::MatrixXd SearchSpace::encode(const Eigen::MatrixXd& values) const {
  if (values.cols() != size())
    throw Error("search space: " + std::to_string(values.cols()) + " columns for " +
                std::to_string(size()) + " variables");
  Eigen::MatrixXd out(values.rows(), values.cols());
  for (Index r = 0; r < values.rows(); ++r)
    for (Index c = 0; c < values.cols(); ++c) {
      const auto& v = variables_[static_cast<std::size_t>(c)];
      const auto it = std::find(v.choices.begin(), v.choices.end(), values(r, c));
      if (it == v.choices.end()) {
        std::string list;
        for (double ch : v.choices) list += (list.empty() ? "" : ", ") + io::Json(ch).dump();
        throw Error("row " + std::to_string(r + 1) + ", variable '" + v.name + "': " +
                    io::Json(values(r, c)).dump() + " is not one of its choices (" + list + ")");
      }
      out(r, c) = static_cast<double>(it - v.choices.begin());
    }
  return out;
}

SearchSpace ofa_mbv3_space() {
  std::vector<Variable> v;
  auto add = [&](const char* prefix, int count, const auto& values) {
    for (int i = 0; i < count; ++i)
      v.push_back({std::string(prefix) + "_" + std::to_string(i),
                   std::vector<double>(values.begin(), values.end())});
  };
  add("ks", 20, kOfaKernels);
  add("e", 20, kOfaExpansions);
  add("d", 5, kOfaDepths);
  return SearchSpace(std::move(v));
}

}  // namespace descent::evo
