// boost::Mlp -> torch::nn::Sequential.
#include "descent/boost_torch/sequential.hpp"

#include <sstream>

#include "descent/io/atomic_file.hpp"

namespace descent::boost_torch {

namespace {

torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  // Eigen is column-major; a row-major copy lays the rows out as torch expects.
  const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> f = m.cast<float>();
  return torch::from_blob(const_cast<float*>(f.data()), {f.rows(), f.cols()}, torch::kFloat32)
      .clone();
}

torch::Tensor to_tensor(const Eigen::VectorXd& v) {
  const Eigen::VectorXf f = v.cast<float>();
  return torch::from_blob(const_cast<float*>(f.data()), {f.size()}, torch::kFloat32).clone();
}

}  // namespace

torch::nn::Sequential to_sequential(const boost::Mlp& net) {
  torch::nn::Linear first(net.inputs(), net.hidden()), second(net.hidden(), net.outputs());
  {
    torch::NoGradGuard no_grad;
    first->weight.copy_(to_tensor(net.w1));
    first->bias.copy_(to_tensor(net.b1));
    second->weight.copy_(to_tensor(net.w2));
    second->bias.copy_(to_tensor(net.b2));
  }
  torch::nn::Sequential seq;
  seq->push_back(first);
  switch (net.activation) {
    case boost::Activation::logistic:
      seq->push_back(torch::nn::Sigmoid());
      break;
    case boost::Activation::tanh:
      seq->push_back(torch::nn::Tanh());
      break;
    case boost::Activation::relu:
      seq->push_back(torch::nn::ReLU());
      break;
    case boost::Activation::identity:
      seq->push_back(torch::nn::Identity());
      break;
  }
  seq->push_back(second);
  return seq;
}

void save_sequential(const std::string& path, const boost::Mlp& net) {
  torch::nn::Sequential seq = to_sequential(net);
  torch::serialize::OutputArchive archive;
  seq->save(archive);
  std::ostringstream bytes;
  archive.save_to(bytes);
  io::write_file_atomic(path, bytes.str());
}

}  // namespace descent::boost_torch
