// PartitionedStore: placement by (recipient, bucket), merged paged loads, fan-out deletes,
// partial failures.

#include <QtTest>

#include <random>
#include <set>

#include "engine/store/memory_store.h"
#include "engine/store/partitioned_store.h"
#include "engine/store/sqlite_store.h"

using namespace iris;
using namespace iris::store;

namespace {

struct Fixture {
  std::vector<MemoryStore*> mems;
  std::unique_ptr<PartitionedStore> store;
  explicit Fixture(std::size_t k) {
    std::vector<std::unique_ptr<Store>> parts;
    for (std::size_t i = 0; i < k; ++i) {
      auto m = std::make_unique<MemoryStore>();
      mems.push_back(m.get());
      parts.push_back(std::move(m));
    }
    store = std::make_unique<PartitionedStore>(std::move(parts));
  }
};

StoredMessage msg(std::uint64_t id, const std::string& to, std::uint32_t bucket) {
  return StoredMessage{id, to, "s" + std::to_string(id % 7), id * 10, id, bucket,
                       "p" + std::to_string(id), ""};
}

Status append_sync(Store& s, std::vector<StoredMessage> m) {
  Status out = Status::internal("not completed");
  s.append(std::move(m), [&](Status st) { out = std::move(st); });
  s.flush();
  return out;
}

std::vector<StoredMessage> load_sync(Store& s, const std::string& r, std::uint64_t after,
                                     std::size_t limit) {
  std::vector<StoredMessage> out;
  bool called = false;
  s.load_inbox(r, after, limit, [&](Result<std::vector<StoredMessage>> rows) {
    called = true;
    if (rows) out = std::move(rows.value());
  });
  s.flush();
  if (!called) qFatal("load did not complete");
  return out;
}

}  // namespace

class TestPartitionedStore : public QObject {
  Q_OBJECT

 private slots:
  void bucketsSpreadOverPartitions();
  void pagedLoadsMergeInIdOrder_data();
  void pagedLoadsMergeInIdOrder();
  void removeFansOut();
  void partialFailureReportsErrorAndRetryIsIdempotent();
  void lastSeenAndIncarnation();
  void sqlitePartitionsRoundTrip();
};

void TestPartitionedStore::bucketsSpreadOverPartitions() {
  Fixture f(4);
  std::vector<StoredMessage> batch;
  for (std::uint64_t i = 1; i <= 400; ++i) batch.push_back(msg(i, "messi", static_cast<std::uint32_t>(i % 4)));
  QVERIFY(append_sync(*f.store, batch).is_ok());
  std::set<std::size_t> used;
  for (std::size_t p = 0; p < 4; ++p) {
    auto n = f.mems[p]->stats().messages;
    if (n) used.insert(p);
    QVERIFY(n == 0 || n == 100);  // one bucket per partition here: (hash + bucket) mod 4
  }
  QCOMPARE(used.size(), std::size_t{4});
  // A normal recipient (bucket 0) stays in one partition.
  QVERIFY(append_sync(*f.store, {msg(1000, "bob", 0), msg(1001, "bob", 0)}).is_ok());
  auto p = PartitionedStore::partition_of("bob", 0, 4);
  QCOMPARE(load_sync(*f.mems[p], "bob", 0, 10).size(), std::size_t{2});
}

void TestPartitionedStore::pagedLoadsMergeInIdOrder_data() {
  QTest::addColumn<int>("partitions");
  QTest::addColumn<int>("rows");
  QTest::addColumn<int>("limit");
  QTest::addColumn<unsigned>("seed");
  for (unsigned seed = 1; seed <= 6; ++seed) {
    QTest::newRow(qPrintable(QString("k3 rows500 limit7 seed%1").arg(seed))) << 3 << 500 << 7 << seed;
  }
  QTest::newRow("k2 skewed") << 2 << 300 << 16 << 99u;
  QTest::newRow("k4 limit1") << 4 << 60 << 1 << 5u;
  QTest::newRow("k1") << 1 << 100 << 9 << 3u;
}

