// shells/http/routes_sharing.cpp — shares with email addresses and users (DIF-5, DIF-6), their
// revocation and listing (LIST-7), and the study grants they build on.
#include "routes.hpp"

namespace portal::http::handlers {

namespace {

std::optional<std::chrono::system_clock::time_point> expires(const Json& b) {
  if (auto e = get_optional_string(b, "expires_at")) return parse_time(*e);
  return std::nullopt;
}

Json shares_json(const std::vector<Share>& shares) {
  Json list = Json::array();
  for (const auto& s : shares) list.push_back(shell::to_json(s));
  return {{"shares", std::move(list)}};
}

}  // namespace

void study_shares(Context& ctx) { ctx.send(shares_json(ctx.user().shares(ctx.params.at(0)))); }

void share(Context& ctx) {
  Json b = ctx.json();
  ctx.send(shares_json(ctx.user().share(ctx.params.at(0), get_string(b, "recipients"),
                                        get_string(b, "message"), expires(b))),
           201);
}

void share_with_user(Context& ctx) {
  Json b = ctx.json();
  ctx.send(shell::to_json(ctx.user().share_with_user(ctx.params.at(0), get_string(b, "login"),
                                                     get_string(b, "message"), expires(b))),
           201);
}

void all_shares(Context& ctx) { ctx.send(shares_json(ctx.user().shares())); }

void revoke_share(Context& ctx) {
  ctx.user().revoke_share(std::stoll(ctx.params.at(0)));
  ctx.no_content();
}

void study_grants(Context& ctx) {
  Json list = Json::array();
  for (const auto& g : ctx.user().study_grants(ctx.params.at(0)))
    list.push_back(shell::to_json(g));
  ctx.send({{"grants", std::move(list)}});
}

void grant_study(Context& ctx) {
  Json b = ctx.json();
  ctx.send(shell::to_json(ctx.user().grant_study(ctx.params.at(0), ctx.params.at(1), expires(b))));
}

void revoke_grant(Context& ctx) {
  ctx.user().revoke_study_grant(ctx.params.at(0), ctx.params.at(1));
  ctx.no_content();
}

}  // namespace portal::http::handlers
