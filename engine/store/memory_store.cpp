#include "engine/store/memory_store.h"

#include <algorithm>
#include <utility>

namespace iris::store {

void MemoryStore::append(std::vector<StoredMessage> messages, Completion done) {
  Status result;
  {
    std::lock_guard lock(mu_);
    if (!fail_writes_.is_ok()) {
      result = fail_writes_;
      ++stats_.write_errors;
    } else {
      // An id already stored is ignored, like SqliteStore's INSERT OR IGNORE (idempotent retry).
      for (auto& m : messages) {
        if (!owner_.emplace(m.id, m.recipient).second) continue;
        const std::uint64_t id = m.id;
        inboxes_[m.recipient].emplace(id, std::move(m));
        ++stats_.messages;
        ++stats_.rows_written;
      }
      ++stats_.commits;
    }
  }
  if (done) done(std::move(result));
}

void MemoryStore::remove(std::vector<std::uint64_t> ids, Completion done) {
  Status result;
  {
    std::lock_guard lock(mu_);
    if (!fail_writes_.is_ok()) {
      result = fail_writes_;
      ++stats_.write_errors;
    } else {
      for (std::uint64_t id : ids) {
        auto owner = owner_.find(id);
        if (owner == owner_.end()) continue;  // unknown or already removed
        auto inbox = inboxes_.find(owner->second);
        inbox->second.erase(id);
        if (inbox->second.empty()) inboxes_.erase(inbox);
        owner_.erase(owner);
        --stats_.messages;
        ++stats_.rows_deleted;
      }
      ++stats_.commits;
    }
  }
  if (done) done(std::move(result));
}

void MemoryStore::set_fail_reads(Status s) {
  std::lock_guard lock(mu_);
  fail_reads_ = std::move(s);
}

void MemoryStore::load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                             LoadCompletion done) {
  std::vector<StoredMessage> out;
  Status failure;
  {
    std::lock_guard lock(mu_);
    failure = fail_reads_;
    auto inbox = inboxes_.find(recipient);
    if (failure.is_ok() && inbox != inboxes_.end()) {
      for (auto it = inbox->second.upper_bound(after_id);
           it != inbox->second.end() && out.size() < limit; ++it) {
        out.push_back(it->second);
      }
    }
  }
  if (!done) return;
  if (!failure.is_ok()) {
    done(std::move(failure));
  } else {
    done(std::move(out));
  }
}

void MemoryStore::list_recipients(ListCompletion done) {
  std::vector<std::string> out;
  Status failure;
  {
    std::lock_guard lock(mu_);
    failure = fail_reads_;
    for (const auto& [recipient, inbox] : inboxes_) {
      if (!inbox.empty()) out.push_back(recipient);
    }
  }
  std::sort(out.begin(), out.end());
  if (!done) return;
  if (!failure.is_ok()) {
    done(std::move(failure));
  } else {
    done(std::move(out));
  }
}

void MemoryStore::put_last_seen(std::string user, std::uint64_t ms, Completion done) {
  Status result;
  {
    std::lock_guard lock(mu_);
    if (!fail_writes_.is_ok()) {
      result = fail_writes_;
      ++stats_.write_errors;
    } else {
      last_seen_[std::move(user)] = ms;
      ++stats_.commits;
    }
  }
  if (done) done(std::move(result));
}

void MemoryStore::get_last_seen(std::string user, LastSeenCompletion done) {
  std::uint64_t ms = 0;
  {
    std::lock_guard lock(mu_);
    auto it = last_seen_.find(user);
    if (it != last_seen_.end()) ms = it->second;
  }
  if (done) done(ms);
}

Result<std::uint64_t> MemoryStore::next_incarnation() {
  std::lock_guard lock(mu_);
  return ++incarnation_;
}

StoreStats MemoryStore::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void MemoryStore::set_fail_writes(Status s) {
  std::lock_guard lock(mu_);
  fail_writes_ = std::move(s);
}

}  // namespace iris::store
