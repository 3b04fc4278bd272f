// Validations spread over MPI ranks (spec search_nas_co.md §2.1, DyNAS-T's LINASDistributed).
//
// Every rank runs the same search with the same seed; a batch of evaluations is split into
// contiguous blocks, rank q evaluates block q, and the objectives are gathered to rank 0 in row
// order and broadcast. Every rank therefore sees the same bits, makes the same decisions, and
// the search's result equals the serial run's for the same seed (for an evaluator that gives
// the same value for the same configuration on any rank). Ranks left without a row in a small
// batch wait. An exception on one rank must end the job (dist::run_or_abort).
#pragma once

#include "descent/dist/communicator.hpp"
#include "descent/evo/nsga2.hpp"

namespace descent::evo {

/// `problem` with each evaluate call spread over the ranks of `comm` (which must outlive the
/// returned problem). With one rank it is `problem` itself.
Problem distributed(const Problem& problem, dist::Communicator& comm);

}  // namespace descent::evo
