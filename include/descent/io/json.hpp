// JSON files (nlohmann::json, i.e. objects with sorted keys) and the JSON form of a Summary.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "descent/core/status.hpp"

namespace descent::io {

/// nlohmann::json (not ordered_json): object keys are written in sorted order.
using Json = nlohmann::json;

/// Parses a JSON file. Syntax errors -> descent::InputError with the line computed from the
/// byte offset (field "json"); a missing file -> descent::Error.
Json read_json(const std::string& path);

/// Writes `j` atomically with `indent` spaces (compact if negative) and a trailing newline.
/// Strings that are not valid UTF-8 -> descent::Error.
void write_json(const std::string& path, const Json& j, int indent = 2);

/// The Summary as JSON: status (descent::to_string), message, method, iterations,
/// function_evaluations, gradient_evaluations, objective, gradient_norm, seconds, counters
/// (object) and history (array of {iteration, objective, gradient_norm, step_size, seconds,
/// extras: {name: value}}). Non-finite numbers become null.
Json to_json(const descent::Summary& s);
/// Inverse of to_json (null -> NaN). Throws descent::Error for a missing or mistyped field.
descent::Summary summary_from_json(const Json& j);

}  // namespace descent::io
