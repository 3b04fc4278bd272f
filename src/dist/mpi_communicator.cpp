// The OpenMPI communicator (compiled only with DESCENT_WITH_MPI).
// Only the C API: the deprecated C++ bindings would drag their symbols into every user.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <cstdio>
#include <vector>

#include "descent/core/error.hpp"
#include "mpi_factory.hpp"

namespace descent::dist::detail {
namespace {

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw Error(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(len)));
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      // Funneled: only the main thread talks to MPI; worker threads only compute.
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      owns_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_ && !finalized) MPI_Finalize();
  }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const noexcept override { return rank_; }
  int size() const noexcept override { return size_; }
  std::string name() const override { return "mpi"; }

  void gather(std::span<const double> local, std::span<double> all,
              std::span<const int> counts) override {
    if (counts.size() != static_cast<std::size_t>(size_) ||
        static_cast<std::size_t>(counts[static_cast<std::size_t>(rank_)]) != local.size())
      throw Error("MpiCommunicator::gather: inconsistent counts");
    std::vector<int> displs(counts.size(), 0);
    long long total = 0;
    for (std::size_t q = 0; q < counts.size(); ++q) {
      displs[q] = static_cast<int>(total);
      total += counts[q];
    }
    if (rank_ == 0 && all.size() < static_cast<std::size_t>(total))
      throw Error("MpiCommunicator::gather: output too small");
    check(MPI_Gatherv(local.data(), static_cast<int>(local.size()), MPI_DOUBLE,
                      rank_ == 0 ? all.data() : nullptr, counts.data(), displs.data(), MPI_DOUBLE,
                      0, MPI_COMM_WORLD),
          "MPI_Gatherv");
  }

  void broadcast(std::span<double> data) override {
    check(MPI_Bcast(data.data(), static_cast<int>(data.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD),
          "MPI_Bcast");
  }

  [[noreturn]] void abort(const std::string& message, int code) override {
    std::fprintf(stderr, "%s\n", message.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // MPI_Abort does not return; this satisfies [[noreturn]]
  }

 private:
  int rank_ = 0;
  int size_ = 1;
  bool owns_ = false;
};

}  // namespace

std::unique_ptr<Communicator> make_mpi_communicator() {
  return std::make_unique<MpiCommunicator>();
}

}  // namespace descent::dist::detail
