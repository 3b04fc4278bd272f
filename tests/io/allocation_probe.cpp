// Replaces the global operator new for the io test binary so tests can assert that a reader
// rejected an absurd declared size without first allocating for it (a check that does not
// depend on timing). Every allocation still goes through malloc, so sanitizers see them all.
#include <atomic>
#include <cstdlib>
#include <new>

#include "io_test_util.hpp"

namespace {
std::atomic<std::size_t> largest{0};

void* allocate(std::size_t n) {
  std::size_t seen = largest.load(std::memory_order_relaxed);
  while (n > seen && !largest.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) {
  return allocate(n);
}
void* operator new[](std::size_t n) {
  return allocate(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}

namespace descent::io::test {
void reset_largest_allocation() {
  largest.store(0);
}
std::size_t largest_allocation() {
  return largest.load();
}
}  // namespace descent::io::test
