#include "descent/ot/instances.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::ot {

Problem random_assignment(Eigen::Index n, Rng& rng) {
  if (n < 1) throw Error("random_assignment: n must be >= 1");
  const Eigen::VectorXd w = Eigen::VectorXd::Constant(n, 1.0 / double(n));
  return Problem(w, w, uniform_matrix(rng, n, n, 0.0, 1.0));
}

Problem uniform_clouds(Eigen::Index n, Rng& rng, GroundCost cost, bool normalize) {
  if (n < 1) throw Error("uniform_clouds: n must be >= 1");
  const Eigen::MatrixXd X = uniform_matrix(rng, n, 2, 0.0, 1.0);
  const Eigen::MatrixXd Y = uniform_matrix(rng, n, 2, 0.0, 1.0);
  Problem p = from_point_clouds(X, Y, cost);
  return normalize && p.max_cost() > 0 ? p.scaled_cost(1.0 / p.max_cost()) : p;
}

Eigen::VectorXd dirichlet_weights(Eigen::Index n, double alpha, Rng& rng) {
  check::positive("alpha", alpha);
  if (n < 1) throw Error("dirichlet_weights: n must be >= 1");
  // Small alpha puts most of Gamma(alpha)'s draws near 0: draw log-Gamma by Gamma(alpha + 1)
  // U^(1/alpha) (Marsaglia and Tsang) so that tiny weights keep their relative precision.
  std::gamma_distribution<double> gamma(alpha + 1.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Eigen::VectorXd logw(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double u = std::max(uniform(rng), 1e-300);
    logw[i] = std::log(gamma(rng)) + std::log(u) / alpha;
  }
  const double top = logw.maxCoeff();
  Eigen::VectorXd w = (logw.array() - top).exp().max(1e-300);
  return w / w.sum();
}

namespace {

Eigen::MatrixXd gaussian_cloud(Rng& rng, Eigen::Index n, Eigen::Index d, double shift,
                               double scale) {
  return (normal_matrix(rng, n, d) * scale).array() + shift;
}

// A greyscale image of h x w pixels: a few Gaussian blobs on a dark background.
Eigen::MatrixXd blob_image(Rng& rng, Eigen::Index h, Eigen::Index w) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Eigen::MatrixXd img = Eigen::MatrixXd::Zero(h, w);
  const int blobs = 1 + int(u(rng) * 3.0);
  for (int b = 0; b < blobs; ++b) {
    const double cr = u(rng), cc = u(rng), width = 0.08 + 0.2 * u(rng), mass = 0.3 + u(rng);
    for (Eigen::Index r = 0; r < h; ++r)
      for (Eigen::Index c = 0; c < w; ++c) {
        const double dr = double(r) / double(std::max<Eigen::Index>(h - 1, 1)) - cr;
        const double dc = double(c) / double(std::max<Eigen::Index>(w - 1, 1)) - cc;
        img(r, c) += mass * std::exp(-(dr * dr + dc * dc) / (2 * width * width));
      }
  }
  return img;
}

// Row-major pixels, intensity + 1e-6 (the spec's floor), normalised.
Eigen::VectorXd image_weights(const Eigen::MatrixXd& img) {
  Eigen::VectorXd w(img.size());
  double total = 0.0;
  for (Eigen::Index r = 0, k = 0; r < img.rows(); ++r)
    for (Eigen::Index c = 0; c < img.cols(); ++c) total += (w[k++] = img(r, c) + 1e-6);
  return w / total;
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::vector<SuiteCase> robustness_suite(const SuiteOptions& o) {
  if (o.min_points < 2 || o.max_points < o.min_points)
    throw Error("robustness_suite: need 2 <= min_points <= max_points");
  const std::vector<std::string> geometries{"clouds2d", "clouds3d", "images", "assignment"};
  const std::vector<GroundCost> costs{GroundCost::sqeuclidean, GroundCost::euclidean,
                                      GroundCost::l1};
  std::vector<std::string> marginals{"uniform"};
  for (double a : o.dirichlet_alpha) marginals.push_back("dirichlet" + short_number(a));
  std::vector<SuiteCase> out;
  for (std::size_t seed = 0; seed < o.seeds; ++seed)
    for (std::size_t g = 0; g < geometries.size(); ++g)
      for (std::size_t c = 0; c < (geometries[g] == "assignment" ? 1 : costs.size()); ++c)
        for (std::size_t k = 0; k < marginals.size(); ++k) {
          Rng rng = make_rng(o.seed, {seed, g, c, k});
          std::uniform_int_distribution<Eigen::Index> size(o.min_points, o.max_points);
          Eigen::Index n = size(rng), m = size(rng);
          if (m == n) ++m;
          Eigen::MatrixXd cost;
          Eigen::VectorXd a, b;
          std::string cost_name = std::string(to_string(costs[c]));
          if (geometries[g] == "assignment") {
            cost = uniform_matrix(rng, n, m, 0.0, 1.0);
            cost_name = "uniform";
          } else if (geometries[g] == "images") {
            // Grids of different shapes with about n and m pixels.
            const Eigen::Index h1 = std::max<Eigen::Index>(2, Eigen::Index(std::sqrt(double(n)))),
                               h2 = std::max<Eigen::Index>(2,
                                                           Eigen::Index(std::sqrt(double(m))) + 1);
            const Eigen::Index w1 = std::max<Eigen::Index>(2, n / h1),
                               w2 = std::max<Eigen::Index>(2, m / h2);
            n = h1 * w1;
            m = h2 * w2;
            cost = cost_matrix(image_grid(h1, w1), image_grid(h2, w2), costs[c]);
            if (k == 0) {  // images bring their own weights: intensity + 1e-6, normalised
              const Eigen::MatrixXd A = blob_image(rng, h1, w1), B = blob_image(rng, h2, w2);
              a = image_weights(A);
              b = image_weights(B);
            }
          } else {
            const Eigen::Index d = geometries[g] == "clouds2d" ? 2 : 3;
            std::uniform_real_distribution<double> u(0.0, 1.0);
            const Eigen::MatrixXd X = gaussian_cloud(rng, n, d, 0.0, 0.5 + u(rng));
            const Eigen::MatrixXd Y = gaussian_cloud(rng, m, d, 0.5 + 2 * u(rng), 0.5 + 2 * u(rng));
            cost = cost_matrix(X, Y, costs[c]);
          }
          std::string marginal_name = marginals[k];
          if (a.size() > 0) {
            marginal_name = "intensity";
          } else if (k == 0) {
            a = Eigen::VectorXd::Constant(n, 1.0 / double(n));
            b = Eigen::VectorXd::Constant(m, 1.0 / double(m));
          } else {
            a = dirichlet_weights(n, o.dirichlet_alpha[k - 1], rng);
            b = dirichlet_weights(m, o.dirichlet_alpha[k - 1], rng);
          }
          Problem problem(a, b, cost);
          for (double er : o.eta_relative) {
            SuiteCase sc{geometries[g] + "/" + cost_name + "/" + marginal_name + "/eta" +
                             short_number(er) + "/seed" + std::to_string(seed),
                         geometries[g],
                         cost_name,
                         marginal_name,
                         er,
                         er / problem.max_cost(),
                         seed,
                         problem};
            out.push_back(std::move(sc));
          }
        }
  return out;
}

}  // namespace descent::ot
