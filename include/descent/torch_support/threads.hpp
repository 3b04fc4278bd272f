// Connects LibTorch's thread pools to descent::set_threads. No torch headers here, so Eigen-only
// code (and the CLI's main) can call it without paying LibTorch's compile time.
#pragma once

namespace descent::torch_support {

/// Registers a hook so that descent::set_threads(n) also calls at::set_num_threads(n) and, while
/// still allowed, at::set_num_interop_threads(n). Safe to call more than once.
void install_thread_hook();

/// LibTorch's intra-op thread count set to `threads` for this object's lifetime, then restored
/// (small models train fastest on one thread: nn_training_methods.md C.2).
class ScopedTorchThreads {
 public:
  explicit ScopedTorchThreads(int threads);
  ~ScopedTorchThreads();
  ScopedTorchThreads(const ScopedTorchThreads&) = delete;
  ScopedTorchThreads& operator=(const ScopedTorchThreads&) = delete;

 private:
  int before_;
};

}  // namespace descent::torch_support
