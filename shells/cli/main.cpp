// shells/cli/main.cpp — `portal`: the command-line shell over libportal (docs/cli.md).
// Parses the command line, runs the one chosen command, maps errors to exit codes (cli_common).
#include <CLI/CLI.hpp>
#include <string>

#include "cli_common.hpp"

#ifndef PORTAL_VERSION
#define PORTAL_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  using namespace portal::cli;

  CLI::App app{"portal — radiology study portal administration tool", "portal"};
  app.set_version_flag("--version", std::string("portal ") + PORTAL_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Exit codes: 0 ok, 1 internal error, 2 usage or invalid argument, 3 some files rejected,\n"
      "4 fsck issues remain, 5 not found, 6 conflict, 7 permission denied or not signed in,\n"
      "8 I/O error.\n"
      "See docs/cli.md.");  // global options such as --data may follow the command name

  Globals globals;
  app.add_option("--data", globals.data_dir, "Portal data directory")
      ->envname("PORTAL_DATA")
      ->type_name("DIR");

  Registry registry;
  add_init_command(app, globals, registry);
  add_ingest_command(app, globals, registry);
  add_studies_command(app, globals, registry);
  add_show_command(app, globals, registry);
  add_instances_command(app, globals, registry);
  add_history_command(app, globals, registry);
  add_fsck_command(app, globals, registry);
  add_admin_command(app, globals, registry);
  add_users_command(app, globals, registry);
  add_profiles_command(app, globals, registry);
  add_mail_command(app, globals, registry);
  add_audit_command(app, globals, registry);
  add_render_command(app, globals, registry);
  add_attach_command(app, globals, registry);
  add_export_command(app, globals, registry);
  add_share_command(app, globals, registry);
  add_report_command(app, globals, registry);
  add_audio_command(app, globals, registry);
  add_document_command(app, globals, registry);
  add_tokens_command(app, globals, registry);
  add_dicom_command(app, globals, registry);
  add_send_command(app, globals, registry);

  return run_guarded(app, [&] {
    app.parse(argc, argv);
    for (const CLI::App* command : app.get_subcommands()) {
      // Nested commands (`users add`): run the innermost one chosen.
      while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
      auto it = registry.find(command);
      if (it != registry.end()) return it->second();
    }
    return static_cast<int>(kExitUsage);  // unreachable: require_subcommand(1)
  });
}
