// shells/common/model_json.hpp — the JSON shape of every model type, shared by the shells that
// print JSON (`portal --json`, `portald`). One place, so the CLI and the HTTP API agree
// (docs/cli.md, docs/openapi.yaml).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "portal/accounts.hpp"
#include "portal/model.hpp"
#include "portal/query.hpp"

namespace portal::shell {

/// JSON documents keep their fields in the order written (the order of model.hpp).
using Json = nlohmann::ordered_json;

Json to_json(const Patient& patient);
Json to_json(const Study& study);
Json to_json(const Series& series);
Json to_json(const Instance& instance);
Json to_json(const IngestResult& result);
Json to_json(const FsckIssue& issue);
Json to_json(const User& user);
Json to_json(const Preferences& preferences);
Json to_json(const Profile& profile);
Json to_json(const AuditEvent& event);
Json to_json(const MailMessage& message);
Json to_json(const Share& share);
Json to_json(const StudyGrant& grant);
Json to_json(const AccessToken& token);

/// The hot paths (study lists, one study): the same text as dump(to_json(study)), written
/// straight into `out` without building a JSON tree (several times faster for 150 rows).
void append_json(std::string& out, const Study& study);
/// Appends `text` as a JSON string: escapes as nlohmann::json does, invalid UTF-8 replaced by
/// U+FFFD.
void append_json_string(std::string& out, std::string_view text);

/// Serialises without failing on invalid UTF-8 (replaced). `indent` < 0: one line.
std::string dump(const Json& value, int indent = -1);

}  // namespace portal::shell
