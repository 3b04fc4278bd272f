#include "descent/optim/synthetic.hpp"

#include <cmath>
#include <functional>

namespace descent::optim {
namespace {

using Eigen::VectorXd;

class Scalar1D final : public TestProblem {
 public:
  Scalar1D(std::string name, std::function<double(double)> f, std::function<double(double)> df,
           double xstar)
      : name_(std::move(name)), f_(std::move(f)), df_(std::move(df)), xstar_(xstar) {}
  std::string name() const override { return name_; }
  Eigen::Index dimension() const override { return 1; }
  double value(const VectorXd& x) const override { return f_(x[0]); }
  void gradient(const VectorXd& x, VectorXd& g) const override {
    g.resize(1);
    g[0] = df_(x[0]);
  }
  VectorXd initial_point() const override { return VectorXd::Constant(1, -1.0); }
  VectorXd optimum() const override { return VectorXd::Constant(1, xstar_); }
  double optimal_value() const override { return f_(xstar_); }

 private:
  std::string name_;
  std::function<double(double)> f_, df_;
  double xstar_;
};

double f2(double x) {
  return x <= -0.9 ? -40 * x - 35.15 : x * x * x + x * std::sin(8 * x) + 0.85;
}
double df2(double x) {
  return x <= -0.9 ? -40.0 : 3 * x * x + std::sin(8 * x) + 8 * x * std::cos(8 * x);
}

// The global minimiser of F2 near -0.643, polished by Newton's method on F2'.
double f2_argmin() {
  double x = -0.643;
  for (int i = 0; i < 50; ++i) {
    const double h = 6 * x + 16 * std::cos(8 * x) - 64 * x * std::sin(8 * x);
    x -= df2(x) / h;
  }
  return x;
}

}  // namespace

std::unique_ptr<TestProblem> make_diffgrad_f1() {
  return std::make_unique<Scalar1D>(
      "f1", [](double x) { return x <= 0 ? (x + 0.3) * (x + 0.3) : (x - 0.2) * (x - 0.2) + 0.05; },
      [](double x) { return x <= 0 ? 2 * (x + 0.3) : 2 * (x - 0.2); }, -0.3);
}

std::unique_ptr<TestProblem> make_diffgrad_f2(bool notebook_gradient) {
  if (!notebook_gradient) return std::make_unique<Scalar1D>("f2", f2, df2, f2_argmin());
  return std::make_unique<Scalar1D>(
      "f2-notebook", f2,
      [](double x) {
        return x <= -0.9 ? -40.0 : x * std::cos(8 * x) + std::sin(8 * x) + 3 * x * x;
      },
      f2_argmin());
}

std::unique_ptr<TestProblem> make_diffgrad_f3() {
  return std::make_unique<Scalar1D>(
      "f3",
      [](double x) {
        if (x <= -0.5) return x * x;
        if (x <= -0.4) return 0.75 + x;
        if (x <= 0) return -7 * x / 8;
        if (x <= 0.4) return 7 * x / 8;
        if (x <= 0.5) return 0.75 - x;
        return x * x;
      },
      [](double x) {
        if (x <= -0.5) return 2 * x;
        if (x <= -0.4) return 1.0;
        if (x <= 0) return -7.0 / 8;
        if (x <= 0.4) return 7.0 / 8;
        if (x <= 0.5) return -1.0;
        return 2 * x;
      },
      0.0);
}

std::vector<std::string> synthetic_names() {
  return {"f1", "f2", "f2-notebook", "f3"};
}

std::unique_ptr<TestProblem> make_synthetic(const std::string& name) {
  if (name == "f1") return make_diffgrad_f1();
  if (name == "f2") return make_diffgrad_f2(false);
  if (name == "f2-notebook") return make_diffgrad_f2(true);
  if (name == "f3") return make_diffgrad_f3();
  return nullptr;
}

}  // namespace descent::optim
