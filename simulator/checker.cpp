#include "simulator/checker.h"

#include <algorithm>

#include "engine/core/types.h"

namespace iris::sim {

namespace {
std::string id(const std::string& sender, std::uint64_t cid) {
  return sender + "#" + std::to_string(cid);
}
}  // namespace

double percentile(std::vector<std::uint64_t> v, double p) {
  if (v.empty()) return 0;
  auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]);
}

void Checker::violate(const std::string& kind, std::string msg, std::string detail) {
  if (counts_[kind]++ < kKeptPerKind) {
    violations_.push_back({kind, std::move(msg), std::move(detail)});
  }
}

std::uint64_t Checker::count(const std::string& kind) const {
  auto it = counts_.find(kind);
  return it == counts_.end() ? 0 : it->second;
}

void Checker::on_send(const std::string& sender, const std::string& recipient, std::uint64_t cid,
                      const std::string& payload, std::uint64_t sent_us) {
  ++sent_;
  by_sender_[sender][cid] = Sent{recipient, core::fnv1a(payload), sent_us, false, false};
}

void Checker::on_acked(const std::string& sender, std::uint64_t cid, std::uint64_t now_us) {
  auto s = by_sender_.find(sender);
  if (s == by_sender_.end()) return;
  auto it = s->second.find(cid);
  if (it == s->second.end() || it->second.acked) return;
  it->second.acked = true;
  ++acked_;
  ack_latencies_.push_back(now_us > it->second.sent_us ? now_us - it->second.sent_us : 0);
  if (it->second.delivered) ++acked_delivered_;
}

void Checker::on_delivered(const std::string& recipient, const std::string& sender,
                           std::uint64_t cid, const std::string& payload, std::uint64_t now_us) {
  ++delivered_;
  ++deliveries_;
  last_delivery_us_ = now_us;
  auto s = by_sender_.find(sender);
  auto it = s == by_sender_.end() ? decltype(s->second.end()){} : s->second.find(cid);
  if (s == by_sender_.end() || it == s->second.end()) {
    violate("phantom", id(sender, cid),
            id(sender, cid) + " delivered to " + recipient + " was never sent");
    return;
  }
  Sent& m = it->second;
  if (m.recipient != recipient) {
    violate("misdirected", id(sender, cid),
            id(sender, cid) + " for " + m.recipient + " delivered to " + recipient);
    return;
  }
  if (m.payload_hash != core::fnv1a(payload)) {
    violate("corrupted", id(sender, cid), id(sender, cid) + " delivered with another payload");
  }
  if (m.delivered) {
    violate("duplicated", id(sender, cid), id(sender, cid) + " delivered twice to " + recipient);
    return;
  }
  m.delivered = true;
  if (m.acked) ++acked_delivered_;
  latencies_.push_back(now_us > m.sent_us ? now_us - m.sent_us : 0);
  std::string pair = recipient + '\0' + sender;
  auto& last = last_cid_[pair];
  if (cid < last) {
    violate("reordered", id(sender, cid),
            id(sender, cid) + " delivered to " + recipient + " after " + id(sender, last) +
                ", sent later");
  } else {
    last = cid;
  }
}

void Checker::on_released(const std::string& recipient, const std::string& sender,
                          std::uint64_t cid) {
  auto s = by_sender_.find(sender);
  if (s == by_sender_.end()) return;
  auto it = s->second.find(cid);
  if (it == s->second.end() || !it->second.delivered || it->second.recipient != recipient) return;
  it->second.delivered = false;
  --delivered_;
  ++released_;
  if (it->second.acked) --acked_delivered_;
  auto& last = last_cid_[recipient + '\0' + sender];
  last = std::min(last, cid - 1);
}

std::vector<std::string> Checker::unacknowledged(std::size_t limit) const {
  std::vector<std::string> out;
  for (const auto& [sender, msgs] : by_sender_) {
    for (const auto& [cid, m] : msgs) {
      if (!m.acked && out.size() < limit) {
        out.push_back(id(sender, cid) + " -> " + m.recipient + (m.delivered ? " (delivered)" : ""));
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Checker::finish() {
  for (const auto& [sender, msgs] : by_sender_) {
    for (const auto& [cid, m] : msgs) {
      if (m.acked && !m.delivered) {
        violate("lost", id(sender, cid),
                id(sender, cid) + " for " + m.recipient + " acknowledged, never delivered");
      }
    }
  }
}

}  // namespace iris::sim
