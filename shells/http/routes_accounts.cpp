// shells/http/routes_accounts.cpp — sign-in (ACC-1, ACC-2), sign-out (ACC-6), registration and
// captcha (ACC-1), lost password (ACC-4), invitations (ACC-3), own account (ACC-5, LIST-6),
// personal access tokens.
#include "routes.hpp"

namespace portal::http::handlers {

namespace {

const char* principal_name(PrincipalKind k) {
  switch (k) {
    case PrincipalKind::kSystem: return "system";
    case PrincipalKind::kUser: return "user";
    case PrincipalKind::kPatient: return "patient";
  }
  return "user";
}

Json session_json(Session& s, bool cookie) {
  auto user = s.user();
  Json j = {{"principal", principal_name(s.principal())},
            {"profile", s.profile()},
            {"user", user ? shell::to_json(*user) : Json(nullptr)},
            {"rights", s.rights()}};
  if (cookie) j["csrf_token"] = s.csrf_token();
  return j;
}

Registration registration(const Json& b) {
  Registration f;
  f.login = get_string(b, "login");
  f.email = get_string(b, "email");
  f.first_name = get_string(b, "first_name");
  f.last_name = get_string(b, "last_name");
  f.phone = get_string(b, "phone");
  f.physician_id = get_string(b, "physician_id");
  f.password = get_string(b, "password");
  f.password_confirmation = get_string(b, "password_confirmation");
  if (auto l = get_optional_string(b, "language")) f.language = *l;
  f.captcha_id = get_string(b, "captcha_id");
  f.captcha_answer = get_string(b, "captcha_answer");
  return f;
}

}  // namespace

void sign_in(Context& ctx) {
  Json b = ctx.json();
  Session s = ctx.app.portal->sign_in(get_string(b, "login"), get_string(b, "password"),
                                      ctx.address());
  set_session_cookie(ctx, s.token());
  ctx.send(session_json(s, true));
}

void patient_sign_in(Context& ctx) {
  Json b = ctx.json();
  Session s = ctx.app.portal->patient_sign_in(get_string(b, "accession"),
                                              get_string(b, "birth_date"), ctx.address(),
                                              get_string(b, "access_code"));
  set_session_cookie(ctx, s.token());
  ctx.send(session_json(s, true));
}

void get_session(Context& ctx) {
  ctx.send(session_json(ctx.user(), !ctx.user().is_access_token()));
}

void sign_out(Context& ctx) {
  ctx.user().sign_out();
  clear_session_cookie(ctx);
  ctx.no_content();
}

void captcha(Context& ctx) {
  Captcha c = ctx.app.portal->new_captcha();
  ctx.send({{"id", c.id}, {"png_base64", base64(c.png)}});
}

void register_user(Context& ctx) {
  User u = ctx.app.portal->register_user(registration(ctx.json()), ctx.address());
  ctx.send(shell::to_json(u), 201);
}

void confirm_registration(Context& ctx) {
  ctx.app.portal->confirm_registration(get_string(ctx.json(), "token"));
  ctx.no_content();
}

void lost_password(Context& ctx) {
  ctx.app.portal->request_password_reset(get_string(ctx.json(), "login"), ctx.address());
  ctx.send({{"message", "if the account exists, a link was sent to its email address"}}, 202);
}

void reset_password(Context& ctx) {
  Json b = ctx.json();
  ctx.app.portal->reset_password(get_string(b, "token"), get_string(b, "password"));
  ctx.no_content();
}

void invite(Context& ctx) {
  Json b = ctx.json();
  Invitation inv = ctx.user().invite(get_string(b, "email"), get_string(b, "language"));
  // The link goes to the invited address only; the inviter sees where and until when.
  ctx.send({{"email", inv.email}, {"expires_at", inv.expires_at}}, 201);
}

void accept_invitation(Context& ctx) {
  Json b = ctx.json();
  User u = ctx.app.portal->accept_invitation(get_string(b, "token"), registration(b),
                                             ctx.address());
  ctx.send(shell::to_json(u), 201);
}

void get_me(Context& ctx) {
  auto u = ctx.user().user();
  if (!u) throw Error(ErrorCode::kNotFound, "a patient sign-in has no account");
  ctx.send(shell::to_json(*u));
}

void update_me(Context& ctx) {
  Json b = ctx.json();
  UserUpdate u;
  u.first_name = get_optional_string(b, "first_name");
  u.last_name = get_optional_string(b, "last_name");
  u.phone = get_optional_string(b, "phone");
  u.physician_id = get_optional_string(b, "physician_id");
  if (b.contains("emails")) {
    if (!b["emails"].is_array())
      throw Error(ErrorCode::kInvalidArgument, "\"emails\" must be a list of strings");
    std::vector<std::string> emails;
    for (const auto& e : b["emails"]) {
      if (!e.is_string())
        throw Error(ErrorCode::kInvalidArgument, "\"emails\" must be a list of strings");
      emails.push_back(e.get<std::string>());
    }
    u.emails = std::move(emails);
  }
  ctx.send(shell::to_json(ctx.user().update_me(u)));
}

void set_preferences(Context& ctx) {
  Json b = ctx.json();
  // Fields left out keep their current value.
  auto me = ctx.user().user();
  Preferences p = me ? me->preferences : Preferences{};
  if (auto v = get_optional_string(b, "language")) p.language = *v;
  if (auto v = get_optional_string(b, "first_tab")) p.first_tab = *v;
  if (auto v = get_optional_string(b, "default_period")) p.default_period = *v;
  if (b.contains("columns")) {
    if (!b["columns"].is_array())
      throw Error(ErrorCode::kInvalidArgument, "\"columns\" must be a list of strings");
    p.columns.clear();
    for (const auto& c : b["columns"]) {
      if (!c.is_string())
        throw Error(ErrorCode::kInvalidArgument, "\"columns\" must be a list of strings");
      p.columns.push_back(c.get<std::string>());
    }
  }
  ctx.user().set_preferences(p);
  ctx.send(shell::to_json(p));
}

void change_password(Context& ctx) {
  Json b = ctx.json();
  ctx.user().change_password(get_string(b, "current_password"), get_string(b, "new_password"));
  ctx.no_content();
}

void list_tokens(Context& ctx) {
  Json list = Json::array();
  for (const auto& t : ctx.user().access_tokens()) list.push_back(shell::to_json(t));
  ctx.send({{"tokens", std::move(list)}});
}

void create_token(Context& ctx) {
  Json b = ctx.json();
  std::optional<std::chrono::system_clock::time_point> expires;
  if (auto e = get_optional_string(b, "expires_at")) expires = parse_time(*e);
  ctx.send(shell::to_json(ctx.user().create_access_token(get_string(b, "name"), expires)), 201);
}

void revoke_token(Context& ctx) {
  ctx.user().revoke_access_token(std::stoll(ctx.params.at(0)));
  ctx.no_content();
}

}  // namespace portal::http::handlers
