# Build helpers shared by every family, experiment, test and benchmark.
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

function(descent_enable_ccache)
  find_program(DESCENT_CCACHE ccache)
  if(DESCENT_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${DESCENT_CCACHE}" PARENT_SCOPE)
  endif()
endfunction()

# Adds every immediate subdirectory of DIR that has a CMakeLists.txt, in sorted order.
function(descent_add_subdirectories dir)
  file(GLOB children LIST_DIRECTORIES true "${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*")
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY "${child}" AND EXISTS "${child}/CMakeLists.txt")
      add_subdirectory("${child}")
    endif()
  endforeach()
endfunction()

# Warnings and sanitizers for every descent target.
function(descent_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    return()
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(DESCENT_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${DESCENT_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${DESCENT_SANITIZE})
  endif()
  if(DESCENT_FUZZ)  # coverage for libFuzzer in every library the fuzz targets reach
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# descent_add_library(<family> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...] [TORCH])
# Defines descent_<family> (alias descent::<family>), installs and exports it. TORCH links
# LibTorch and reuses the shared precompiled torch header.
function(descent_add_library family)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  set(target descent_${family})
  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(descent::${family} ALIAS ${target})
  # PIC follows CMAKE_POSITION_INDEPENDENT_CODE for every target alike, so the shared torch PCH
  # matches its users (set it ON to link descent into a shared library).
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${family})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  descent_target_defaults(${target})
  if(ARG_TORCH)
    descent_use_torch(${target})
  endif()
  install(TARGETS ${target} EXPORT descentTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set_property(GLOBAL APPEND PROPERTY DESCENT_LIBRARIES ${target})
endfunction()

# Links LibTorch and reuses one precompiled <torch/torch.h> (built once, in descent_torch_pch).
function(descent_use_torch target)
  if(NOT TARGET descent_torch_pch)
    add_library(descent_torch_pch OBJECT "${PROJECT_SOURCE_DIR}/cmake/torch_pch.cpp")
    target_link_libraries(descent_torch_pch PUBLIC torch)
    target_compile_features(descent_torch_pch PUBLIC cxx_std_20)
    target_compile_options(descent_torch_pch PRIVATE -Wall -Wextra)
    target_precompile_headers(descent_torch_pch PRIVATE <torch/torch.h>)
  endif()
  target_link_libraries(${target} PUBLIC torch)
  target_precompile_headers(${target} REUSE_FROM descent_torch_pch)
  # With CMAKE_POSITION_INDEPENDENT_CODE (the Python package) the PCH is built -fPIC, as the
  # libraries are, but an executable would be compiled -fPIE and could not use it (GCC:
  # "created and used with different settings of -fpie"): compile its objects -fPIC too (a PIE
  # executable links PIC objects).
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE" AND CMAKE_POSITION_INDEPENDENT_CODE)
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
endfunction()

# descent_add_experiment(<name> SOURCES ... DEPS ...): an object library whose static
# registrar is linked into the CLI (object files are never dropped by the linker).
function(descent_add_experiment name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  set(target descent_experiment_${name})
  add_library(${target} OBJECT ${ARG_SOURCES})
  target_link_libraries(${target} PUBLIC descent::experiments ${ARG_DEPS})
  descent_target_defaults(${target})
  set_property(GLOBAL APPEND PROPERTY DESCENT_EXPERIMENTS ${target})
endfunction()

# descent_add_test(<name> SOURCES ... DEPS ... [LABELS unit|repro|mpi] [TORCH])
# Each GoogleTest case becomes a ctest test named "<name>.<Suite>.<Case>" labelled with the
# first of LABELS (gtest_discover_tests cannot carry a list of labels), so `ctest -R '^io_test'`
# selects a binary and `ctest -L unit` a kind.
function(descent_add_test name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    DESCENT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" DESCENT_BINARY_DIR="${PROJECT_BINARY_DIR}")
  descent_target_defaults(${name})
  if(ARG_TORCH)
    descent_use_torch(${name})
  endif()
  list(APPEND ARG_LABELS unit)
  list(GET ARG_LABELS 0 label)
  gtest_discover_tests(${name} TEST_PREFIX "${name}." PROPERTIES LABELS ${label}
                       DISCOVERY_TIMEOUT 60)
endfunction()

# descent_add_cli_test(<name> SOURCES ... [DEPS ...] LABELS ...): a test that runs the `descent`
# binary (path in DESCENT_CLI) as a user would; skipped when the CLI is not built. Links
# descent::io for JSON; tests/support/ has the shared runners.
function(descent_add_cli_test name)
  if(NOT DESCENT_BUILD_APPS OR NOT TARGET descent)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  descent_add_test(${name} SOURCES ${ARG_SOURCES} DEPS descent::io ${ARG_DEPS} LABELS ${ARG_LABELS})
  add_dependencies(${name} descent)
  target_compile_definitions(${name} PRIVATE DESCENT_CLI="$<TARGET_FILE:descent>")
endfunction()

function(descent_install_package)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/descent" "${PROJECT_BINARY_DIR}/include/descent"
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT descentTargets NAMESPACE descent::
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/descent)
  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/descentConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/descentConfig.cmake"
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/descent)
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/descentConfigVersion.cmake"
    COMPATIBILITY SameMinorVersion)
  install(FILES "${PROJECT_BINARY_DIR}/descentConfig.cmake"
                "${PROJECT_BINARY_DIR}/descentConfigVersion.cmake"
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/descent)
endfunction()
