#include "descent/core/threads.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Eigen/Core>

#include "descent/core/error.hpp"

namespace descent {

namespace {

struct ThreadState {
  std::mutex mutex;
  int threads = 0;  // 0 = never set
  std::vector<std::function<void(int)>> hooks;
};

ThreadState& state() {
  static ThreadState s;
  return s;
}

// OpenBLAS and the OpenMP runtime are found at run time, so core links neither: a program that
// never loads them pays nothing, and one that does (LibTorch, numpy-free BLAS users) is limited.
template <class Fn>
void call_if_loaded(const char* symbol, int n) {
  if (void* f = ::dlsym(RTLD_DEFAULT, symbol)) reinterpret_cast<Fn>(f)(n);
}

void apply_native(int n) {
  Eigen::setNbThreads(n);
  call_if_loaded<void (*)(int)>("openblas_set_num_threads", n);
  call_if_loaded<void (*)(int)>("goto_set_num_threads", n);
  call_if_loaded<void (*)(int)>("omp_set_num_threads", n);
}

}  // namespace

int hardware_threads() noexcept {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void set_thread_environment(int n) {
  const std::string v = std::to_string(n);
  for (const char* name : {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"})
    ::setenv(name, v.c_str(), 1);
}

void set_threads(int n) {
  if (n < 0)
    throw InvalidOption("threads", "must be >= 0 (0 = all cores), got " + std::to_string(n));
  if (n == 0) n = hardware_threads();
  std::vector<std::function<void(int)>> hooks;
  {
    std::lock_guard lock(state().mutex);
    state().threads = n;
    hooks = state().hooks;
  }
  set_thread_environment(n);
  apply_native(n);
  for (auto& hook : hooks) hook(n);
}

int threads() noexcept {
  std::lock_guard lock(state().mutex);
  return state().threads == 0 ? hardware_threads() : state().threads;
}

void add_thread_hook(std::function<void(int)> hook) {
  int n;
  {
    std::lock_guard lock(state().mutex);
    state().hooks.push_back(hook);
    n = state().threads;
  }
  if (n > 0) hook(n);
}

}  // namespace descent
