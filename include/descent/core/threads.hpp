// One thread knob for the whole process: descent's own loops, Eigen, OpenBLAS and (when the
// torch support library installs its hook) LibTorch's intra- and inter-op pools.
#pragma once

#include <functional>

namespace descent {

/// Limits every thread pool descent knows about to n threads (n >= 1; 0 means "all cores").
/// Call it early, before LibTorch or OpenBLAS start their pools, for the tightest effect.
void set_threads(int n);

/// The value last passed to set_threads (resolved to the core count for 0), or the default.
int threads() noexcept;

/// Number of hardware threads.
int hardware_threads() noexcept;

/// Registers a function that set_threads also calls (LibTorch registers one; see
/// descent/torch/threads.hpp). The hook is called at once with the current setting.
void add_thread_hook(std::function<void(int)> hook);

/// Sets OMP_NUM_THREADS/OPENBLAS_NUM_THREADS/MKL_NUM_THREADS for libraries not yet started.
void set_thread_environment(int n);

}  // namespace descent
