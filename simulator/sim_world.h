#pragma once
// World: the simulator's event loop. Virtual time, one queue of timed events, one seeded random
// source and a running hash of what happened (the trace hash). One thread, no real time: a run is
// a pure function of its seed and inputs, so the same seed replays it exactly.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace iris::sim {

// An event's callback: a move-only callable that keeps its capture (up to kInline bytes: ids,
// pointers, a buffer, a shard message) in place instead of on the heap, as std::function would
// past 16 bytes. The simulator's events fit, so scheduling one allocates nothing.
class Task {
 public:
  // Room for the largest common capture: a shard message (a variant of a few strings) with the
  // node, shard and generation it is for.
  static constexpr std::size_t kInline = 224;

  Task() = default;
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Task> &&
                                        std::is_invocable_r_v<void, std::decay_t<F>&>>>
  Task(F&& f) {  // NOLINT: implicit, like std::function
    using T = std::decay_t<F>;
    if constexpr (sizeof(T) <= kInline && alignof(T) <= alignof(std::max_align_t) &&
                  std::is_nothrow_move_constructible_v<T>) {
      ::new (static_cast<void*>(buf_)) T(std::forward<F>(f));
      ops_ = &kInlineOps<T>;
    } else {
      ::new (static_cast<void*>(buf_)) T*(new T(std::forward<F>(f)));
      ops_ = &kHeapOps<T>;
    }
  }
  Task(Task&& o) noexcept { take(o); }
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }
  void operator()() { ops_->call(buf_); }
  void reset() {
    if (ops_ != nullptr) {
      ops_->destroy(buf_);
      ops_ = nullptr;
    }
  }

 private:
  struct Ops {
    void (*call)(void*);
    void (*move)(void* dst, void* src);  // constructs dst from src, destroys src
    void (*destroy)(void*);
  };
  template <typename T>
  static constexpr Ops kInlineOps{
      [](void* p) { (*static_cast<T*>(p))(); },
      [](void* dst, void* src) {
        ::new (dst) T(std::move(*static_cast<T*>(src)));
        static_cast<T*>(src)->~T();
      },
      [](void* p) { static_cast<T*>(p)->~T(); }};
  template <typename T>
  static constexpr Ops kHeapOps{
      [](void* p) { (**static_cast<T**>(p))(); },
      [](void* dst, void* src) { ::new (dst) T*(*static_cast<T**>(src)); },
      [](void* p) { delete *static_cast<T**>(p); }};

  void take(Task& o) {
    if (o.ops_ == nullptr) return;
    o.ops_->move(buf_, o.buf_);
    ops_ = o.ops_;
    o.ops_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char buf_[kInline];
  const Ops* ops_ = nullptr;
};

// xoshiro256** seeded through splitmix64: fast, good enough, and the same on every machine.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  std::uint64_t next();
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(double p) { return unit() < p; }
  // Seconds until the next event of a Poisson process with this rate (per second).
  double exponential_s(double per_s);

 private:
  std::uint64_t s_[4];
};

class World {
 public:
  // Virtual time starts at a fixed Unix time (2026-01-01), so wall-clock logic (tokens, last
  // seen) sees plausible values.
  static constexpr std::uint64_t kEpochUs = 1'767'225'600'000'000ull;

  explicit World(std::uint64_t seed) : seed_(seed), rng_(seed) {}

  std::uint64_t seed() const { return seed_; }
  std::uint64_t now_us() const { return now_; }
  Rng& rng() { return rng_; }

  // Runs `fn` at time t (not before now). Events at the same time run in the order scheduled.
  void at(std::uint64_t t, Task fn);
  void after(std::uint64_t dt, Task fn) { at(now_ + dt, std::move(fn)); }

  // Runs the next event; false when there is none.
  bool step();
  // Runs events up to and including time t (then sets the clock to t), at most max_events.
  // Returns the number run.
  std::uint64_t run_until(std::uint64_t t, std::uint64_t max_events = ~0ull);

  // Paced run, for a console watching a live cluster: runs events so that virtual time advances
  // `speed` times as fast as real time (sleeping when ahead), for `real_us` of real time, then
  // returns. speed <= 0: as fast as possible for that long. Where it stops does not change which
  // events run in which order, so a paced run keeps the trace of its seed.
  void run_paced(double speed, std::uint64_t real_us);

  // Mixes a record of something that happened into the trace hash.
  void trace(std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0, std::uint64_t d = 0);
  std::uint64_t trace_hash() const { return hash_; }
  std::uint64_t events_run() const { return events_; }
  std::size_t pending() const { return heap_.size(); }

 private:
  // The heap holds small plain entries (time, order, slot) and the callbacks sit still in slots:
  // sifting moves 24 bytes instead of a std::function, and freed slots are reused.
  struct Entry {
    std::uint64_t t;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.t != b.t ? a.t > b.t : a.seq > b.seq;
    }
  };

  std::uint64_t seed_;
  Rng rng_;
  std::uint64_t now_ = kEpochUs;
  std::uint64_t seq_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t hash_ = 14695981039346656037ull;
  std::vector<Entry> heap_;
  std::vector<Task> slots_;
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace iris::sim
