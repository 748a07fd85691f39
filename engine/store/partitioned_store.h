#pragma once
// PartitionedStore: one Store over K partitions (SqliteStores, each with its own file and writer
// thread), so durable writes run in parallel. A row goes to partition (fnv1a(recipient) + bucket)
// mod K: a normal recipient lives in one partition, a hot recipient's buckets spread over several.
// Deletes fan out to every partition (unknown ids are ignored there); inbox loads fan out and
// merge by id. Last-seen lives in partition fnv1a(user) mod K; the incarnation in partition 0.
//
// Contract differences from a single store, both covered by the engine's idempotent retry: an
// append that fails in one partition may have landed in another (re-appending the same ids is
// harmless: rows are keyed by id). Thread-safe like its partitions; completions run on a
// partition's thread.

#include <memory>
#include <vector>

#include "engine/store/store.h"

namespace iris::store {

class PartitionedStore final : public Store {
 public:
  explicit PartitionedStore(std::vector<std::unique_ptr<Store>> partitions);
  ~PartitionedStore() override;

  void append(std::vector<StoredMessage> messages, Completion done) override;
  void remove(std::vector<std::uint64_t> ids, Completion done) override;
  void load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                  LoadCompletion done) override;
  void list_recipients(ListCompletion done) override;
  void put_last_seen(std::string user, std::uint64_t ms, Completion done) override;
  void get_last_seen(std::string user, LastSeenCompletion done) override;
  Result<std::uint64_t> next_incarnation() override;
  void flush() override;
  StoreStats stats() const override;

  std::size_t partitions() const { return parts_.size(); }
  static std::size_t partition_of(const std::string& recipient, std::uint32_t bucket,
                                  std::size_t partitions);

 private:
  struct Load;
  void load_round(std::shared_ptr<Load> load);  // one fan-out, merged
  std::vector<std::unique_ptr<Store>> parts_;
};

}  // namespace iris::store
