#pragma once
// The Prometheus text exposition format (version 0.0.4): one # HELP and # TYPE line per metric
// family, then its samples. Names and label names are checked; label values are escaped.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iris::admin {

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  // A family starts with its first sample; later samples of the same name add to it (their
  // family must be declared contiguously, as the format requires).
  void counter(std::string_view name, std::string_view help, double value, const Labels& labels = {});
  void gauge(std::string_view name, std::string_view help, double value, const Labels& labels = {});
  // A summary of precomputed quantiles (e.g. latency p50/p99/p999) with its _sum and _count.
  void summary(std::string_view name, std::string_view help,
               const std::vector<std::pair<double, double>>& quantiles, double sum,
               std::uint64_t count, const Labels& labels = {});

  const std::string& text() const { return out_; }

  static bool valid_name(std::string_view name);

 private:
  void family(std::string_view name, std::string_view help, const char* type);
  void sample(std::string_view name, const Labels& labels, double value);

  std::string out_;
  std::string current_;  // the family being written
};

}  // namespace iris::admin
