#include "descent/evo/distributed.hpp"

#include <span>
#include <vector>

#include "descent/core/error.hpp"

namespace descent::evo {

Problem distributed(const Problem& problem, dist::Communicator& comm) {
  if (comm.size() == 1) return problem;
  Problem out = problem;
  const auto inner = problem.evaluate;
  const Eigen::Index m = problem.objectives;
  dist::Communicator* c = &comm;
  out.evaluate = [inner, m, c](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) {
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const int ranks = c->size();
    const Eigen::Index n = X.rows();
    auto first = [&](int q) { return n * q / ranks; };  // contiguous blocks, row order
    const Eigen::Index a = first(c->rank()), b = first(c->rank() + 1);
    RowMajor local(b - a, m);
    if (b > a) {
      Eigen::MatrixXd block(b - a, m);
      inner(X.middleRows(a, b - a), block);
      if (block.rows() != b - a || block.cols() != m)
        throw Error("evaluate wrote a " + std::to_string(block.rows()) + " x " +
                    std::to_string(block.cols()) + " matrix for " + std::to_string(b - a) +
                    " points and " + std::to_string(m) + " objectives");
      local = block;
    }
    std::vector<int> counts(static_cast<std::size_t>(ranks));
    for (int q = 0; q < ranks; ++q)
      counts[static_cast<std::size_t>(q)] = static_cast<int>((first(q + 1) - first(q)) * m);
    RowMajor all(n, m);
    c->gather(std::span<const double>(local.data(), static_cast<std::size_t>(local.size())),
              std::span<double>(all.data(), static_cast<std::size_t>(all.size())), counts);
    c->broadcast(std::span<double>(all.data(), static_cast<std::size_t>(all.size())));
    F = all;
  };
  return out;
}

}  // namespace descent::evo
