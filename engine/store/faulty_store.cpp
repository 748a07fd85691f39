#include "engine/store/faulty_store.h"

#include <chrono>
#include <memory>

namespace iris::store {

namespace {
std::uint64_t now_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}
}  // namespace

FaultyStore::FaultyStore(Store& inner) : inner_(inner), thread_([this] { run(); }) {}

FaultyStore::~FaultyStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void FaultyStore::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (held_.empty()) {
      if (stopping_) return;
      cv_.wait(lock);
      continue;
    }
    const std::uint64_t now = now_us();
    if (!stopping_ && held_.front().first > now) {
      cv_.wait_for(lock, std::chrono::microseconds(held_.front().first - now));
      continue;
    }
    auto fn = std::move(held_.front().second);
    held_.pop_front();
    held_count_.fetch_sub(1, std::memory_order_relaxed);
    lock.unlock();
    fn();
    lock.lock();
  }
}

void FaultyStore::hold(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    std::uint64_t due = now_us() + latency_us_.load(std::memory_order_relaxed);
    if (!held_.empty()) due = std::max(due, held_.back().first);  // in order
    held_.emplace_back(due, std::move(fn));
    held_count_.fetch_add(1, std::memory_order_relaxed);
  }
  cv_.notify_all();
}

template <typename Done>
Done FaultyStore::delayed(Done done) {
  return [this, done = std::move(done)](auto result) mutable {
    if (latency_us_.load(std::memory_order_relaxed) == 0 &&
        held_count_.load(std::memory_order_relaxed) == 0) {
      done(std::move(result));
      return;
    }
    auto shared = std::make_shared<decltype(result)>(std::move(result));
    hold([done = std::move(done), shared]() mutable { done(std::move(*shared)); });
  };
}

void FaultyStore::append(std::vector<StoredMessage> messages, Completion done) {
  if (disk_full_.load(std::memory_order_relaxed)) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    delayed(std::move(done))(Status::disk_full("disk full (admin fault)"));
    return;
  }
  inner_.append(std::move(messages), delayed(std::move(done)));
}

void FaultyStore::remove(std::vector<std::uint64_t> ids, Completion done) {
  inner_.remove(std::move(ids), delayed(std::move(done)));
}

void FaultyStore::load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                             LoadCompletion done) {
  inner_.load_inbox(std::move(recipient), after_id, limit, delayed(std::move(done)));
}

void FaultyStore::list_recipients(ListCompletion done) {
  inner_.list_recipients(delayed(std::move(done)));
}

void FaultyStore::put_last_seen(std::string user, std::uint64_t ms, Completion done) {
  inner_.put_last_seen(std::move(user), ms, delayed(std::move(done)));
}

void FaultyStore::get_last_seen(std::string user, LastSeenCompletion done) {
  inner_.get_last_seen(std::move(user), delayed(std::move(done)));
}

void FaultyStore::flush() {
  inner_.flush();
  // Then what this store still holds back.
  std::unique_lock lock(mu_);
  while (!held_.empty()) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lock.lock();
  }
}

StoreStats FaultyStore::stats() const {
  StoreStats s = inner_.stats();
  s.write_errors += refused_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace iris::store
