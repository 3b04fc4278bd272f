// Private: the MPI communicator's factory, compiled only when DESCENT_HAVE_MPI is defined.
#pragma once

#include <memory>

#include "descent/dist/communicator.hpp"

namespace descent::dist::detail {

#ifdef DESCENT_HAVE_MPI
std::unique_ptr<Communicator> make_mpi_communicator();
#endif

}  // namespace descent::dist::detail
