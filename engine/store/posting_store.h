#pragma once
// PostingStore: a Store that forwards every request to another one and hands each completion to
// a Post function instead of running it where the inner store finished. Drivers use it to bring
// completions back to a shard's thread (the real driver posts to the worker's io_context; the
// simulator and the test harness queue them), which is the ShardEnv contract. Both the inner
// store and whatever Post captures must outlive it.

#include <functional>
#include <memory>

#include "engine/store/store.h"

namespace iris::store {

class PostingStore final : public Store {
 public:
  using Post = std::function<void(std::function<void()>)>;

  PostingStore(Store& inner, Post post) : inner_(inner), post_(std::move(post)) {}

 private:  // (defined before its uses: its return type is deduced)
  // Wraps `done` so that it runs through post_ with the inner store's result.
  template <typename Done>
  auto later(Done done) {
    return [post = post_, done = std::move(done)](auto result) mutable {
      auto shared = std::make_shared<decltype(result)>(std::move(result));
      post([done = std::move(done), shared]() mutable {
        if (done) done(std::move(*shared));
      });
    };
  }

 public:
  void append(std::vector<StoredMessage> m, Completion done) override {
    inner_.append(std::move(m), later(std::move(done)));
  }
  void remove(std::vector<std::uint64_t> ids, Completion done) override {
    inner_.remove(std::move(ids), later(std::move(done)));
  }
  void load_inbox(std::string r, std::uint64_t after, std::size_t limit,
                  LoadCompletion done) override {
    inner_.load_inbox(std::move(r), after, limit, later(std::move(done)));
  }
  void list_recipients(ListCompletion done) override {
    inner_.list_recipients(later(std::move(done)));
  }
  void put_last_seen(std::string u, std::uint64_t ms, Completion done) override {
    inner_.put_last_seen(std::move(u), ms, later(std::move(done)));
  }
  void get_last_seen(std::string u, LastSeenCompletion done) override {
    inner_.get_last_seen(std::move(u), later(std::move(done)));
  }
  Result<std::uint64_t> next_incarnation() override { return inner_.next_incarnation(); }
  void flush() override { inner_.flush(); }
  StoreStats stats() const override { return inner_.stats(); }

 private:
  Store& inner_;
  Post post_;
};

}  // namespace iris::store
