# A failing rank must end the whole job with a clear message and leave no result files: more
# ranks than workers makes every rank throw before the first round.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${MPIEXEC}" --oversubscribe -np 4 "${DESCENT}" dp-train --workers 2
                        --rounds 5 --mpi mpi --params "${WORK}/x.npy" --out "${WORK}/s.json"
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out TIMEOUT 60)
if(rc EQUAL 0)
  message(FATAL_ERROR "the job should have failed")
endif()
if(NOT err MATCHES "descent: rank [0-9] of 4 failed: .*aborting the job")
  message(FATAL_ERROR "no clear failure message; stderr was:\n${err}")
endif()
if(EXISTS "${WORK}/x.npy" OR EXISTS "${WORK}/s.json")
  message(FATAL_ERROR "a failed job left result files behind")
endif()
