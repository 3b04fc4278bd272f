// Large point clouds: time per Sinkhorn iteration and peak memory of the dense and the
// matrix-free paths, one configuration per process (peak RSS is per process), optionally under
// mpirun. bench/ot/large.sh runs the grid and POT (bench/peers/ot_pot_clouds.py) beside it.
//
//   large_clouds --n 10000 --path dense|matrix-free [--iterations 5] [--threads 1]
//                [--eta 20] [--tol 0] [--write-clouds DIR]
//
// The clouds are uniform in [0,1]^3: coordinate k of point i of cloud c (0 source, 1 target) is
// the top 53 bits of splitmix64((c << 60) + 3 i + k) / 2^53, mirrored in ot_pot_clouds.py. Costs
// are squared Euclidean, weights uniform. With --tol 0 the run takes exactly --iterations
// iterations; the time per iteration is the steady state, from the end of iteration 1 to the end
// of the last (so --iterations must be at least 2). Prints one JSON object (rank 0).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <Eigen/Core>

#include "descent/core/rng.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/io/npy.hpp"
#include "descent/ot/ot.hpp"

namespace {

Eigen::MatrixXd cloud(std::size_t n, std::uint64_t which) {
  Eigen::MatrixXd X(Eigen::Index(n), 3);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < 3; ++k)
      X(Eigen::Index(i), Eigen::Index(k)) =
          double(descent::splitmix64((which << 60) + 3 * i + k) >> 11) * 0x1.0p-53;
  return X;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1000, iterations = 5;
  std::string path = "matrix-free", write_dir;
  int threads = 1;
  double eta = 20.0, tol = 0.0;
  for (int k = 1; k + 1 < argc; k += 2) {
    const std::string key = argv[k], value = argv[k + 1];
    if (key == "--n")
      n = std::stoul(value);
    else if (key == "--path")
      path = value;
    else if (key == "--iterations")
      iterations = std::stoul(value);
    else if (key == "--threads")
      threads = std::stoi(value);
    else if (key == "--eta")
      eta = std::stod(value);
    else if (key == "--tol")
      tol = std::stod(value);
    else if (key == "--write-clouds")
      write_dir = value;
    else {
      std::fprintf(stderr, "large_clouds: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  auto comm = descent::dist::make_communicator();
  const Eigen::MatrixXd X = cloud(n, 0), Y = cloud(n, 1);
  if (!write_dir.empty() && comm->is_root()) {
    descent::io::write_npy(write_dir + "/source.npy", X);
    descent::io::write_npy(write_dir + "/target.npy", Y);
  }
  descent::ot::SinkhornOptions o;
  o.eta = eta;
  o.tolerance = tol;
  o.max_iterations = iterations;
  o.threads = threads;
  o.plan.format = descent::ot::PlanFormat::none;
  const auto start = std::chrono::steady_clock::now();
  descent::ot::Result r;
  double setup = 0.0;
  if (path == "dense") {
    const descent::ot::Problem p =
        descent::ot::from_point_clouds(X, Y, descent::ot::GroundCost::sqeuclidean);
    setup = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r = descent::ot::sinkhorn(p, o);
  } else {
    const descent::ot::CloudProblem p(X, Y, descent::ot::GroundCost::sqeuclidean);
    r = descent::ot::sinkhorn(p, o, {}, comm.get());
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Iterations from the error history, from the end of iteration 1 to the end of the last
  // (steady state: without the first measuring pass, the row-major copy of C and the first
  // kernel of the scaling domain), as ot_bench does.
  const auto& h = r.error_history;
  const double per_iteration =
      h.size() > 2 ? (h.back().seconds - h[1].seconds) / double(h.back().iteration - 1) : 0.0;
  if (comm->is_root())
    std::printf(
        "{\"n\": %zu, \"path\": \"%s\", \"ranks\": %d, \"threads\": %d, \"eta\": %g, "
        "\"iterations\": %zu, \"seconds_per_iteration\": %.6g, \"setup_seconds\": %.4g, "
        "\"total_seconds\": %.4g, \"marginal_error\": %.6g, \"status\": \"%s\", "
        "\"peak_rss_mb\": %.1f}\n",
        n, path.c_str(), comm->size(), threads, eta, r.summary.iterations, per_iteration, setup,
        total, r.marginal_error, std::string(descent::to_string(r.summary.status)).c_str(),
        peak_rss_mb());
  return 0;
}
