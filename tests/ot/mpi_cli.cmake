# Runs `descent ot --matrix-free` in one process and under `mpirun -np NP`, and requires the
# potentials files to be identical (bit for bit). Called by ctest with -D DESCENT=... -D MPIEXEC=...
# -D WORK=... -D NP=... -D SOURCE=... -D TARGET=...
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(common ot --source "${SOURCE}" --target "${TARGET}" --matrix-free --method sinkhorn
           --eta 30 --tol 1e-10 --threads 2 --quiet)
execute_process(COMMAND "${DESCENT}" ${common} --mpi serial --potentials "${WORK}/serial.npy"
                RESULT_VARIABLE rc_serial)
if(NOT rc_serial EQUAL 0)
  message(FATAL_ERROR "serial run failed (${rc_serial})")
endif()
execute_process(COMMAND "${MPIEXEC}" --oversubscribe -np ${NP} "${DESCENT}" ${common} --mpi mpi
                        --potentials "${WORK}/mpi.npy"
                OUTPUT_VARIABLE out RESULT_VARIABLE rc_mpi)
if(NOT rc_mpi EQUAL 0)
  message(FATAL_ERROR "mpirun -np ${NP} run failed (${rc_mpi}): ${out}")
endif()
string(FIND "${out}" "${NP} ranks" said)
if(said EQUAL -1)
  message(FATAL_ERROR "the report does not name the ${NP} ranks: ${out}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/serial.npy"
                        "${WORK}/mpi.npy" RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "mpirun -np ${NP} and the serial run wrote different potentials")
endif()
message(STATUS "identical potentials: serial vs ${NP} ranks")
