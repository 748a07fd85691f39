#include "simulator/sim_store.h"

#include <algorithm>

namespace iris::sim {

template <typename Fn>
void SimStore::complete_later(Fn fn) {
  std::uint64_t t = world_.now_us() + faults_.latency_us +
                    (faults_.jitter_us ? world_.rng().below(faults_.jitter_us + 1) : 0);
  t = std::max({t, last_done_us_, faults_.stall_until_us});
  last_done_us_ = t;  // FIFO: a request never completes before one issued earlier
  world_.at(t, [this, gen = generation_, fn = std::move(fn)]() mutable {
    if (gen == generation_) fn();
  });
}

void SimStore::append(std::vector<store::StoredMessage> messages, store::Completion done) {
  complete_later([this, messages = std::move(messages), done = std::move(done)]() mutable {
    Status st;
    std::uint64_t bytes = 0;
    for (const auto& m : messages) bytes += row_bytes(m);
    if (faults_.write_errors) {
      st = Status::io_error("simulated write error");
    } else if (faults_.capacity_bytes && used_bytes_ + bytes > faults_.capacity_bytes) {
      st = Status::disk_full("simulated disk full");
    }
    if (!st) {
      ++stats_.write_errors;
    } else {
      for (auto& m : messages) {
        auto& inbox = inboxes_[m.recipient];
        if (inbox.count(m.id)) continue;  // idempotent, like INSERT OR IGNORE
        used_bytes_ += row_bytes(m);
        recipient_of_[m.id] = m.recipient;
        ++stats_.messages;
        ++stats_.rows_written;
        inbox.emplace(m.id, std::move(m));
      }
      ++stats_.commits;
    }
    if (done) done(st);
  });
}

void SimStore::remove(std::vector<std::uint64_t> ids, store::Completion done) {
  complete_later([this, ids = std::move(ids), done = std::move(done)] {
    Status st;
    if (faults_.write_errors) {
      st = Status::io_error("simulated write error");
      ++stats_.write_errors;
    } else {
      for (std::uint64_t id : ids) {
        auto r = recipient_of_.find(id);
        if (r == recipient_of_.end()) continue;
        auto& inbox = inboxes_[r->second];
        auto it = inbox.find(id);
        if (it != inbox.end()) {
          used_bytes_ -= row_bytes(it->second);
          inbox.erase(it);
          --stats_.messages;
          ++stats_.rows_deleted;
        }
        if (inbox.empty()) inboxes_.erase(r->second);
        recipient_of_.erase(r);
      }
    }
    if (done) done(st);
  });
}

void SimStore::list_recipients(store::ListCompletion done) {
  complete_later([this, done = std::move(done)] {
    std::vector<std::string> out;
    for (const auto& [recipient, inbox] : inboxes_) {
      if (!inbox.empty()) out.push_back(recipient);
    }
    std::sort(out.begin(), out.end());  // the same order whatever the container's
    done(std::move(out));
  });
}

void SimStore::load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                          store::LoadCompletion done) {
  complete_later([this, recipient = std::move(recipient), after_id, limit, done = std::move(done)] {
    std::vector<store::StoredMessage> out;
    if (auto it = inboxes_.find(recipient); it != inboxes_.end()) {
      for (auto r = it->second.upper_bound(after_id); r != it->second.end() && out.size() < limit;
           ++r) {
        out.push_back(r->second);
      }
    }
    done(std::move(out));
  });
}

void SimStore::put_last_seen(std::string user, std::uint64_t ms, store::Completion done) {
  complete_later([this, user = std::move(user), ms, done = std::move(done)] {
    Status st;
    if (faults_.write_errors) {
      st = Status::io_error("simulated write error");
    } else {
      last_seen_[user] = ms;
    }
    if (done) done(st);
  });
}

void SimStore::get_last_seen(std::string user, store::LastSeenCompletion done) {
  complete_later([this, user = std::move(user), done = std::move(done)] {
    auto it = last_seen_.find(user);
    done(it == last_seen_.end() ? std::uint64_t{0} : it->second);
  });
}

std::vector<store::StoredMessage> SimStore::rows() const {
  std::vector<store::StoredMessage> out;
  for (const auto& [r, inbox] : inboxes_) {
    for (const auto& [id, m] : inbox) out.push_back(m);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace iris::sim
