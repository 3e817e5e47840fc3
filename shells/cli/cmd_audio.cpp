// shells/cli/cmd_audio.cpp — `portal audio add|list|get|delete` (VIEW-6): audio notes of a study.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "cli_common.hpp"
#include "portal/reports.hpp"

namespace portal::cli {

namespace {

struct AudioArgs {
  std::string target;  ///< study uid (add, list) or note id (get, delete)
  std::string file;
  std::string output;
  std::string as;
  bool json = false;
};

Json note_json(const AudioNote& n) {
  return {{"id", n.id},           {"study_uid", n.study_uid}, {"name", n.name},
          {"media_type", n.media_type}, {"size_bytes", n.size_bytes}, {"author", n.author},
          {"created_at", n.created_at}};
}

int run_add(const Globals& globals, const AudioArgs& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, "cannot read " + a.file);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto slash = a.file.find_last_of('/');
  std::string name = slash == std::string::npos ? a.file : a.file.substr(slash + 1);
  auto portal = open_portal(globals);
  AudioNote n = session_for(*portal, a.as).add_audio(a.target, {name, bytes.str()});
  if (a.json) print_json(note_json(n));
  else std::cout << n.id << "\n";
  return kExitOk;
}

int run_list(const Globals& globals, const AudioArgs& a) {
  auto portal = open_portal(globals);
  auto notes = session_for(*portal, a.as).audio_notes(a.target);
  if (a.json) {
    Json out = Json::array();
    for (const auto& n : notes) out.push_back(note_json(n));
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : notes)
    rows.push_back({n.id, n.name, n.media_type, format_bytes(n.size_bytes), n.author,
                    n.created_at.substr(0, 19)});
  print_table({"ID", "NAME", "TYPE", "SIZE", "AUTHOR", "ADDED"}, rows, {0, 30});
  return kExitOk;
}

int run_get(const Globals& globals, const AudioArgs& a) {
  auto portal = open_portal(globals);
  std::string bytes = session_for(*portal, a.as).audio(a.target);
  if (a.output == "-") {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return kExitOk;
  }
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw Error(ErrorCode::kIo, "cannot write " + a.output);
  std::cerr << fmt::format("wrote {} ({})\n", a.output,
                           format_bytes(static_cast<std::int64_t>(bytes.size())));
  return kExitOk;
}

int run_delete(const Globals& globals, const AudioArgs& a) {
  auto portal = open_portal(globals);
  session_for(*portal, a.as).delete_audio(a.target);
  std::cout << fmt::format("audio note {} deleted\n", a.target);
  return kExitOk;
}

}  // namespace

void add_audio_command(CLI::App& root, const Globals& globals, Registry& registry) {
  CLI::App* audio = root.add_subcommand("audio", "Audio notes attached to a study");
  audio->require_subcommand(1);

  auto add = std::make_shared<AudioArgs>();
  CLI::App* c = audio->add_subcommand("add", "Attach a WebM, Ogg or MP4 audio file (record_audio)");
  c->add_option("STUDY_UID", add->target, "Study Instance UID")->required();
  c->add_option("FILE", add->file, "The audio file")->required();
  c->add_flag("--json", add->json, "Print the note as JSON (else its id)");
  c->add_option("--as", add->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, add] { return run_add(globals, *add); };

  auto list = std::make_shared<AudioArgs>();
  c = audio->add_subcommand("list", "List a study's audio notes, oldest first");
  c->add_option("STUDY_UID", list->target, "Study Instance UID")->required();
  c->add_flag("--json", list->json, "Print JSON");
  c->add_option("--as", list->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, list] { return run_list(globals, *list); };

  auto get = std::make_shared<AudioArgs>();
  c = audio->add_subcommand("get", "Write an audio note's file");
  c->add_option("ID", get->target, "Audio note id")->required();
  c->add_option("-o,--output", get->output, "Output file, or - for stdout")->required();
  c->add_option("--as", get->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, get] { return run_get(globals, *get); };

  auto del = std::make_shared<AudioArgs>();
  c = audio->add_subcommand("delete", "Delete an audio note (record_audio)");
  c->add_option("ID", del->target, "Audio note id")->required();
  c->add_option("--as", del->as, "Act as this account (its rights apply)");
  registry[c] = [&globals, del] { return run_delete(globals, *del); };
}

}  // namespace portal::cli
