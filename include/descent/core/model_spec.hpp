// One grammar for multilayer perceptrons, shared by every command that builds one (train,
// hessian, dp-train, sso):
//
//   mlp:H1-H2-...[,ACT]       hidden widths; the input and output widths come from the data
//   mlp:IN-H1-...-OUT[,ACT]   the full list, taken as such when IN and OUT match the data
//
// ACT is relu or tanh (train, hessian, sso; default relu) or softplus (dp-train, the DIFF2
// paper's model and its only activation). Each family builds its own network from the parsed
// widths (LibTorch for train/hessian, Eigen for dp-train and sso) and says which shapes it
// supports.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace descent {

struct MlpSpec {
  std::vector<long long> widths;  ///< input, hidden..., output
  std::string activation = "relu";

  std::size_t hidden_layers() const noexcept { return widths.size() - 2; }
  /// "mlp:IN-H...-OUT,ACT" (the full form; parse_mlp_spec reads it back).
  std::string to_string() const;
};

/// The activations a family builds, the first being its default.
using Activations = std::vector<std::string>;

/// The widths and activation as written, not resolved against data (for a command whose data
/// is generated at the spec's input width). Throws descent::InvalidOption (field "model").
MlpSpec read_mlp_spec(std::string_view spec, const Activations& activations = {"relu", "tanh"});

/// Parses `spec` for data with `inputs` features and `outputs` outputs. Throws
/// descent::InvalidOption (field "model") naming the spec and what is wrong.
MlpSpec parse_mlp_spec(std::string_view spec, long long inputs, long long outputs,
                       const Activations& activations = {"relu", "tanh"});

/// Whether `spec` is an MLP spec (starts with "mlp:").
bool is_mlp_spec(std::string_view spec) noexcept;

}  // namespace descent
