#include "descent/core/model_spec.hpp"

#include <charconv>

#include "descent/core/error.hpp"

namespace descent {

bool is_mlp_spec(std::string_view spec) noexcept {
  return spec.substr(0, 4) == "mlp:";
}

std::string MlpSpec::to_string() const {
  std::string out = "mlp:";
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) out += '-';
    out += std::to_string(widths[i]);
  }
  out += ',';
  out += activation;
  return out;
}

MlpSpec read_mlp_spec(std::string_view spec, const Activations& activations) {
  const std::string shown(spec);
  if (!is_mlp_spec(spec))
    throw InvalidOption("model", "'" + shown + "' is not an MLP spec (mlp:H1-H2-...[,ACT])");
  std::string_view rest = spec.substr(4);
  MlpSpec out;
  out.activation = activations.empty() ? "relu" : activations.front();
  if (const auto comma = rest.find(','); comma != std::string_view::npos) {
    out.activation = std::string(rest.substr(comma + 1));
    rest = rest.substr(0, comma);
    bool known = false;
    std::string names;
    for (const std::string& a : activations) {
      known = known || a == out.activation;
      names += (names.empty() ? "" : " or ") + a;
    }
    if (!known)
      throw InvalidOption("model", "'" + shown + "': unknown activation '" + out.activation +
                                       "' (this model takes " + names + ")");
  }
  while (true) {
    const std::size_t dash = rest.find('-');
    const std::string_view item = rest.substr(0, dash);
    long long v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v <= 0)
      throw InvalidOption("model", "'" + shown + "': layer width '" + std::string(item) +
                                       "' is not a positive integer");
    out.widths.push_back(v);
    if (dash == std::string_view::npos) break;
    rest = rest.substr(dash + 1);
  }
  return out;
}

MlpSpec parse_mlp_spec(std::string_view spec, long long inputs, long long outputs,
                       const Activations& activations) {
  MlpSpec out = read_mlp_spec(spec, activations);
  std::vector<long long>& sizes = out.widths;
  // Full form when the ends match the data; otherwise hidden widths only.
  const bool full = sizes.size() >= 2 && sizes.front() == inputs && sizes.back() == outputs;
  if (!full) {
    if (sizes.size() >= 2 && (sizes.front() == inputs || sizes.back() == outputs))
      throw InvalidOption("model", "'" + std::string(spec) + "' must start with the input width " +
                                       std::to_string(inputs) + " and end with the output width " +
                                       std::to_string(outputs) +
                                       " (or list the hidden widths only)");
    sizes.insert(sizes.begin(), inputs);
    sizes.push_back(outputs);
  }
  return out;
}

}  // namespace descent
