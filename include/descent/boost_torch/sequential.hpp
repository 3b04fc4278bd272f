// GBNN's merged network (or any boost::Mlp) as a plain LibTorch Sequential, so that a C++ user
// loads it without descent: torch::nn::Sequential s(torch::nn::Linear(IN, H), torch::nn::Sigmoid(),
// torch::nn::Linear(H, OUT)); torch::load(s, "net.pt");
#pragma once

#include <string>

#include <torch/torch.h>

#include "descent/boost/mlp.hpp"

namespace descent::boost_torch {

/// Sequential(Linear(in, hidden), activation, Linear(hidden, out)) in float32 with net's weights
/// (Sigmoid for logistic, Tanh, ReLU, Identity).
torch::nn::Sequential to_sequential(const boost::Mlp& net);

/// Writes to_sequential(net) as torch::save would, atomically (a temporary file renamed).
void save_sequential(const std::string& path, const boost::Mlp& net);

}  // namespace descent::boost_torch
