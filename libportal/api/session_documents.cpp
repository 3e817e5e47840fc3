// ING-3 and ING-4: files added to a study, and studies made from plain images. Everything ends
// in Session::ingest_bytes, so the integrity check and durability are those of every ingest.
#include <cstring>

#include "libportal/api/state.hpp"
#include "libportal/api/thumbnail_cache.hpp"
#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/dicom/dicom_parse.hpp"
#include "libportal/dicom/dicomize.hpp"
#include "libportal/render/decode_image.hpp"
#include "portal/accounts.hpp"
#include "portal/error.hpp"
#include "portal/session.hpp"

namespace portal {

namespace {

bool is_pdf(const std::string& b) { return b.size() >= 5 && std::memcmp(b.data(), "%PDF-", 5) == 0; }

bool is_dicom(const std::string& b) {
  return b.size() >= 132 && std::memcmp(b.data() + 128, "DICM", 4) == 0;
}

IngestResult rejected(const NamedFile& f, ErrorCode code, const std::string& message) {
  IngestResult r;
  r.source = f.name;
  r.status = IngestStatus::kRejected;
  r.error = code;
  r.message = message;
  r.size_bytes = static_cast<std::int64_t>(f.bytes.size());
  return r;
}

std::string title_of(const std::string& name) {
  auto slash = name.find_last_of("/\\");
  std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

}  // namespace

std::vector<IngestResult> Session::add_files(const std::string& study_uid,
                                             const std::vector<NamedFile>& files) {
  const Study s = study(study_uid);  // kNotFound when not visible
  if (!has_right(std::string(kRightUpload)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not upload");
  detail::DicomizeContext ctx;
  ctx.study_uid = s.uid;
  ctx.patient_id = s.patient.patient_id;
  ctx.patient_name = s.patient.family_name + "^" + s.patient.given_name;
  ctx.birth_date = s.patient.birth_date;
  ctx.sex = s.patient.sex;
  ctx.study_date = s.date;
  ctx.study_time = s.time;
  ctx.study_description = s.description;
  ctx.accession = s.accession;
  ctx.referring = s.referring_physician;
  ctx.institution = s.institution;
  // One new series for the images of this call, one for its documents.
  const std::string image_series = detail::new_dicom_uid();
  const std::string document_series = detail::new_dicom_uid();
  IngestOptions opts;
  opts.repository = "upload";
  // A DICOM file (an SR too) is ingested data; what the portal makes from a PDF or an image is
  // an uploaded document, never the study's report.
  IngestOptions doc_opts = opts;
  doc_opts.recognise_reports = false;
  const auto who = current();
  std::vector<IngestResult> results;
  auto record = [&](const NamedFile& f) {
    const IngestResult& r = results.back();
    if (r.status == IngestStatus::kStored)
      state_->reports->add_document(r.sop_uid, f.name, who.login, state_->now_ms());
  };
  int number = 0;
  for (const auto& f : files) {
    try {
      ++number;
      if (is_dicom(f.bytes)) {
        auto meta = detail::parse_dicom(f.bytes.data(), f.bytes.size());
        if (meta.study_uid != study_uid) {
          results.push_back(rejected(f, ErrorCode::kConflict,
                                     "this DICOM file belongs to another study (" +
                                         meta.study_uid + ")"));
          continue;
        }
        results.push_back(ingest_bytes(f.name, f.bytes, opts));
      } else if (is_pdf(f.bytes)) {
        detail::DicomizeContext doc = ctx;
        doc.series_uid = document_series;
        doc.series_number = 9002;
        doc.instance_number = number;
        doc.series_description = "Documents";
        results.push_back(ingest_bytes(
            f.name, detail::make_encapsulated_pdf(doc, f.bytes, title_of(f.name)), doc_opts));
        record(f);
      } else if (detail::sniff_image(f.bytes) != detail::ImageKind::kNone) {
        auto img = detail::decode_image(f.bytes, state_->options.imaging.max_dimension);
        detail::DicomizeContext sc = ctx;
        sc.series_uid = image_series;
        sc.series_number = 9001;
        sc.instance_number = number;
        sc.series_description = "Uploaded images";
        results.push_back(ingest_bytes(
            f.name,
            detail::make_secondary_capture(sc, img.width, img.height, img.channels, img.pixels),
            doc_opts));
        record(f);
      } else {
        results.push_back(rejected(f, ErrorCode::kUnsupported,
                                   "not a DICOM, PDF, PNG or JPEG file"));
      }
      results.back().source = f.name;
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kUnauthenticated || e.code() == ErrorCode::kPermissionDenied)
        throw;
      results.push_back(rejected(f, e.code(), e.what()));
    }
  }
  return results;
}

std::vector<IngestResult> Session::create_study(const NewStudyForm& form,
                                                const std::vector<NamedFile>& images) {
  if (!has_right(std::string(kRightUpload)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not upload");
  std::vector<std::string> problems;
  auto need = [&](const std::string& value, const char* field) {
    if (detail::trim(value).empty()) problems.push_back(std::string(field) + " is required");
  };
  need(form.patient_family_name, "patient last name");
  need(form.patient_id, "patient ID");
  need(form.modality, "modality");
  if (!detail::is_valid_date(form.birth_date))
    problems.push_back("birth date must be a date as YYYYMMDD");
  if (!detail::is_valid_date(form.study_date))
    problems.push_back("study date must be a date as YYYYMMDD");
  if (form.sex != "M" && form.sex != "F" && form.sex != "O")
    problems.push_back("sex must be M, F or O");
  if (form.modality.size() > 16) problems.push_back("modality is at most 16 characters");
  if (images.empty()) problems.push_back("at least one PNG or JPEG image is required");
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    throw Error(ErrorCode::kInvalidArgument, msg);
  }
  detail::DicomizeContext ctx;
  ctx.study_uid = detail::new_dicom_uid();
  ctx.series_uid = detail::new_dicom_uid();
  ctx.patient_id = detail::trim(form.patient_id);
  ctx.patient_name = detail::trim(form.patient_family_name) + "^" + detail::trim(form.patient_given_name);
  ctx.birth_date = form.birth_date;
  ctx.sex = form.sex;
  ctx.study_date = form.study_date;
  ctx.study_time = "000000";
  ctx.study_description = form.study_description;
  ctx.accession = form.accession;
  ctx.referring = form.referring_physician;
  ctx.modality = form.modality;
  ctx.series_description = "Images";
  ctx.series_number = 1;
  IngestOptions opts;
  opts.repository = "upload";
  opts.recognise_reports = false;
  const auto who = current();
  std::vector<IngestResult> results;
  int number = 0;
  for (const auto& f : images) {
    try {
      auto img = detail::decode_image(f.bytes, state_->options.imaging.max_dimension);
      detail::DicomizeContext sc = ctx;
      sc.instance_number = ++number;
      results.push_back(ingest_bytes(
          f.name, detail::make_secondary_capture(sc, img.width, img.height, img.channels, img.pixels),
          opts));
      results.back().source = f.name;
      if (results.back().status == IngestStatus::kStored)
        state_->reports->add_document(results.back().sop_uid, f.name, who.login, state_->now_ms());
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kUnauthenticated || e.code() == ErrorCode::kPermissionDenied)
        throw;
      results.push_back(rejected(f, e.code(), e.what()));
    }
  }
  return results;
}

}  // namespace portal

namespace portal {

std::vector<UploadedDocument> Session::documents(const std::string& study_uid) const {
  require_study(study_uid);
  std::vector<UploadedDocument> out;
  for (const auto& d : state_->reports->documents(study_uid)) {
    UploadedDocument u;
    u.sop_uid = d.sop_uid;
    u.study_uid = d.study_uid;
    u.name = d.name;
    u.uploaded_by = d.uploaded_by;
    u.uploaded_at = detail::iso8601_utc(
        std::chrono::system_clock::time_point(std::chrono::milliseconds(d.uploaded_at)));
    out.push_back(std::move(u));
  }
  return out;
}

void Session::delete_document(const std::string& sop_uid) {
  auto p = current();
  auto study_uid = state_->accounts->instance_study(sop_uid);
  if (!study_uid || !state_->index->study(*study_uid, detail::study_filter(p, state_->now_ms()))) {
    state_->audit(p, address(), {"document_delete", "not_found", "", "", sop_uid});
    throw Error(ErrorCode::kNotFound, "no instance " + sop_uid);
  }
  if (!detail::has_right(p, std::string(kRightDeleteDocuments))) {
    state_->audit(p, address(), {"document_delete", "denied", *study_uid, "", sop_uid});
    throw Error(ErrorCode::kPermissionDenied, "this profile may not delete documents");
  }
  auto doc = state_->reports->document(sop_uid);
  if (!doc) {
    state_->audit(p, address(), {"document_delete", "refused", *study_uid, "", sop_uid});
    throw Error(ErrorCode::kConflict, "instance " + sop_uid +
                                          " was not uploaded through the portal; ingested "
                                          "originals are never deleted");
  }
  auto loc = state_->index->instance_location(sop_uid);
  // When this is the study's last instance the study goes too, with its report and notes:
  // their files are removed after the index says so.
  std::vector<std::string> blobs = {doc->blob_id};
  auto st = state_->index->study(*study_uid);
  if (st && st->num_instances <= 1) {
    if (auto r = state_->reports->report(*study_uid); r && !r->blob_id.empty())
      blobs.push_back(r->blob_id);
    for (const auto& a : state_->reports->audio_notes(*study_uid)) blobs.push_back(a.blob_id);
  }
  // The index first (instance, its document row, the aggregates: one transaction), then the
  // files: a crash in between leaves only orphans that fsck --repair removes.
  state_->index->drop_instance(sop_uid);
  for (const auto& id : blobs) state_->blobs->remove(id);
  if (loc) detail::drop_cached_thumbnails(*state_, loc->sha256);
  state_->audit(p, address(), {"document_delete", "success", *study_uid, "", sop_uid});
}

}  // namespace portal
