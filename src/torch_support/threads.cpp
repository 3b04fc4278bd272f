#include "descent/torch_support/threads.hpp"

#include <torch/torch.h>

#include <atomic>

#include "descent/core/threads.hpp"

namespace descent::torch_support {

void install_thread_hook() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  descent::add_thread_hook([](int n) {
    at::set_num_threads(n);
    // The inter-op pool can be sized only before its first use; later calls throw, and then
    // the pool keeps its size (it runs no work in descent's single-model training loops).
    try {
      at::set_num_interop_threads(n);
    } catch (const std::exception&) {
    }
  });
}

ScopedTorchThreads::ScopedTorchThreads(int threads) : before_(at::get_num_threads()) {
  at::set_num_threads(threads);
}

ScopedTorchThreads::~ScopedTorchThreads() {
  at::set_num_threads(before_);
}

}  // namespace descent::torch_support
