// JSON files and the JSON form of a Summary.
#include "descent/io/json.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "descent/io/atomic_file.hpp"

namespace descent::io {

namespace {

Json number_or_null(double v) {
  return std::isfinite(v) ? Json(v) : Json(nullptr);
}

double number_or_nan(const Json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

}  // namespace

Json read_json(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // e.byte is the 1-based index of the last character read; count the newlines before it.
    const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const std::size_t line =
        1 + static_cast<std::size_t>(
                std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
    std::string why = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; the rest names line/column.
    if (const auto p = why.find("] ");
        why.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      why.erase(0, p + 2);
    throw InputError(path, line, "json", why);
  } catch (const Json::exception& e) {
    // Not a syntax error: e.g. out_of_range.406, a number too large for a double (found by
    // fuzzing: it escaped as an nlohmann exception).
    std::string why = e.what();
    if (const auto p = why.find("] ");
        why.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      why.erase(0, p + 2);
    throw InputError(path, 0, "json", why);
  }
}

void write_json(const std::string& path, const Json& j, int indent) {
  std::string text;
  try {
    text = j.dump(indent);
  } catch (const Json::exception& e) {
    throw Error("cannot write " + path + ": " + e.what());
  }
  text += '\n';
  write_file_atomic(path, text);
}

Json to_json(const descent::Summary& s) {
  Json j;
  j["status"] = std::string(descent::to_string(s.status));
  j["message"] = s.message;
  j["method"] = s.method;
  j["iterations"] = s.iterations;
  j["function_evaluations"] = s.function_evaluations;
  j["gradient_evaluations"] = s.gradient_evaluations;
  j["objective"] = number_or_null(s.objective);
  j["gradient_norm"] = number_or_null(s.gradient_norm);
  j["seconds"] = number_or_null(s.seconds);
  Json counters = Json::object();
  for (const auto& [name, value] : s.counters) counters[name] = number_or_null(value);
  j["counters"] = counters;
  Json history = Json::array();
  for (const HistoryRow& r : s.history) {
    Json row;
    row["iteration"] = r.iteration;
    row["objective"] = number_or_null(r.objective);
    row["gradient_norm"] = number_or_null(r.gradient_norm);
    row["step_size"] = number_or_null(r.step_size);
    row["seconds"] = number_or_null(r.seconds);
    Json extras = Json::object();
    for (const auto& [name, value] : r.extras) extras[name] = number_or_null(value);
    row["extras"] = extras;
    history.push_back(std::move(row));
  }
  j["history"] = history;
  return j;
}

descent::Summary summary_from_json(const Json& j) {
  try {
    Summary s;
    s.status = status_from_string(j.at("status").get<std::string>());
    s.message = j.at("message").get<std::string>();
    s.method = j.at("method").get<std::string>();
    s.iterations = j.at("iterations").get<std::size_t>();
    s.function_evaluations = j.at("function_evaluations").get<std::size_t>();
    s.gradient_evaluations = j.at("gradient_evaluations").get<std::size_t>();
    s.objective = number_or_nan(j.at("objective"));
    s.gradient_norm = number_or_nan(j.at("gradient_norm"));
    s.seconds = number_or_nan(j.at("seconds"));
    // value() returns a copy: keep it alive for the loop (items() only refers to it).
    const Json counters = j.value("counters", Json::object());
    for (const auto& [name, value] : counters.items()) s.counters[name] = number_or_nan(value);
    const Json history = j.value("history", Json::array());
    for (const Json& row : history) {
      HistoryRow r;
      r.iteration = row.at("iteration").get<std::size_t>();
      r.objective = number_or_nan(row.at("objective"));
      r.gradient_norm = number_or_nan(row.at("gradient_norm"));
      r.step_size = number_or_nan(row.at("step_size"));
      r.seconds = number_or_nan(row.at("seconds"));
      const Json extras = row.value("extras", Json::object());
      for (const auto& [name, value] : extras.items())
        r.extras.emplace_back(name, number_or_nan(value));
      s.history.push_back(std::move(r));
    }
    return s;
  } catch (const Json::exception& e) {
    throw Error(std::string("summary_from_json: ") + e.what());
  }
}

}  // namespace descent::io
