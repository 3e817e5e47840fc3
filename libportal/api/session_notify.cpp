// [sharing] referring-physician notifications (DIF-2..4), the physician directory (DIF-7) and
// study information (LIST-7): Session and Portal calls, the scheduling hook and the scheduler.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "libportal/api/accounts_util.hpp"
#include "libportal/api/notifications.hpp"
#include "libportal/api/state.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/sharing/directory_csv.hpp"
#include "libportal/sharing/rules.hpp"
#include "portal/error.hpp"
#include "portal/notify.hpp"
#include "portal/portal.hpp"
#include "portal/session.hpp"

namespace portal {

namespace detail {
namespace {

Notification to_notification(PortalState& st, const NotificationRow& r) {
  Notification n;
  n.id = r.id;
  n.study_uid = r.study_uid;
  n.trigger = r.event;
  n.rule = r.rule;
  n.status = r.effective_status;
  n.error = r.effective_error;
  n.recipient = r.recipient;
  if (r.user_ref) {
    if (auto u = st.accounts->user_by_ref(r.user_ref)) n.recipient_login = u->login;
  }
  n.created_by = r.created_by;
  n.created_at = detail::iso8601_utc_ms(r.created_at);
  n.due_at = detail::iso8601_utc_ms(r.due_at);
  n.done_at = detail::iso8601_utc_ms(r.done_at);
  return n;
}

// The account of a study's referring physician: the linked identifier first, then the linked
// name, among active accounts (the oldest when several match). Sets `why` when there is none.
std::optional<UserRow> referring_account(PortalState& st, const std::string& study_uid,
                                         std::string& why) {
  auto [rid, rname] = st.sharing->study_referring(study_uid);
  if (rid.empty() && rname.empty()) {
    why = "the study names no referring physician";
    return std::nullopt;
  }
  std::optional<UserRow> by_name;
  for (auto& u : st.accounts->users("active")) {
    if (!rid.empty() && u.linked_physician_id == rid) return u;
    if (!by_name && !u.referring_name.empty() &&
        st.index->study(study_uid, referring_filter("", u.referring_name)))
      by_name = u;
  }
  if (by_name) return by_name;
  why = "no account is linked to the referring physician " +
        (rname.empty() ? std::string() : rname + " ") + (rid.empty() ? "" : "(" + rid + ")");
  while (!why.empty() && why.back() == ' ') why.pop_back();
  return std::nullopt;
}

// Runs one claimed notification: resolves the physician and queues the mail, or records the
// failure. Returns true when the mail was queued.
bool run_notification(PortalState& st, std::int64_t id, const std::string& study_uid,
                      const std::string& event, const Principal& who, const std::string& address) {
  std::string why;
  std::string patient_id = st.accounts->study_patient_id(study_uid);
  std::optional<UserRow> user;
  try {
    user = referring_account(st, study_uid, why);
    if (user && user->emails.empty()) {
      why = "the account " + user->login + " of the referring physician has no email address";
      user.reset();
    }
    if (user) {
      std::string lang = user->preferences.language.empty() ? st.options.default_language
                                                            : user->preferences.language;
      std::string name = user->first_name + (user->first_name.empty() ? "" : " ") +
                         user->last_name;
      if (user->last_name.empty()) name = user->login;
      auto mail = st.enqueue_mail(
          user->emails.front(),
          event == kTriggerReportAvailable ? "report_notification" : "study_notification", lang,
          {{"name", name}, {"link", st.link("/studies/" + study_uid)}});
      st.sharing->tag_mail(mail, study_uid);
      st.sharing->finish(id, "queued", "", user->emails.front(), user->id, mail, st.now_ms());
      st.audit(who, address,
               {"study_notify", "success", study_uid, patient_id,
                "#" + std::to_string(id) + " " + event + " to " + user->login});
      return true;
    }
  } catch (const Error& e) {
    why = e.what();
  }
  st.sharing->finish(id, "failure", why, "", 0, 0, st.now_ms());
  st.audit(who, address,
           {"study_notify", "failure", study_uid, patient_id,
            "#" + std::to_string(id) + " " + event + ": " + why});
  return false;
}

}  // namespace

void schedule_notifications(PortalState& st, const std::string& study_uid,
                            const std::string& trigger) {
  if (trigger != kTriggerStudyArrived && trigger != kTriggerReportAvailable)
    throw Error(ErrorCode::kInvalidArgument, "unknown notification trigger " + trigger);
  if (st.options.notify_rules.empty()) return;
  auto study = st.index->study(study_uid);
  if (!study) return;
  std::int64_t now = st.now_ms();
  for (const NotifyRule* r : applicable_rules(st.options.notify_rules, trigger, *study))
    st.sharing->schedule_once(study_uid, trigger, r->name,
                              now + std::int64_t(r->delay_minutes) * 60000, now);
}

}  // namespace detail

NotificationReport Portal::run_notifications() {
  auto& st = *state_;
  std::lock_guard lock(st.notify_mutex);
  NotificationReport report;
  auto system = st.system_principal();
  // Bounded: one pass handles what was due when it started.
  for (auto id : st.sharing->due(st.now_ms(), 1000)) {
    ++report.due;
    if (!st.sharing->claim(id)) continue;  // another process runs it
    auto row = st.sharing->notification(id);
    if (!row) continue;
    if (detail::run_notification(st, id, row->study_uid, row->event, system, "scheduler"))
      ++report.queued;
    else
      ++report.failed;
  }
  return report;
}

Notification Session::notify(const std::string& study_uid) {
  auto p = require_study(study_uid);
  if (!detail::has_right(p, std::string(kRightNotify)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not notify referring physicians");
  auto id = state_->sharing->insert_manual(study_uid, p.login, state_->now_ms());
  detail::run_notification(*state_, id, study_uid, "manual", p, address());
  auto row = state_->sharing->notification(id);
  if (!row) throw Error(ErrorCode::kInternal, "the notification vanished");
  return detail::to_notification(*state_, *row);
}

std::vector<Notification> Session::notifications(const std::string& study_uid) const {
  auto p = require_study(study_uid);
  if (!detail::is_privileged(p))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not list notifications");
  std::vector<Notification> out;
  for (const auto& r : state_->sharing->notifications(study_uid))
    out.push_back(detail::to_notification(*state_, r));
  return out;
}

PhysicianImportReport Session::import_physicians(const std::string& csv) {
  auto p = require_admin();
  auto rows = detail::parse_directory_csv(csv);
  auto report = state_->sharing->import_physicians(rows, state_->now_ms());
  state_->audit(p, address(),
                {"directory_import", "success", "", "",
                 std::to_string(report.added) + " added, " + std::to_string(report.updated) +
                     " updated"});
  return report;
}

std::vector<Physician> Session::find_physicians(const PhysicianQuery& query) const {
  auto p = current();
  if (!detail::has_right(p, std::string(kRightShare)) &&
      !detail::has_right(p, std::string(kRightNotify)) && !detail::may_administer(p))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not search the directory");
  if (query.limit < 1 || query.limit > 500)
    throw Error(ErrorCode::kInvalidArgument, "the limit must be 1 to 500");
  return state_->sharing->find_physicians(query);
}

StudyInfo Session::study_info(const std::string& study_uid) const {
  auto p = current();
  auto s = state_->index->study(study_uid, detail::study_filter(p, state_->now_ms()));
  if (!s) {
    state_->audit(p, address(), {"study_info", "not_found", study_uid});
    throw Error(ErrorCode::kNotFound, "no study " + study_uid);
  }
  state_->audit(p, address(), {"study_info", "success", study_uid, s->patient.patient_id});
  StudyInfo info;
  detail::redact_study(p, *s);
  info.study = std::move(*s);
  info.series = state_->index->series(study_uid);
  info.privileged = detail::is_privileged(p);
  if (info.privileged) {
    info.shares = shares(study_uid);
    for (const auto& r : state_->sharing->notifications(study_uid))
      info.notifications.push_back(detail::to_notification(*state_, r));
    info.mail_errors = state_->sharing->mail_errors(study_uid);
  } else {
    // The notification status is for those who may notify or see the list.
    info.study.notification_status.clear();
    info.study.notification_error.clear();
  }
  return info;
}

// --- NotificationScheduler -----------------------------------------------------------------

struct NotificationScheduler::Impl {
  std::shared_ptr<Portal> portal;
  std::chrono::milliseconds interval;
  bool deliver;
  mutable std::mutex mutex;
  std::condition_variable cv;
  std::thread thread;
  bool stopping = false;
  bool woken = false;
  std::uint64_t passes = 0;
  NotificationReport totals;

  void loop() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      cv.wait_for(lock, interval, [&] { return stopping || woken; });
      if (stopping) break;
      woken = false;
      lock.unlock();
      NotificationReport r;
      try {
        r = portal->run_notifications();
        if (deliver) portal->deliver_mail();
      } catch (...) {
        // The next pass retries; a notification's own failure is recorded on it.
      }
      lock.lock();
      ++passes;
      totals.due += r.due;
      totals.queued += r.queued;
      totals.failed += r.failed;
      cv.notify_all();
    }
  }
};

NotificationScheduler::NotificationScheduler(std::shared_ptr<Portal> portal,
                                             std::chrono::milliseconds interval,
                                             bool deliver_mail)
    : impl_(std::make_unique<Impl>()) {
  if (!portal) throw Error(ErrorCode::kInvalidArgument, "no portal");
  impl_->interval = interval.count() > 0
                        ? interval
                        : std::chrono::milliseconds(
                              std::int64_t(portal->options().notify_interval_seconds) * 1000);
  impl_->portal = std::move(portal);
  impl_->deliver = deliver_mail;
}

NotificationScheduler::~NotificationScheduler() { stop(); }

void NotificationScheduler::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->thread.joinable()) return;
  impl_->stopping = false;
  impl_->thread = std::thread([this] { impl_->loop(); });
}

void NotificationScheduler::stop() {
  std::thread t;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->cv.notify_all();
    t = std::move(impl_->thread);
  }
  if (t.joinable()) t.join();
}

bool NotificationScheduler::running() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->thread.joinable() && !impl_->stopping;
}

void NotificationScheduler::wake() {
  std::lock_guard lock(impl_->mutex);
  impl_->woken = true;
  impl_->cv.notify_all();
}

std::uint64_t NotificationScheduler::passes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->passes;
}

NotificationReport NotificationScheduler::totals() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->totals;
}

}  // namespace portal
