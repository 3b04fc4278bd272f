// A user's program built against an installed descent.
#include <descent/core/gradient_descent.hpp>
#include <descent/io/json.hpp>

#include <iostream>

int main() {
  auto f = descent::make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  descent::GradientDescentOptions options;
  options.step_size = 1e-3;
  options.momentum = 0.9;
  options.max_iterations = 100000;
  const descent::Summary s = descent::minimize_gradient_descent(*f, x, options);
  std::cout << descent::io::to_json(s)["status"].get<std::string>() << '\n';
  return s.converged() ? 0 : 1;
}
