// Google Benchmark programs for descent::linalg: time per iteration of CG, Jacobi-PCG,
// SSOR-PCG and one in-place SOR sweep on 2-D and 3-D Poisson matrices (1e4 to 1e6 unknowns).
//
// bench/linalg/run.sh runs this program and the PETSc/scipy peers (bench/peers/linalg_petsc.py)
// on the same Matrix Market files and prints the ratio table quoted in docs/linalg.md.
//
//   linalg_bench --write-mtx DIR [--sizes small|all]   writes DIR/<problem>.mtx and exits
//   linalg_bench --mtx-dir DIR [benchmark flags]       benchmarks the matrices read from DIR
//   linalg_bench [benchmark flags]                     generates the matrices in memory
//
// Every solve starts from x = 0 with b = 1, stops at ||r|| <= 1e-8 ||b|| or at the cap below
// (the peers use the same rule and cap), and reports seconds per iteration ("per_iteration").
// Times are CPU time (Google Benchmark's default; the peers use process CPU time too): on a
// shared machine wall time also counts other processes, and everything here is one thread.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "descent/io/matrix_market.hpp"
#include "descent/linalg/cg.hpp"
#include "descent/linalg/generators.hpp"
#include "descent/linalg/preconditioners.hpp"
#include "descent/linalg/sweeps.hpp"

namespace {

using namespace descent::linalg;

constexpr double kTolerance = 1e-8;
constexpr double kOmega = 1.5;  // SSOR-PCG and the SOR sweep (PETSc: -pc_sor_omega 1.5)

struct ProblemSpec {
  std::string name;
  int dim;
  int m;
};

// n = m^2 or m^3: about 1e4, 1e5 and 1e6 unknowns in 2-D and 3-D.
const std::vector<ProblemSpec>& specs() {
  static const std::vector<ProblemSpec> s = {
      {"poisson2d_100", 2, 100}, {"poisson2d_316", 2, 316}, {"poisson2d_1000", 2, 1000},
      {"poisson3d_22", 3, 22},   {"poisson3d_46", 3, 46},   {"poisson3d_100", 3, 100}};
  return s;
}

// Iteration cap: every solver in the table runs to the same tolerance or this cap.
std::size_t cap_for(Eigen::Index n) {
  return n > 500000 ? 60 : 200;
}

std::string g_mtx_dir;

SparseMatrix generate(const ProblemSpec& p) {
  return p.dim == 2 ? laplacian_2d(p.m) : laplacian_3d(p.m);
}

const SparseMatrix& problem(std::size_t index) {
  static std::map<std::size_t, std::unique_ptr<SparseMatrix>> cache;
  auto& slot = cache[index];
  if (!slot) {
    const ProblemSpec& p = specs().at(index);
    if (g_mtx_dir.empty()) {
      slot = std::make_unique<SparseMatrix>(generate(p));
    } else {
      const auto a = descent::io::read_matrix_market_sparse(g_mtx_dir + "/" + p.name + ".mtx");
      slot = std::make_unique<SparseMatrix>(to_csr(a));
    }
  }
  return *slot;
}

enum Method { kCg = 0, kJacobi = 1, kSsor = 2 };

void BM_Solve(benchmark::State& state) {
  const SparseMatrix& a = problem(static_cast<std::size_t>(state.range(0)));
  const auto method = static_cast<Method>(state.range(1));
  const Vector b = Vector::Ones(a.rows());
  std::unique_ptr<Preconditioner> m;
  if (method == kJacobi) m = std::make_unique<JacobiPreconditioner>(a);
  if (method == kSsor) {
    auto ssor = std::make_unique<SsorPreconditioner>(kOmega);
    ssor->bind(a);
    m = std::move(ssor);
  }
  CgOptions o;
  o.tolerance = kTolerance;
  o.max_iterations = cap_for(a.rows());
  o.verify_residual = false;  // as the peers: stop on the recursive residual
  double iterations = 0;
  std::size_t last = 0;
  for (auto _ : state) {
    Vector x = Vector::Zero(a.rows());
    const descent::Summary s = conjugate_gradient(a, b, x, m.get(), o);
    benchmark::DoNotOptimize(x.data());
    last = s.iterations;
    iterations += static_cast<double>(s.iterations);
  }
  state.counters["iterations"] = static_cast<double>(last);
  state.counters["per_iteration"] =
      benchmark::Counter(iterations, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["n"] = static_cast<double>(a.rows());
}

void BM_SorSweep(benchmark::State& state) {
  const SparseMatrix& a = problem(static_cast<std::size_t>(state.range(0)));
  const std::vector<int> diag = diagonal_positions(a);
  const CsrView view = make_view(a, diag);
  Vector inv(a.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    inv[i] = 1.0 / a.valuePtr()[diag[static_cast<std::size_t>(i)]];
  const Vector b = Vector::Ones(a.rows());
  Vector x = Vector::Zero(a.rows());
  double sweeps = 0;
  for (auto _ : state) {
    sor_sweep_forward(view, inv.data(), kOmega, b.data(), x.data());
    benchmark::DoNotOptimize(x.data());
    sweeps += 1;
  }
  state.counters["iterations"] = 1;
  state.counters["per_iteration"] =
      benchmark::Counter(sweeps, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["n"] = static_cast<double>(a.rows());
}

void register_all() {
  const char* methods[] = {"cg", "pcg-jacobi", "ssor-cg"};
  for (std::size_t p = 0; p < specs().size(); ++p) {
    const bool large = specs()[p].m >= 1000 || (specs()[p].dim == 3 && specs()[p].m >= 100);
    for (int meth = 0; meth < 3; ++meth) {
      auto* b = benchmark::RegisterBenchmark(
          ("BM_Solve/" + specs()[p].name + "/" + methods[meth]).c_str(), BM_Solve);
      b->Args({static_cast<long>(p), meth})->Unit(benchmark::kMillisecond);
      if (large) b->Iterations(2);
    }
    auto* s = benchmark::RegisterBenchmark(("BM_SorSweep/" + specs()[p].name).c_str(), BM_SorSweep);
    s->Arg(static_cast<long>(p))->Unit(benchmark::kMicrosecond);
  }
}

int write_matrices(const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (const auto& p : specs()) {
    const Eigen::SparseMatrix<double> a = generate(p);
    descent::io::write_matrix_market(dir + "/" + p.name + ".mtx", a, /*symmetric=*/true);
    std::printf("%s/%s.mtx (n = %ld)\n", dir.c_str(), p.name.c_str(), static_cast<long>(a.rows()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Our own flags come first and are removed before Google Benchmark sees the rest.
  std::vector<char*> rest = {argv[0]};
  std::string write_dir;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--write-mtx") && i + 1 < argc)
      write_dir = argv[++i];
    else if (!std::strcmp(argv[i], "--mtx-dir") && i + 1 < argc)
      g_mtx_dir = argv[++i];
    else
      rest.push_back(argv[i]);
  }
  if (!write_dir.empty()) return write_matrices(write_dir);
  register_all();
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
