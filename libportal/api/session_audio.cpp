// Audio notes attached to a study (VIEW-6): WebM, Ogg or MP4 audio, told by content.
#include <cstring>

#include "libportal/api/state.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/random.hpp"
#include "portal/accounts.hpp"
#include "portal/error.hpp"
#include "portal/session.hpp"

namespace portal {

namespace {

bool at(const std::string& b, std::size_t pos, const char* magic, std::size_t n) {
  return b.size() >= pos + n && std::memcmp(b.data() + pos, magic, n) == 0;
}

bool contains(const std::string& b, std::size_t from, std::size_t to, std::string_view what) {
  to = std::min(to, b.size());
  if (from >= to) return false;
  return std::string_view(b.data() + from, to - from).find(what) != std::string_view::npos;
}

// The media type of an audio file, by content; throws kInvalidArgument for anything else.
// WebM: an EBML header whose DocType is "webm". Ogg: a first page carrying an Opus, Vorbis,
// FLAC or Speex header (Theora video is refused). MP4: an "ftyp" box, and handler boxes that
// name a sound track and no video track.
std::string audio_media_type(const std::string& b) {
  if (b.empty()) throw Error(ErrorCode::kInvalidArgument, "the audio file is empty");
  if (at(b, 0, "\x1A\x45\xDF\xA3", 4)) {
    if (contains(b, 4, 64, "webm")) return "audio/webm";
    throw Error(ErrorCode::kInvalidArgument, "a Matroska file that is not WebM audio");
  }
  if (at(b, 0, "OggS", 4)) {
    // The first packet starts after the 27-byte page header and its segment table.
    if (b.size() > 27) {
      std::size_t start = 27 + static_cast<unsigned char>(b[26]);
      if (at(b, start, "OpusHead", 8) || at(b, start, "\x01vorbis", 7) ||
          at(b, start, "\x7F" "FLAC", 5) || at(b, start, "Speex   ", 8))
        return "audio/ogg";
    }
    throw Error(ErrorCode::kInvalidArgument, "an Ogg file without an audio stream (Opus, Vorbis, FLAC, Speex)");
  }
  if (at(b, 4, "ftyp", 4)) {
    bool sound = false, video = false;
    std::string_view all(b);
    for (std::size_t pos = all.find("hdlr"); pos != std::string_view::npos;
         pos = all.find("hdlr", pos + 4)) {
      // hdlr box: version/flags (4), pre_defined (4), handler type (4).
      if (at(b, pos + 12, "soun", 4)) sound = true;
      if (at(b, pos + 12, "vide", 4)) video = true;
    }
    if (sound && !video) return "audio/mp4";
    throw Error(ErrorCode::kInvalidArgument,
                video ? "an MP4 file with video: only audio notes are kept"
                      : "an MP4 file without a sound track");
  }
  throw Error(ErrorCode::kInvalidArgument, "not a WebM, Ogg or MP4 audio file");
}

AudioNote to_note(const detail::AudioRow& r) {
  AudioNote n;
  n.id = r.public_id;
  n.study_uid = r.study_uid;
  n.name = r.name;
  n.media_type = r.media_type;
  n.size_bytes = r.size_bytes;
  n.author = r.author;
  n.created_at = detail::iso8601_utc_ms(r.created_at);
  return n;
}

bool may_record(const detail::Principal& p) {
  return detail::has_right(p, std::string(kRightRecordAudio));
}

}  // namespace

AudioNote Session::add_audio(const std::string& study_uid, const NamedFile& file) {
  auto p = require_study(study_uid);
  if (!may_record(p)) {
    state_->audit(p, address(), {"audio_add", "denied", study_uid});
    throw Error(ErrorCode::kPermissionDenied, "this profile may not record audio notes");
  }
  if (file.bytes.size() > state_->options.max_audio_bytes)
    throw Error(ErrorCode::kTooLarge, "the audio note exceeds " +
                                          std::to_string(state_->options.max_audio_bytes) +
                                          " bytes");
  detail::AudioRow row;
  row.media_type = audio_media_type(file.bytes);
  row.public_id = detail::random_hex(16);
  row.study_uid = study_uid;
  row.name = file.name.substr(0, 255);
  row.size_bytes = static_cast<std::int64_t>(file.bytes.size());
  row.author = p.login;
  row.created_at = state_->now_ms();
  // File first, durably; then the row that refers to it.
  auto blob = state_->blobs->stage();
  blob->write(file.bytes.data(), file.bytes.size());
  row.blob_id = blob->id();
  std::vector<std::unique_ptr<StagedBlob>> group;
  group.push_back(std::move(blob));
  std::uint64_t ticket = state_->blobs->publish(std::move(group));
  try {
    state_->reports->add_audio(row);
  } catch (...) {
    state_->blobs->remove(row.blob_id);
    throw;
  }
  state_->blobs->settle(ticket);
  state_->audit(p, address(), {"audio_add", "success", study_uid, "", row.public_id});
  return to_note(row);
}

std::vector<AudioNote> Session::audio_notes(const std::string& study_uid) const {
  require_study(study_uid);
  std::vector<AudioNote> out;
  for (const auto& r : state_->reports->audio_notes(study_uid)) out.push_back(to_note(r));
  return out;
}

AudioNote Session::audio_note(const std::string& audio_id) const {
  auto row = state_->reports->audio(audio_id);
  if (!row) {
    current();
    throw Error(ErrorCode::kNotFound, "no audio note " + audio_id);
  }
  try {
    require_study(row->study_uid);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kNotFound) throw Error(ErrorCode::kNotFound, "no audio note " + audio_id);
    throw;
  }
  return to_note(*row);
}

std::string Session::audio(const std::string& audio_id) const {
  AudioNote note = audio_note(audio_id);
  auto row = state_->reports->audio(audio_id);
  auto bytes = row ? state_->blobs->read(row->blob_id) : std::nullopt;
  if (!bytes) throw Error(ErrorCode::kNotFound, "no audio note " + audio_id);
  state_->audit(current(), address(), {"audio_read", "success", note.study_uid, "", audio_id});
  return std::move(*bytes);
}

void Session::delete_audio(const std::string& audio_id) {
  AudioNote note = audio_note(audio_id);
  auto p = current();
  if (!may_record(p)) {
    state_->audit(p, address(), {"audio_delete", "denied", note.study_uid, "", audio_id});
    throw Error(ErrorCode::kPermissionDenied, "this profile may not delete audio notes");
  }
  auto removed = state_->reports->delete_audio(audio_id);
  if (!removed) throw Error(ErrorCode::kNotFound, "no audio note " + audio_id);
  state_->blobs->remove(removed->blob_id);
  state_->audit(p, address(), {"audio_delete", "success", note.study_uid, "", audio_id});
}

}  // namespace portal
