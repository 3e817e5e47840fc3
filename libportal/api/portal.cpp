#include "portal/portal.hpp"

#include <filesystem>

#include "libportal/api/report_hook.hpp"
#include "libportal/api/state.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/fs.hpp"
#include "libportal/auth/secretbox.hpp"
#include "libportal/config/config.hpp"
#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal {

namespace detail {

SearchContext PortalState::search_context() const {
  auto now = clock->now();
  SearchContext ctx;
  ctx.today = local_date(now);
  ctx.yesterday = local_date(now, 1);
  ctx.days_ago_6 = local_date(now, 6);
  ctx.days_ago_29 = local_date(now, 29);
  ctx.default_limit = options.search_default_limit;
  ctx.max_limit = options.search_max_limit;
  return ctx;
}

std::int64_t PortalState::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock->now().time_since_epoch())
      .count();
}

PasswordParams PortalState::password_params() const {
  return {options.password_hash_memory, options.password_hash_passes};
}

Principal PortalState::system_principal() const {
  Principal p;
  p.kind = Principal::Kind::kSystem;
  p.login = "system";
  p.profile = "system";
  return p;
}

User PortalState::to_user(const UserRow& r) const {
  User u;
  u.id = r.public_id;
  u.login = r.login;
  u.emails = r.emails;
  u.first_name = r.first_name;
  u.last_name = r.last_name;
  u.phone = r.phone;
  u.physician_id = r.physician_id;
  u.linked_physician_id = r.linked_physician_id;
  u.referring_name = r.referring_name;
  u.profile = r.profile;
  u.state = parse_user_state(r.state);
  u.preferences = r.preferences;
  u.created_at =
      iso8601_utc(std::chrono::system_clock::time_point(std::chrono::milliseconds(r.created_at)));
  return u;
}

const std::string& PortalState::secret_key() {
  std::lock_guard lock(key_mutex);
  if (key_.empty()) key_ = load_or_create_key(data_dir + "/secret.key");
  return key_;
}

std::string PortalState::link(const std::string& path) const {
  std::string base = options.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

void PortalState::audit(const Principal& who, const std::string& address, AuditEntry what) {
  audit_record(*accounts, now_ms(), who, address, what);
}

}  // namespace detail

std::string_view user_state_name(UserState state) noexcept {
  switch (state) {
    case UserState::kAwaitingConfirmation: return "awaiting_confirmation";
    case UserState::kAwaitingActivation: return "awaiting_activation";
    case UserState::kActive: return "active";
    case UserState::kDisabled: return "disabled";
  }
  return "disabled";
}

UserState parse_user_state(std::string_view text) {
  for (auto s : {UserState::kAwaitingConfirmation, UserState::kAwaitingActivation,
                 UserState::kActive, UserState::kDisabled})
    if (user_state_name(s) == text) return s;
  throw Error(ErrorCode::kInvalidArgument, "unknown user state \"" + std::string(text) + "\"");
}

std::string_view mail_status_name(MailStatus status) noexcept {
  switch (status) {
    case MailStatus::kPending: return "pending";
    case MailStatus::kSent: return "sent";
    case MailStatus::kFailed: return "failed";
  }
  return "failed";
}

MailStatus parse_mail_status(std::string_view text) {
  for (auto s : {MailStatus::kPending, MailStatus::kSent, MailStatus::kFailed})
    if (mail_status_name(s) == text) return s;
  throw Error(ErrorCode::kInvalidArgument, "unknown mail status \"" + std::string(text) + "\"");
}

std::vector<std::string> known_rights() { return detail::all_rights(); }

std::shared_ptr<Portal> Portal::open(const std::string& dir, Options options) {
  if (dir.empty()) throw Error(ErrorCode::kInvalidArgument, "no data directory given");
  detail::dicom_init();
  auto state = std::make_shared<detail::PortalState>();
  state->data_dir = std::filesystem::absolute(dir).lexically_normal().string();
  if (state->data_dir.size() > 1 && state->data_dir.back() == '/') state->data_dir.pop_back();
  detail::make_dirs(state->data_dir);
  std::string scratch = state->data_dir + "/tmp";
  detail::make_dirs(scratch);
  // Scratch files belong to ingests that are over; a crash may have left some.
  for (const auto& e : std::filesystem::directory_iterator(scratch)) {
    std::error_code ec;
    std::filesystem::remove(e.path(), ec);
  }
  if (options.load_config) detail::apply_config(state->data_dir, options);
  detail::check_options(options);
  state->options = options;
  state->clock = options.clock ? options.clock : system_clock();
  state->blobs = options.blob_store ? options.blob_store
                                    : file_blob_store(state->data_dir + "/blobs", options.durable);
  state->index = std::make_unique<detail::Index>(state->data_dir + "/index.sqlite");
  // Files published by a process that died before indexing them are removed.
  state->blobs->recover([&](const std::string& id) { return state->index->blob_indexed(id); });
  state->reports = std::make_unique<detail::ReportStore>(*state->index);
  // The state owns the ingestor: a plain pointer back to it cannot dangle.
  detail::PortalState* raw = state.get();
  state->ingestor = std::make_unique<detail::Ingestor>(detail::IngestContext{
      *state->index, *state->blobs, state->options, *state->clock, scratch,
      [raw](const std::string& study_uid) { detail::on_report_available(*raw, study_uid); }});
  state->accounts = std::make_unique<detail::AccountStore>(*state->index);
  state->access_tokens = std::make_unique<detail::AccessTokenStore>(*state->index);
  state->accounts->seed_rights(detail::default_profile_rights());
  state->spool_dir = state->options.mail_spool_dir.empty() ? state->data_dir + "/spool"
                                                            : state->options.mail_spool_dir;
  return std::shared_ptr<Portal>(new Portal(std::move(state)));
}

Portal::Portal(std::shared_ptr<detail::PortalState> state) : state_(std::move(state)) {}
Portal::~Portal() = default;

Session Portal::system_session() { return Session(state_, PrincipalKind::kSystem); }

const std::string& Portal::data_dir() const { return state_->data_dir; }
const Options& Portal::options() const { return state_->options; }

}  // namespace portal
