// shells/http/routes.hpp — every route handler, by area (routes_<area>.cpp). The table that binds
// them to methods and paths is routes() in server.cpp.
#pragma once

#include "server.hpp"

namespace portal::http::handlers {

// routes_accounts.cpp: sign-in, registration, password, invitations, own account, tokens.
void sign_in(Context&);
void patient_sign_in(Context&);
void get_session(Context&);
void sign_out(Context&);
void captcha(Context&);
void register_user(Context&);
void confirm_registration(Context&);
void lost_password(Context&);
void reset_password(Context&);
void invite(Context&);
void accept_invitation(Context&);
void get_me(Context&);
void update_me(Context&);
void set_preferences(Context&);
void change_password(Context&);
void list_tokens(Context&);
void create_token(Context&);
void revoke_token(Context&);

// routes_studies.cpp: search, study, series, instances, history, seen, access, exports.
void find_studies(Context&);
void get_study(Context&);
void get_series(Context&);
void get_instances(Context&);
void get_history(Context&);
void mark_seen(Context&);
void set_disabled(Context&);
void new_access_code(Context&);
void export_study(Context&);
void send_study(Context&);

// routes_uploads.cpp: ingest uploads, add files to a study, create a study from images.
void upload(Context&);
void add_files(Context&);
void create_study(Context&);

// routes_sharing.cpp: shares and grants.
void study_shares(Context&);
void share(Context&);
void share_with_user(Context&);
void all_shares(Context&);
void revoke_share(Context&);
void study_grants(Context&);
void grant_study(Context&);
void revoke_grant(Context&);

// routes_imaging.cpp: instance file, renders, thumbnails, frames.
void instance_file(Context&);
void render(Context&);
void thumbnail(Context&);
void frame(Context&);

// routes_admin.cpp: users, profiles and rights, audit, mail outbox.
void list_users(Context&);
void add_user(Context&);
void get_user(Context&);
void activate_user(Context&);
void disable_user(Context&);
void set_user_profile(Context&);
void set_user_password(Context&);
void link_physician(Context&);
void list_profiles(Context&);
void grant_right(Context&);
void revoke_right(Context&);
void audit(Context&);
void list_mail(Context&);
void retry_mail(Context&);

// routes_ops.cpp: health, metrics, the OpenAPI document.
void healthz(Context&);
void metrics(Context&);
void openapi(Context&);

}  // namespace portal::http::handlers
