# `descent search` under `mpirun -np NP` equals the serial run, file for file (the results file
# and the front), for LINAS and NSGA-II on tier A; and a search cut short and resumed under
# mpirun ends with the same files without repeating a recorded validation.
# Called by ctest with -D DESCENT=... -D MPIEXEC=... -D WORK=... -D NP=...
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
function(run_checked label)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${label} failed (${rc}): ${out} ${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
function(same a b what)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${a}" "${b}" RESULT_VARIABLE differ)
  if(NOT differ EQUAL 0)
    message(FATAL_ERROR "${what}: ${a} and ${b} differ")
  endif()
endfunction()
foreach(method linas nsga2)
  set(common search --method ${method} --evals 100 --population 20 --inner-evals 1000 --seed 3
             --quiet)
  run_checked("serial ${method}" "${DESCENT}" ${common} --mpi serial --out "${WORK}/${method}_serial.csv")
  run_checked("mpirun -np ${NP} ${method}" "${MPIEXEC}" --oversubscribe -np ${NP} "${DESCENT}"
              ${common} --mpi mpi --out "${WORK}/${method}_mpi.csv")
  same("${WORK}/${method}_serial.results.csv" "${WORK}/${method}_mpi.results.csv"
       "${method} results, serial vs ${NP} ranks")
  same("${WORK}/${method}_serial.csv" "${WORK}/${method}_mpi.csv" "${method} front")
endforeach()
# The resume: keep the signature, the header and 37 rows, then resume under mpirun.
file(STRINGS "${WORK}/linas_serial.results.csv" lines)
list(SUBLIST lines 0 39 kept)
list(JOIN kept "\n" text)
file(WRITE "${WORK}/cut.results.csv" "${text}\n")
run_checked("mpirun resume" "${MPIEXEC}" --oversubscribe -np ${NP} "${DESCENT}" --json search
            --method linas --evals 100 --population 20 --inner-evals 1000 --seed 3 --quiet
            --mpi mpi --out "${WORK}/cut.csv" --resume)
string(JSON replayed GET "${last_output}" replayed)
string(JSON fresh GET "${last_output}" new_validations)
if(NOT replayed EQUAL 37 OR NOT fresh EQUAL 63)
  message(FATAL_ERROR "resume: ${replayed} replayed and ${fresh} new validations, expected 37 and 63")
endif()
same("${WORK}/linas_serial.results.csv" "${WORK}/cut.results.csv" "resumed results")
same("${WORK}/linas_serial.csv" "${WORK}/cut.csv" "resumed front")
message(STATUS "identical: search on ${NP} ranks vs serial, and resumed under mpirun")
