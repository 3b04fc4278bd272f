#include "descent/evo_torch/digits_problem.hpp"

#include <memory>

#include "descent/core/error.hpp"
#include "descent/evo_torch/elastic_cnn.hpp"

namespace descent::evo_torch {

DigitsProblem digits_elastic_problem(const std::vector<std::string>& objectives,
                                     const DigitsProblemOptions& o) {
  for (const auto& name : objectives)
    if (name != "accuracy" && name != "error" && name != "latency" && name != "macs")
      throw InvalidOption("objectives",
                          "digits-elastic has accuracy, error, latency and macs, "
                          "not '" +
                              name + "'");
  SupernetOptions so;
  so.steps = o.steps;
  so.seed = o.seed;
  auto net = std::make_shared<DigitsSupernet>(so, o.checkpoint);
  DigitsProblem p;
  p.space = digits_elastic_space();
  p.train_seconds = net->train_seconds();
  p.problem.bounds = p.space.bounds();
  p.problem.objectives = static_cast<Eigen::Index>(objectives.size());
  p.problem.evaluate = [net, objectives](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) {
    net->evaluate(X, F, objectives);
  };
  p.measure = [net](const Eigen::MatrixXd& X, Eigen::MatrixXd& F,
                    const std::vector<std::string>& names) { net->evaluate(X, F, names); };
  return p;
}

}  // namespace descent::evo_torch
