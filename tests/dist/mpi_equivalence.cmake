# Runs `descent dp-train` with P simulated workers in one process and under
# `mpirun -np NP`, and requires the output parameters and the history to be identical files
# (bit for bit). Called by ctest with -D DESCENT=... -D MPIEXEC=... -D WORK=... -D NP=...
# -D WORKERS=... -D METHOD=... -D NOISE=local|central
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(common dp-train --method ${METHOD} --workers ${WORKERS} --rounds 60 --restart 7
           --data synthetic:n=300,test=200 --eval-every 5 --seed 11 --guard cap --quiet
           --noise-model ${NOISE})
execute_process(COMMAND "${DESCENT}" ${common} --mpi serial
                        --params "${WORK}/sim.npy" --history "${WORK}/sim.csv"
                RESULT_VARIABLE rc_sim)
if(NOT rc_sim EQUAL 0)
  message(FATAL_ERROR "simulated run failed (${rc_sim})")
endif()
execute_process(COMMAND "${MPIEXEC}" --oversubscribe -np ${NP} "${DESCENT}" ${common} --mpi mpi
                        --params "${WORK}/mpi.npy" --history "${WORK}/mpi.csv"
                RESULT_VARIABLE rc_mpi)
if(NOT rc_mpi EQUAL 0)
  message(FATAL_ERROR "mpirun -np ${NP} run failed (${rc_mpi})")
endif()
foreach(kind npy csv)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/sim.${kind}"
                          "${WORK}/mpi.${kind}"
                  RESULT_VARIABLE differ)
  if(NOT differ EQUAL 0)
    message(FATAL_ERROR "mpirun -np ${NP} and ${WORKERS} simulated workers differ (${kind})")
  endif()
endforeach()
message(STATUS "identical: ${METHOD}, ${WORKERS} workers on ${NP} ranks vs simulated")
