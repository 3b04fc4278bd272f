// GBNN model files: everything `descent boost predict` needs to score a user's table the way the
// model was fitted (feature names and order, standardisation, class labels), as one JSON file.
//
// {"format": "descent-gbnn", "version": 1, "task": "multiclass", "class_values": [...],
//  "target": "species", "features": ["a", ...], "inputs": 4,
//  "standardize": {"mean": [...], "scale": [...]} | null, "options": {...},
//  "initial": [...], "rounds": [{"rho": r, "w1": [[...]], "b1": [...], "w2": [[...]],
//  "b2": [...]}, ...], "activation": "logistic", "train_loss": [...]}
// Matrices are lists of rows; numbers are written with 17 significant digits (exact round trip).
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "descent/boost/gbnn.hpp"

namespace descent::boost {

struct BoostModel {
  Gbnn gbnn;
  GbnnOptions options;                     ///< what it was fitted with
  std::vector<std::string> feature_names;  ///< empty when the table had no header
  std::string target_name;
  std::vector<double> class_values;  ///< the file's label of each class index
  Eigen::RowVectorXd feature_mean;   ///< standardisation (x − mean) / scale; empty = none
  Eigen::RowVectorXd feature_scale;
  std::string data_source;  ///< what it was fitted on (for the user's records)

  /// The model's input: x standardised when the model was fitted on standardised features.
  Eigen::MatrixXd prepare(const Eigen::MatrixXd& x) const;
  /// The label of a class index (the index itself when class_values is empty).
  double label_of(double class_index) const;
};

/// Writes the model atomically as JSON.
void save_model(const std::string& path, const BoostModel& model);
/// Reads a model written by save_model. Throws descent::InputError naming the file and the
/// field for a file that is not a GBNN model or has inconsistent shapes.
BoostModel load_model(const std::string& path);

/// A one-hidden-layer network as JSON ({"format": "descent-mlp", "activation", "w1", "b1",
/// "w2", "b2", "output"}), e.g. Gbnn::to_network(); `output` says what the output means.
nlohmann::json network_to_json(const Mlp& net, const std::string& output);
Mlp network_from_json(const nlohmann::json& j, const std::string& file);

}  // namespace descent::boost
