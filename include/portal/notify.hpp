// portal/notify.hpp — NotificationScheduler: runs due referring-physician notifications
// (DIF-3) on a background thread, inside a long-running process such as portald.
#pragma once

#include <chrono>
#include <memory>

#include "portal/portal.hpp"
#include "portal/sharing.hpp"

namespace portal {

/// Calls Portal::run_notifications() every `interval` (real time) on its own thread; what is
/// due is decided by the portal's Clock, so tests drive it with a ManualClock. Optionally also
/// delivers the outbox after each pass. Errors of a pass are swallowed (the next pass retries).
/// start() and stop() are idempotent and thread-safe; the destructor stops.
class NotificationScheduler {
 public:
  /// `interval` <= 0 uses Options::notify_interval_seconds.
  explicit NotificationScheduler(std::shared_ptr<Portal> portal,
                                 std::chrono::milliseconds interval = std::chrono::milliseconds(0),
                                 bool deliver_mail = false);
  ~NotificationScheduler();
  NotificationScheduler(const NotificationScheduler&) = delete;
  NotificationScheduler& operator=(const NotificationScheduler&) = delete;

  void start();
  /// Stops the thread, waiting for a pass in progress to end.
  void stop();
  bool running() const;
  /// Makes the thread run a pass now instead of waiting for the interval.
  void wake();
  /// Passes completed since construction.
  std::uint64_t passes() const;
  /// Totals of the passes so far.
  NotificationReport totals() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portal
