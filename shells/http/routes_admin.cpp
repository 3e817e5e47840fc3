// shells/http/routes_admin.cpp — administration (ACC-7): accounts, activation, profiles and
// rights, referring physician links; the audit trail (PLAT-3); the mail outbox (DIF-8).
// Every call is refused by the core (403) unless the caller is an administrator.
#include "routes.hpp"

namespace portal::http::handlers {

namespace {
const std::string& login(Context& ctx) { return ctx.params.at(0); }
}  // namespace

void list_users(Context& ctx) {
  std::optional<UserState> state;
  if (auto s = ctx.query("state"); !s.empty()) state = parse_user_state(s);
  Json list = Json::array();
  for (const auto& u : ctx.user().users(state)) list.push_back(shell::to_json(u));
  ctx.send({{"users", std::move(list)}});
}

void add_user(Context& ctx) {
  Json b = ctx.json();
  NewUser u;
  u.login = get_string(b, "login");
  if (b.contains("emails")) {
    if (!b["emails"].is_array())
      throw Error(ErrorCode::kInvalidArgument, "\"emails\" must be a list of strings");
    for (const auto& e : b["emails"]) {
      if (!e.is_string())
        throw Error(ErrorCode::kInvalidArgument, "\"emails\" must be a list of strings");
      u.emails.push_back(e.get<std::string>());
    }
  }
  u.first_name = get_string(b, "first_name");
  u.last_name = get_string(b, "last_name");
  u.phone = get_string(b, "phone");
  u.physician_id = get_string(b, "physician_id");
  u.linked_physician_id = get_string(b, "linked_physician_id");
  u.referring_name = get_string(b, "referring_name");
  if (auto p = get_optional_string(b, "profile")) u.profile = *p;
  u.password = get_string(b, "password");
  ctx.send(shell::to_json(ctx.user().add_user(u)), 201);
}

void get_user(Context& ctx) { ctx.send(shell::to_json(ctx.user().find_user(login(ctx)))); }

void activate_user(Context& ctx) {
  ctx.user().activate_user(login(ctx));
  ctx.no_content();
}

void disable_user(Context& ctx) {
  ctx.user().disable_user(login(ctx));
  ctx.no_content();
}

void set_user_profile(Context& ctx) {
  ctx.user().set_user_profile(login(ctx), get_string(ctx.json(), "profile"));
  ctx.no_content();
}

void set_user_password(Context& ctx) {
  ctx.user().set_user_password(login(ctx), get_string(ctx.json(), "password"));
  ctx.no_content();
}

void link_physician(Context& ctx) {
  Json b = ctx.json();
  ctx.user().link_referring_physician(login(ctx), get_string(b, "physician_id"),
                                      get_string(b, "referring_name"));
  ctx.no_content();
}

void list_profiles(Context& ctx) {
  Json list = Json::array();
  for (const auto& p : ctx.user().profiles()) list.push_back(shell::to_json(p));
  ctx.send({{"profiles", std::move(list)}, {"known_rights", known_rights()}});
}

void grant_right(Context& ctx) {
  ctx.user().grant_right(ctx.params.at(0), ctx.params.at(1));
  ctx.no_content();
}

void revoke_right(Context& ctx) {
  ctx.user().revoke_right(ctx.params.at(0), ctx.params.at(1));
  ctx.no_content();
}

void audit(Context& ctx) {
  static const std::vector<std::string> kKnown = {"login", "action", "study_uid", "patient_id",
                                                  "outcome", "from", "to", "limit", "offset"};
  for (const auto& [name, value] : ctx.req.params)
    if (std::find(kKnown.begin(), kKnown.end(), name) == kKnown.end())
      throw Error(ErrorCode::kInvalidArgument, "unknown audit filter: " + name);
  AuditQuery q;
  q.login = ctx.query("login");
  q.action = ctx.query("action");
  q.study_uid = ctx.query("study_uid");
  q.patient_id = ctx.query("patient_id");
  q.outcome = ctx.query("outcome");
  q.from = ctx.query("from");
  q.to = ctx.query("to");
  auto limit = ctx.query_int("limit").value_or(200);
  auto offset = ctx.query_int("offset").value_or(0);
  if (limit < 1 || limit > 10000 || offset < 0 || offset > 1000000000)
    throw Error(ErrorCode::kInvalidArgument, "limit is 1 to 10000, offset non-negative");
  q.limit = static_cast<int>(limit);
  q.offset = static_cast<int>(offset);
  Json list = Json::array();
  for (const auto& e : ctx.user().audit(q)) list.push_back(shell::to_json(e));
  ctx.send({{"events", std::move(list)}});
}

void list_mail(Context& ctx) {
  std::optional<MailStatus> status;
  if (auto s = ctx.query("status"); !s.empty()) status = parse_mail_status(s);
  Json list = Json::array();
  for (const auto& m : ctx.user().mail(status)) list.push_back(shell::to_json(m));
  ctx.send({{"messages", std::move(list)}});
}

void retry_mail(Context& ctx) {
  ctx.user().retry_mail(std::stoll(ctx.params.at(0)));
  ctx.no_content();
}

}  // namespace portal::http::handlers
