#pragma once
// Log-bucketed latency histogram (HDR-style, ~6% relative error): values are bucketed by their
// top 4 significant bits below each power of two. One writer thread records with relaxed atomics,
// any thread may read; snapshots from several shards merge by adding buckets.

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace iris::metrics {

inline constexpr int kSubBucketBits = 4;                      // 16 sub-buckets per octave
inline constexpr int kSubBuckets = 1 << kSubBucketBits;
inline constexpr int kBuckets = (64 - kSubBucketBits + 1) * kSubBuckets;

// Plain-value copy of a histogram, mergeable and queryable.
struct HistogramSnapshot {
  std::array<std::uint64_t, kBuckets> counts{};
  std::uint64_t total = 0;
  std::uint64_t sum = 0;
  std::uint64_t max = 0;

  void merge(const HistogramSnapshot& other);
  // Value at quantile q in [0,1] (upper edge of the bucket holding it); 0 when empty.
  std::uint64_t quantile(double q) const;
  double mean() const { return total ? static_cast<double>(sum) / static_cast<double>(total) : 0; }
};

int bucket_of(std::uint64_t value);
std::uint64_t bucket_upper(int bucket);

class Histogram {
 public:
  void record(std::uint64_t value);  // single writer
  HistogramSnapshot snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> max_{0};
};

// Single-writer counter: increment without a locked read-modify-write.
class Counter {
 public:
  void add(std::uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Gauge {
 public:
  void set(std::int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t d) { v_.store(v_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed); }
  std::int64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

}  // namespace iris::metrics
