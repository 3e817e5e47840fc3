// shells/cli/cmd_document.cpp — `portal document list|delete` (VIEW-6): documents uploaded
// through the portal, and their deletion.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli_common.hpp"
#include "portal/reports.hpp"

namespace portal::cli {

namespace {

struct DocumentArgs {
  std::string target;  ///< study uid (list) or SOP Instance UID (delete)
  std::string as;
  bool json = false;
};

int run_list(const Globals& globals, const DocumentArgs& a) {
  auto portal = open_portal(globals);
  auto docs = session_for(*portal, a.as).documents(a.target);
  if (a.json) {
    Json out = Json::array();
    for (const auto& d : docs)
      out.push_back({{"sop_uid", d.sop_uid}, {"study_uid", d.study_uid}, {"name", d.name},
                     {"uploaded_by", d.uploaded_by}, {"uploaded_at", d.uploaded_at}});
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : docs)
    rows.push_back({d.sop_uid, d.name, d.uploaded_by, d.uploaded_at.substr(0, 19)});
  print_table({"SOP INSTANCE UID", "NAME", "BY", "UPLOADED"}, rows, {0, 30});
  return kExitOk;
}

int run_delete(const Globals& globals, const DocumentArgs& a) {
  auto portal = open_portal(globals);
  session_for(*portal, a.as).delete_document(a.target);
  std::cout << fmt::format("document {} deleted\n", a.target);
  return kExitOk;
}

}  // namespace

void add_document_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* document = root.add_subcommand("document", "Documents uploaded through the portal");
  document->require_subcommand(1);

  auto list = std::make_shared<DocumentArgs>();
  CLI::App* c = document->add_subcommand("list", "List a study's uploaded documents");
  c->add_option("STUDY_UID", list->target, "Study Instance UID")->required();
  c->add_flag("--json", list->json, "Print JSON");
  c->add_option("--as", list->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, list] { return run_list(globals, *list); };

  auto del = std::make_shared<DocumentArgs>();
  c = document->add_subcommand(
      "delete", "Delete an uploaded document (delete_documents right; never an ingested original)");
  c->add_option("SOP_UID", del->target, "SOP Instance UID of the document")->required();
  c->add_option("--as", del->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, del] { return run_delete(globals, *del); };
}

}  // namespace portal::cli
