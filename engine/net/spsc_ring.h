#pragma once
// Bounded single-producer / single-consumer ring: lock-free, one slot array allocated up front.
// One thread may push, one (other) thread may pop. Capacity is a power of two.

#include <atomic>
#include <cassert>
#include <cstddef>
#include <vector>

namespace iris::net {

template <typename T>
class SpscRing {
 public:
  explicit SpscRing(std::size_t capacity) : slots_(capacity), mask_(capacity - 1) {
    assert(capacity >= 2 && (capacity & mask_) == 0);
  }

  // Producer only. False when full (the item is left untouched).
  bool try_push(T& item) {
    std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_.load(std::memory_order_acquire) == slots_.size()) return false;
    slots_[tail & mask_] = std::move(item);
    tail_.store(tail + 1, std::memory_order_release);  // publishes the slot
    return true;
  }

  // Consumer only. False when empty.
  bool try_pop(T& out) {
    std::size_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_.load(std::memory_order_acquire)) return false;
    out = std::move(slots_[head & mask_]);
    head_.store(head + 1, std::memory_order_release);  // frees the slot
    return true;
  }

  std::size_t size() const {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }
  std::size_t capacity() const { return slots_.size(); }

 private:
  std::vector<T> slots_;
  const std::size_t mask_;
  alignas(64) std::atomic<std::size_t> head_{0};  // next slot to pop (consumer's)
  alignas(64) std::atomic<std::size_t> tail_{0};  // next slot to fill (producer's)
};

}  // namespace iris::net