// Random buckets and ids: paging through the merged inbox yields every row once, in id order,
// and only the last page is short ("fewer than limit means no more").
void TestPartitionedStore::pagedLoadsMergeInIdOrder() {
  QFETCH(int, partitions);
  QFETCH(int, rows);
  QFETCH(int, limit);
  QFETCH(unsigned, seed);
  Fixture f(static_cast<std::size_t>(partitions));
  std::mt19937 rng(seed);
  std::vector<std::uint64_t> ids;
  std::uint64_t id = 0;
  std::vector<StoredMessage> batch;
  for (int i = 0; i < rows; ++i) {
    id += 1 + rng() % 5;
    ids.push_back(id);
    std::uint32_t bucket = seed == 99u ? (rng() % 10 == 0 ? 1 : 0) : rng() % 8;
    batch.push_back(msg(id, "messi", bucket));
  }
  batch.push_back(msg(id + 1, "someone-else", 0));
  QVERIFY(append_sync(*f.store, batch).is_ok());
  std::vector<std::uint64_t> seen;
  std::uint64_t after = 0;
  for (int page = 0; page < rows + 2; ++page) {
    auto got = load_sync(*f.store, "messi", after, static_cast<std::size_t>(limit));
    for (auto& m : got) {
      QCOMPARE(m.recipient, std::string("messi"));
      QCOMPARE(m.payload, "p" + std::to_string(m.id));
      seen.push_back(m.id);
    }
    if (got.size() < static_cast<std::size_t>(limit)) break;
    after = got.back().id;
  }
  QCOMPARE(seen, ids);
}

void TestPartitionedStore::removeFansOut() {
  Fixture f(3);
  std::vector<StoredMessage> batch;
  for (std::uint64_t i = 1; i <= 30; ++i) batch.push_back(msg(i, "messi", static_cast<std::uint32_t>(i % 3)));
  QVERIFY(append_sync(*f.store, batch).is_ok());
  Status st = Status::internal("not completed");
  f.store->remove({1, 2, 3, 4, 5, 6, 999}, [&](Status s) { st = s; });
  QVERIFY(st.is_ok());
  auto rest = load_sync(*f.store, "messi", 0, 100);
  QCOMPARE(rest.size(), std::size_t{24});
  QCOMPARE(rest.front().id, std::uint64_t{7});
  QCOMPARE(f.store->stats().messages, std::uint64_t{24});
}

void TestPartitionedStore::partialFailureReportsErrorAndRetryIsIdempotent() {
  Fixture f(2);
  std::vector<StoredMessage> batch;
  for (std::uint64_t i = 1; i <= 20; ++i) batch.push_back(msg(i, "messi", static_cast<std::uint32_t>(i % 2)));
  f.mems[1]->set_fail_writes(Status::disk_full("full"));
  auto st = append_sync(*f.store, batch);
  QCOMPARE(st.code(), StatusCode::kDiskFull);
  QCOMPARE(f.store->stats().messages, std::uint64_t{10});  // the other partition took its half
  f.mems[1]->set_fail_writes(Status::ok());
  QVERIFY(append_sync(*f.store, batch).is_ok());  // the engine's retry: same ids again
  QCOMPARE(f.store->stats().messages, std::uint64_t{20});
  QCOMPARE(load_sync(*f.store, "messi", 0, 100).size(), std::size_t{20});
}

void TestPartitionedStore::lastSeenAndIncarnation() {
  Fixture f(3);
  f.store->put_last_seen("alice", 1234, nullptr);
  std::uint64_t got = 0;
  f.store->get_last_seen("alice", [&](Result<std::uint64_t> r) { got = r ? *r : 0; });
  QCOMPARE(got, std::uint64_t{1234});
  auto p = PartitionedStore::partition_of("alice", 0, 3);
  std::uint64_t direct = 0;
  f.mems[p]->get_last_seen("alice", [&](Result<std::uint64_t> r) { direct = r ? *r : 0; });
  QCOMPARE(direct, std::uint64_t{1234});
  QCOMPARE(*f.store->next_incarnation(), std::uint64_t{1});
  QCOMPARE(*f.store->next_incarnation(), std::uint64_t{2});
}

void TestPartitionedStore::sqlitePartitionsRoundTrip() {
  QTemporaryDir dir;
  std::vector<std::unique_ptr<Store>> parts;
  for (int i = 0; i < 2; ++i) {
    SqliteStoreOptions o;
    o.path = (dir.path() + QString("/inbox-%1.db").arg(i)).toStdString();
    auto s = SqliteStore::open(o);
    QVERIFY2(s.is_ok(), s.status().to_string().c_str());
    parts.push_back(std::move(s.value()));
  }
  PartitionedStore store(std::move(parts));
  std::vector<StoredMessage> batch;
  for (std::uint64_t i = 1; i <= 1000; ++i) batch.push_back(msg(i, "messi", static_cast<std::uint32_t>(i % 4)));
  QVERIFY(append_sync(store, batch).is_ok());
  std::vector<std::uint64_t> seen;
  std::uint64_t after = 0;
  for (;;) {
    auto page = load_sync(store, "messi", after, 64);
    for (auto& m : page) seen.push_back(m.id);
    if (page.size() < 64) break;
    after = page.back().id;
  }
  QCOMPARE(seen.size(), std::size_t{1000});
  QVERIFY(std::is_sorted(seen.begin(), seen.end()));
}

QTEST_GUILESS_MAIN(TestPartitionedStore)
#include "tst_partitioned_store.moc"
