#include "engine/store/partitioned_store.h"

#include <algorithm>
#include <cassert>
#include <mutex>

#include "engine/common/hash.h"

namespace iris::store {

namespace {

// Collects the completions of one request fanned out to n partitions; the last one reports the
// first error, or OK.
class Join {
 public:
  Join(std::size_t n, Completion done) : remaining_(n), done_(std::move(done)) {}
  void finish(Status s) {
    Completion done;
    Status result;
    {
      std::lock_guard lock(mu_);
      if (!s && first_error_.is_ok()) first_error_ = std::move(s);
      if (--remaining_ > 0) return;
      done = std::move(done_);
      result = std::move(first_error_);
    }
    if (done) done(std::move(result));
  }

 private:
  std::mutex mu_;
  std::size_t remaining_;
  Status first_error_;
  Completion done_;
};

}  // namespace

// One inbox load across partitions, possibly over several rounds (see load_round).
struct PartitionedStore::Load {
  std::string recipient;
  std::size_t limit = 0;
  LoadCompletion done;
  std::mutex mu;
  std::vector<StoredMessage> rows;         // every row seen so far
  std::vector<std::uint64_t> cursor;       // per partition: last id seen (or after_id)
  std::vector<bool> exhausted;             // per partition: returned fewer than limit
  std::size_t pending = 0;                 // partitions yet to answer
  Status error;
};

PartitionedStore::PartitionedStore(std::vector<std::unique_ptr<Store>> partitions)
    : parts_(std::move(partitions)) {
  assert(!parts_.empty());
}

PartitionedStore::~PartitionedStore() = default;

std::size_t PartitionedStore::partition_of(const std::string& recipient, std::uint32_t bucket,
                                           std::size_t partitions) {
  return static_cast<std::size_t>((fnv1a(recipient) + bucket) % partitions);
}

void PartitionedStore::append(std::vector<StoredMessage> messages, Completion done) {
  if (parts_.size() == 1) {
    parts_[0]->append(std::move(messages), std::move(done));
    return;
  }
  std::vector<std::vector<StoredMessage>> per(parts_.size());
  for (auto& m : messages) per[partition_of(m.recipient, m.bucket, parts_.size())].push_back(std::move(m));
  std::size_t used = static_cast<std::size_t>(
      std::count_if(per.begin(), per.end(), [](const auto& v) { return !v.empty(); }));
  if (used == 0) {
    if (done) done(Status::ok());
    return;
  }
  auto join = std::make_shared<Join>(used, std::move(done));
  for (std::size_t p = 0; p < per.size(); ++p) {
    if (per[p].empty()) continue;
    parts_[p]->append(std::move(per[p]), [join](Status s) { join->finish(std::move(s)); });
  }
}

void PartitionedStore::remove(std::vector<std::uint64_t> ids, Completion done) {
  if (parts_.size() == 1) {
    parts_[0]->remove(std::move(ids), std::move(done));
    return;
  }
  auto join = std::make_shared<Join>(parts_.size(), std::move(done));
  for (auto& part : parts_) part->remove(ids, [join](Status s) { join->finish(std::move(s)); });
}

// Every partition's list, merged (a hot recipient's buckets may be in several).
void PartitionedStore::list_recipients(ListCompletion done) {
  struct List {
    std::mutex mu;
    std::size_t pending = 0;
    std::vector<std::string> out;
    Status error;
    ListCompletion done;
  };
  auto list = std::make_shared<List>();
  list->pending = parts_.size();
  list->done = std::move(done);
  for (auto& part : parts_) {
    part->list_recipients([list](Result<std::vector<std::string>> r) {
      std::unique_lock lock(list->mu);
      if (!r) {
        if (list->error.is_ok()) list->error = r.status();
      } else {
        list->out.insert(list->out.end(), r->begin(), r->end());
      }
      if (--list->pending > 0) return;
      lock.unlock();
      if (!list->done) return;
      if (!list->error.is_ok()) return list->done(list->error);
      std::sort(list->out.begin(), list->out.end());
      list->out.erase(std::unique(list->out.begin(), list->out.end()), list->out.end());
      list->done(std::move(list->out));
    });
  }
}

void PartitionedStore::load_inbox(std::string recipient, std::uint64_t after_id, std::size_t limit,
                                  LoadCompletion done) {
  if (parts_.size() == 1) {
    parts_[0]->load_inbox(std::move(recipient), after_id, limit, std::move(done));
    return;
  }
  auto load = std::make_shared<Load>();
  load->recipient = std::move(recipient);
  load->limit = std::max<std::size_t>(limit, 1);
  load->done = std::move(done);
  load->cursor.assign(parts_.size(), after_id);
  load->exhausted.assign(parts_.size(), false);
  load_round(std::move(load));
}

// Asks every partition for `limit` rows after the cursor and merges by id. Every row with
// id <= bound is then known, bound being the smallest last id among partitions that returned a
// full page (they may hold more). The partition defining the bound contributed `limit` rows, all
// <= bound, so whenever more may exist at least `limit` known rows are returned: one round keeps
// the contract "fewer than limit rows means no more".
void PartitionedStore::load_round(std::shared_ptr<Load> load) {
  load->pending = parts_.size();
  for (std::size_t p = 0; p < parts_.size(); ++p) {
    parts_[p]->load_inbox(load->recipient, load->cursor[p], load->limit,
                          [this, load, p](Result<std::vector<StoredMessage>> r) {
      std::unique_lock lock(load->mu);
      if (!r) {
        if (load->error.is_ok()) load->error = r.status();
      } else {
        load->exhausted[p] = r->size() < load->limit;
        if (!r->empty()) load->cursor[p] = r->back().id;
        for (auto& row : *r) load->rows.push_back(std::move(row));
      }
      if (--load->pending > 0) return;
      if (!load->error.is_ok()) {
        lock.unlock();
        load->done(load->error);
        return;
      }
      std::uint64_t bound = ~std::uint64_t{0};
      [[maybe_unused]] bool more = false;  // checked by the assert below
      for (std::size_t q = 0; q < parts_.size(); ++q) {
        if (!load->exhausted[q]) {
          bound = std::min(bound, load->cursor[q]);
          more = true;
        }
      }
      std::sort(load->rows.begin(), load->rows.end(),
                [](const StoredMessage& a, const StoredMessage& b) { return a.id < b.id; });
      auto known = static_cast<std::size_t>(
          std::upper_bound(load->rows.begin(), load->rows.end(), bound,
                           [](std::uint64_t v, const StoredMessage& m) { return v < m.id; }) -
          load->rows.begin());
      assert(!more || known >= load->limit);
      load->rows.resize(std::min({known, load->limit, load->rows.size()}));
      auto rows = std::move(load->rows);
      lock.unlock();
      load->done(std::move(rows));
    });
  }
}

void PartitionedStore::put_last_seen(std::string user, std::uint64_t ms, Completion done) {
  auto p = partition_of(user, 0, parts_.size());
  parts_[p]->put_last_seen(std::move(user), ms, std::move(done));
}

void PartitionedStore::get_last_seen(std::string user, LastSeenCompletion done) {
  auto p = partition_of(user, 0, parts_.size());
  parts_[p]->get_last_seen(std::move(user), std::move(done));
}

Result<std::uint64_t> PartitionedStore::next_incarnation() { return parts_[0]->next_incarnation(); }

void PartitionedStore::flush() {
  for (auto& p : parts_) p->flush();
}

StoreStats PartitionedStore::stats() const {
  StoreStats total;
  for (const auto& p : parts_) {
    auto s = p->stats();
    total.messages += s.messages;
    total.commits += s.commits;
    total.rows_written += s.rows_written;
    total.rows_deleted += s.rows_deleted;
    total.write_errors += s.write_errors;
  }
  return total;
}

}  // namespace iris::store
