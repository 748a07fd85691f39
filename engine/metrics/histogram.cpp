#include "engine/metrics/histogram.h"

#include <algorithm>
#include <bit>

namespace iris::metrics {

int bucket_of(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<int>(value);
  int msb = 63 - std::countl_zero(value);             // >= kSubBucketBits
  int shift = msb - kSubBucketBits;                    // drop all but the top bits
  int sub = static_cast<int>((value >> shift) & (kSubBuckets - 1));
  return (shift + 1) * kSubBuckets + sub;
}

std::uint64_t bucket_upper(int bucket) {
  if (bucket < kSubBuckets) return static_cast<std::uint64_t>(bucket);
  int shift = bucket / kSubBuckets - 1;
  std::uint64_t sub = static_cast<std::uint64_t>(bucket % kSubBuckets);
  std::uint64_t base = (std::uint64_t{kSubBuckets} | sub) << shift;
  return base + ((std::uint64_t{1} << shift) - 1);
}

void Histogram::record(std::uint64_t value) {
  auto& c = counts_[static_cast<std::size_t>(bucket_of(value))];
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  total_.store(total_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  sum_.store(sum_.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
  if (value > max_.load(std::memory_order_relaxed)) max_.store(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    s.counts[i] = counts_[i].load(std::memory_order_relaxed);
    s.total += s.counts[i];
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  s.max = max_.load(std::memory_order_relaxed);
  return s;
}

void HistogramSnapshot::merge(const HistogramSnapshot& other) {
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  total += other.total;
  sum += other.sum;
  max = std::max(max, other.max);
}

std::uint64_t HistogramSnapshot::quantile(double q) const {
  if (total == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total - 1)) + 1;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) return std::min(bucket_upper(static_cast<int>(i)), max);
  }
  return max;
}

}  // namespace iris::metrics
