#pragma once
// Token bucket for rate limits: `rate` tokens per second, burst of one second's worth.

#include <algorithm>
#include <cstdint>

namespace iris::core {

class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(double rate, std::uint64_t now_us) : rate_(rate), tokens_(rate), last_us_(now_us) {}

  // Takes n tokens if available. On refusal, retry_after_ms says when n will be.
  bool take(double n, std::uint64_t now_us, std::uint32_t& retry_after_ms) {
    refill(now_us);
    if (tokens_ >= n) {
      tokens_ -= n;
      return true;
    }
    double wait_s = rate_ > 0 ? (n - tokens_) / rate_ : 1.0;
    retry_after_ms = static_cast<std::uint32_t>(std::clamp(wait_s * 1000.0 + 1.0, 1.0, 60000.0));
    return false;
  }

 private:
  void refill(std::uint64_t now_us) {
    if (now_us > last_us_) {
      tokens_ = std::min(rate_, tokens_ + rate_ * static_cast<double>(now_us - last_us_) / 1e6);
      last_us_ = now_us;
    }
  }
  double rate_ = 0;
  double tokens_ = 0;
  std::uint64_t last_us_ = 0;
};

}  // namespace iris::core
