// The counting CPU allocator behind ScopedAllocationTracker.
#include "descent/torch_support/memory.hpp"

#include <algorithm>
#include <atomic>

#include <c10/core/CPUAllocator.h>

#include "descent/core/error.hpp"

namespace descent::torch_support {

namespace {

std::atomic<std::int64_t> g_current{0}, g_peak{0};
std::atomic<bool> g_active{false};

// Owns the base allocator's DataPtr; freed (and uncounted) by release().
struct Block {
  c10::DataPtr inner;
  std::int64_t bytes;
};

void release(void* ctx) {
  auto* b = static_cast<Block*>(ctx);
  g_current.fetch_sub(b->bytes);
  delete b;
}

class CountingAllocator final : public c10::Allocator {
 public:
  explicit CountingAllocator(c10::Allocator* base) : base_(base) {}
  c10::DataPtr allocate(size_t n) const override {
    c10::DataPtr inner = base_->allocate(n);
    void* data = inner.get();
    const c10::Device device = inner.device();
    auto* b = new Block{std::move(inner), static_cast<std::int64_t>(n)};
    const std::int64_t now = g_current.fetch_add(b->bytes) + b->bytes;
    std::int64_t seen = g_peak.load();
    while (now > seen && !g_peak.compare_exchange_weak(seen, now)) {
    }
    return c10::DataPtr(data, b, &release, device);
  }
  c10::DeleterFnPtr raw_deleter() const override { return nullptr; }
  c10::Allocator* base() const { return base_; }

 private:
  c10::Allocator* base_;
};

// Priority above LibTorch's own registrations, so the swap takes effect.
constexpr std::uint8_t kPriority = 200;
c10::Allocator* g_base = nullptr;

CountingAllocator& counting() {
  static CountingAllocator alloc(c10::GetCPUAllocator());
  return alloc;
}

}  // namespace

ScopedAllocationTracker::ScopedAllocationTracker() {
  if (g_active.exchange(true)) throw Error("ScopedAllocationTracker: one tracker at a time");
  g_base = counting().base();
  g_current = 0;
  g_peak = 0;
  c10::SetCPUAllocator(&counting(), kPriority);
}

ScopedAllocationTracker::~ScopedAllocationTracker() {
  // Tensors still alive keep the counting deleter, which stays valid (static storage).
  c10::SetCPUAllocator(g_base, kPriority);
  g_active = false;
}

std::int64_t ScopedAllocationTracker::current() const {
  return g_current.load();
}
std::int64_t ScopedAllocationTracker::peak() const {
  return g_peak.load();
}
void ScopedAllocationTracker::reset_peak() {
  g_peak = g_current.load();
}

}  // namespace descent::torch_support
