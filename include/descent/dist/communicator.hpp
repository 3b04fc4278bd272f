// Communicators for data-parallel optimization: one interface, a serial and an MPI implementation.
//
// The methods in descent::privacy run P logical workers. A process hosts a contiguous block of
// them: all P in the serial "simulated workers" mode, one per rank under `mpirun -np P`. Every
// reduction gathers the per-worker vectors to rank 0, sums them there in worker order 0..P-1 and
// broadcasts the result, instead of calling MPI_Allreduce (whose summation order depends on the
// MPI library and the process count). The same seed therefore gives the same bits whether the P
// workers run in one process or on P ranks.
#pragma once

#include <memory>
#include <span>
#include <string>

#include <Eigen/Core>

namespace descent::dist {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const noexcept = 0;
  virtual int size() const noexcept = 0;
  /// "serial" or "mpi".
  virtual std::string name() const = 0;
  /// Gathers `local` from every rank to rank 0. `counts[q]` is the length rank q sends (every
  /// rank passes the same counts); on rank 0 `all` receives the blocks in rank order (length
  /// sum(counts)); on other ranks `all` is not touched and may be empty.
  virtual void gather(std::span<const double> local, std::span<double> all,
                      std::span<const int> counts) = 0;
  /// Copies rank 0's `data` to every rank.
  virtual void broadcast(std::span<double> data) = 0;
  /// Ends the whole job: prints `message` on stderr and exits every rank with `code`.
  [[noreturn]] virtual void abort(const std::string& message, int code) = 0;

  bool is_root() const noexcept { return rank() == 0; }
};

/// One process, rank 0 of 1: the simulated-workers mode.
class SerialCommunicator final : public Communicator {
 public:
  int rank() const noexcept override { return 0; }
  int size() const noexcept override { return 1; }
  std::string name() const override { return "serial"; }
  void gather(std::span<const double> local, std::span<double> all,
              std::span<const int> counts) override;
  void broadcast(std::span<double> /*data*/) override {}
  [[noreturn]] void abort(const std::string& message, int code) override;
};

/// The workers [first, first + count) that one rank hosts.
struct WorkerRange {
  int first = 0;
  int count = 0;
};

/// Contiguous blocks of near-equal size: rank q hosts workers [q*P/size, (q+1)*P/size).
/// Throws descent::Error if workers < size (a rank would be idle) or workers < 1.
WorkerRange worker_range(int workers, int rank, int size);

/// The mean over all `workers` of per-worker vectors: `local` holds one column per worker of
/// this rank (d x range.count). The columns are summed on rank 0 in worker order 0..P-1, divided
/// by P and broadcast, so every rank gets bit-identical `out` (length d) for any rank count.
void ordered_mean(Communicator& comm, int workers, const WorkerRange& range,
                  const Eigen::Ref<const Eigen::MatrixXd>& local, Eigen::VectorXd& out);

/// As ordered_mean, but the plain sum in worker order.
void ordered_sum(Communicator& comm, int workers, const WorkerRange& range,
                 const Eigen::Ref<const Eigen::MatrixXd>& local, Eigen::VectorXd& out);

/// The minimum of one value per rank, known to every rank (e.g. the smallest local data set).
double global_min(Communicator& comm, double value);

// --- choosing and creating a communicator -------------------------------------------------

/// True if this build has the MPI communicator (CMake DESCENT_WITH_MPI and MPI found).
bool mpi_compiled() noexcept;

/// True if the process was started by an MPI launcher (mpirun/mpiexec/srun set OMPI_COMM_WORLD_*,
/// PMI_* or PMIX_* variables). The CLI uses MPI only then, so `descent` run directly never
/// initialises MPI.
bool launched_by_mpi() noexcept;

enum class Mode {
  automatic,  ///< MPI if launched by mpirun and compiled in, else serial
  serial,     ///< always serial (simulated workers)
  mpi,        ///< MPI; descent::Error if not compiled in
};

/// Parses "auto", "serial" or "mpi"; throws descent::Error otherwise.
Mode mode_from_string(const std::string& s);

/// The communicator for `mode`. The MPI one initialises MPI (MPI_Init_thread, funneled) if
/// nobody has yet and finalises it when destroyed.
std::unique_ptr<Communicator> make_communicator(Mode mode = Mode::automatic);

/// Runs `body`; if it throws on any rank of a multi-rank job, prints
/// "descent: rank R of N failed: WHAT" and aborts the whole job (every rank exits with `code`),
/// because the other ranks would otherwise wait forever in the next collective. With one rank
/// the exception propagates unchanged.
template <class F>
auto run_or_abort(Communicator& comm, F&& body, int code = 2) -> decltype(body()) {
  if (comm.size() == 1) return body();
  try {
    return body();
  } catch (const std::exception& e) {
    comm.abort("descent: rank " + std::to_string(comm.rank()) + " of " +
                   std::to_string(comm.size()) + " failed: " + e.what() + "; aborting the job",
               code);
    throw;  // not reached: abort() does not return
  }
}

}  // namespace descent::dist
