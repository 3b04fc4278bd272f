#include "descent/dist/communicator.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "descent/core/error.hpp"
#include "mpi_factory.hpp"

namespace descent::dist {

void SerialCommunicator::gather(std::span<const double> local, std::span<double> all,
                                std::span<const int> counts) {
  if (counts.size() != 1 || static_cast<std::size_t>(counts[0]) != local.size() ||
      all.size() < local.size())
    throw Error("SerialCommunicator::gather: inconsistent counts");
  std::copy(local.begin(), local.end(), all.begin());
}

void SerialCommunicator::abort(const std::string& message, int code) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::fflush(stderr);
  std::_Exit(code);
}

WorkerRange worker_range(int workers, int rank, int size) {
  if (workers < 1)
    throw Error("worker_range: need at least one worker, got " + std::to_string(workers));
  if (size < 1 || rank < 0 || rank >= size)
    throw Error("worker_range: invalid rank " + std::to_string(rank) + " of " +
                std::to_string(size));
  if (workers < size)
    throw Error("there are " + std::to_string(size) + " ranks but only " + std::to_string(workers) +
                " workers; start at most as many ranks as workers " +
                "(mpirun -np P with --workers P)");
  const long long w = workers;
  const int first = static_cast<int>(w * rank / size);
  const int last = static_cast<int>(w * (rank + 1) / size);
  return {first, last - first};
}

namespace {

// Gathers every worker's column to rank 0 and sums them there in worker order.
void sum_on_root(Communicator& comm, int workers, const WorkerRange& range,
                 const Eigen::Ref<const Eigen::MatrixXd>& local, Eigen::VectorXd& out) {
  const Eigen::Index d = local.rows();
  if (local.cols() != range.count)
    throw Error("ordered reduction: got " + std::to_string(local.cols()) +
                " columns for a rank hosting " + std::to_string(range.count) + " workers");
  const int size = comm.size();
  std::vector<int> counts(static_cast<std::size_t>(size));
  for (int q = 0; q < size; ++q)
    counts[static_cast<std::size_t>(q)] =
        static_cast<int>(d) * worker_range(workers, q, size).count;
  // A contiguous copy: `local` may be a strided view.
  const Eigen::MatrixXd block = local;
  Eigen::MatrixXd all;
  if (comm.is_root()) all.resize(d, workers);
  comm.gather(std::span<const double>(block.data(), static_cast<std::size_t>(block.size())),
              std::span<double>(all.data(), static_cast<std::size_t>(all.size())), counts);
  out.resize(d);
  if (comm.is_root()) {
    // Left-to-right sum: the same operations, in the same order, for any rank count.
    out = all.col(0);
    for (int w = 1; w < workers; ++w) out += all.col(w);
  }
}

}  // namespace

void ordered_sum(Communicator& comm, int workers, const WorkerRange& range,
                 const Eigen::Ref<const Eigen::MatrixXd>& local, Eigen::VectorXd& out) {
  sum_on_root(comm, workers, range, local, out);
  comm.broadcast(std::span<double>(out.data(), static_cast<std::size_t>(out.size())));
}

void ordered_mean(Communicator& comm, int workers, const WorkerRange& range,
                  const Eigen::Ref<const Eigen::MatrixXd>& local, Eigen::VectorXd& out) {
  sum_on_root(comm, workers, range, local, out);
  if (comm.is_root()) out /= static_cast<double>(workers);
  comm.broadcast(std::span<double>(out.data(), static_cast<std::size_t>(out.size())));
}

double global_min(Communicator& comm, double value) {
  const int size = comm.size();
  std::vector<int> counts(static_cast<std::size_t>(size), 1);
  std::vector<double> all(comm.is_root() ? static_cast<std::size_t>(size) : 0);
  comm.gather(std::span<const double>(&value, 1), all, counts);
  double m = value;
  if (comm.is_root())
    for (double v : all) m = std::min(m, v);
  comm.broadcast(std::span<double>(&m, 1));
  return m;
}

bool mpi_compiled() noexcept {
#ifdef DESCENT_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool launched_by_mpi() noexcept {
  // OpenMPI's mpirun sets OMPI_COMM_WORLD_*; PMI/PMIx launchers (MPICH, srun) set PMI_*/PMIX_*.
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

Mode mode_from_string(const std::string& s) {
  if (s == "auto") return Mode::automatic;
  if (s == "serial") return Mode::serial;
  if (s == "mpi") return Mode::mpi;
  throw Error("unknown communicator mode '" + s + "' (auto, serial or mpi)");
}

std::unique_ptr<Communicator> make_communicator(Mode mode) {
  if (mode == Mode::serial) return std::make_unique<SerialCommunicator>();
  if (mode == Mode::automatic && !(mpi_compiled() && launched_by_mpi()))
    return std::make_unique<SerialCommunicator>();
#ifdef DESCENT_HAVE_MPI
  return detail::make_mpi_communicator();
#else
  throw Error(
      "this descent was built without MPI (configure with -DDESCENT_WITH_MPI=ON and "
      "install libopenmpi-dev)");
#endif
}

}  // namespace descent::dist
