// LibTorch front end of implicit differentiation (Blondel et al., NeurIPS 2022; jaxopt's
// custom_root): x*(θ) returned by any solver becomes a differentiable function of θ.
//
//   TorchCustomRoot root(solver, F);          // solver(θ) -> x*, F(x, θ) -> residual
//   torch::Tensor x = root(theta);            // theta.requires_grad() => x is in the graph
//   loss(x).backward();                       // theta.grad() = wᵀ ∂x*(θ)
//
// The backward pass solves (∂₁F)ᵀ u = −∂loss/∂x matrix-free with the Eigen solvers of
// descent::implicit (VJPs of F by autograd; the JVPs that normal CG needs by the double-VJP
// trick, since LibTorch 1.13's C++ API has no forward mode), then returns uᵀ ∂₂F. The solver
// itself runs without autograd and its input x0 gets no gradient. First-order only: the backward
// pass is not itself differentiable (jaxopt issue #141).
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>

#include "descent/implicit/linear_solve.hpp"

namespace descent::implicit_torch {

using SolverFn = std::function<torch::Tensor(const torch::Tensor& theta)>;
using OptimalityFn =
    std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& theta)>;

class TorchCustomRoot {
 public:
  /// Throws descent::Error if solver or F is empty, InvalidOption for bad solve options.
  TorchCustomRoot(SolverFn solver, OptimalityFn optimality,
                  implicit::LinearSolveOptions options = {});
  /// x*(θ). θ and x may have any shape; computations in the backward pass use float64.
  torch::Tensor operator()(const torch::Tensor& theta) const;
  /// The adjoint solve of the most recent backward pass (status, residual, CG flag).
  implicit::LinearSolveResult last_solve() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace descent::implicit_torch
