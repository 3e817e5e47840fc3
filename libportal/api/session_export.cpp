// Study exports (LIST-7, VIEW-6): a zip of the DICOM files with a DICOMDIR, or of JPEG frames.
#include <filesystem>

#include <fmt/format.h>

#include "libportal/api/state.hpp"
#include "libportal/common/fs.hpp"
#include "libportal/common/random.hpp"
#include "libportal/dicom/dicomdir.hpp"
#include "libportal/export/zip_writer.hpp"
#include "libportal/render/pdf_summary.hpp"
#include "portal/accounts.hpp"
#include "portal/error.hpp"
#include "portal/session.hpp"

namespace portal {

ExportFormat parse_export_format(std::string_view text) {
  if (text == "dicom") return ExportFormat::kDicomZip;
  if (text == "jpeg" || text == "jpg") return ExportFormat::kJpegZip;
  if (text == "pdf") return ExportFormat::kPdf;
  throw Error(ErrorCode::kInvalidArgument,
              "unknown export format \"" + std::string(text.substr(0, 20)) + "\" (dicom, jpeg, pdf)");
}

namespace {

// A scratch folder removed whatever happens.
struct ScratchDir {
  std::string path;
  explicit ScratchDir(const std::string& root) : path(root + "/export-" + detail::random_hex(8)) {
    detail::make_dirs(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

void Session::export_study(const std::string& study_uid, ExportFormat format,
                           const std::function<void(const char*, std::size_t)>& sink) {
  study(study_uid);  // kNotFound when not visible
  if (!has_right(std::string(kRightExport)))
    throw Error(ErrorCode::kPermissionDenied, "this profile may not export studies");
  auto p = current();
  const std::vector<Instance> list = instances(study_uid);
  const char* what = format == ExportFormat::kDicomZip ? "dicom"
                     : format == ExportFormat::kJpegZip ? "jpeg"
                                                        : "pdf";
  if (format == ExportFormat::kPdf) {
    write_summary(study_uid, list, sink);
    state_->audit(p, address(), {"study_export", "success", study_uid, "", what});
    return;
  }
  detail::ZipWriter zip(sink);
  if (format == ExportFormat::kDicomZip) {
    // DCMTK builds the DICOMDIR from files on disk: stage the file set in scratch space, one
    // instance at a time, then stream it into the archive.
    ScratchDir dir(state_->data_dir + "/tmp");
    std::vector<std::string> names;
    std::string series;
    int s = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i].series_uid != series) {
        series = list[i].series_uid;
        ++s;
      }
      auto loc = state_->index->instance_location(list[i].sop_uid);
      if (!loc) continue;  // deleted meanwhile
      std::string rel = fmt::format("DICOM/S{:04}/I{:07}", s, i + 1);
      detail::make_dirs(dir.path + "/" + rel.substr(0, rel.rfind('/')));
      std::string full = dir.path + "/" + rel;
      std::FILE* f = std::fopen(full.c_str(), "wb");
      if (!f) throw Error(ErrorCode::kIo, "cannot write " + full);
      bool ok = state_->blobs->read_chunks(loc->blob_id, [&](const char* d, std::size_t n) {
        if (std::fwrite(d, 1, n, f) != n) throw Error(ErrorCode::kIo, "cannot write " + full);
      });
      std::fclose(f);
      if (!ok) throw Error(ErrorCode::kCorrupt, "the file of instance " + list[i].sop_uid + " is missing");
      names.push_back(rel);
    }
    detail::write_dicomdir(dir.path, names);
    zip.add_file("DICOMDIR", dir.path + "/DICOMDIR");
    for (const auto& n : names) zip.add_file(n, dir.path + "/" + n);
  } else {
    int s = 0;
    std::string series;
    for (const Instance& in : list) {
      if (in.series_uid != series) {
        series = in.series_uid;
        ++s;
      }
      if (in.frames <= 0) continue;  // documents, reports: no pixels
      auto loc = state_->index->instance_location(in.sop_uid);
      auto bytes = loc ? state_->blobs->read(loc->blob_id) : std::nullopt;
      if (!bytes) continue;
      for (int frame = 0; frame < in.frames; ++frame) {
        RenderOptions o;
        o.frame = frame;
        try {
          zip.add(fmt::format("S{:04}_I{:04}_F{:04}.jpg", s, in.number, frame + 1),
                  portal::render(*bytes, o, state_->options.imaging));
        } catch (const Error& e) {
          if (e.code() != ErrorCode::kUnsupported) throw;
          break;  // not an image this portal can render: leave it out
        }
      }
    }
  }
  zip.close();
  state_->audit(p, address(), {"study_export", "success", study_uid, "", what});
}

void Session::write_summary(const std::string& study_uid, const std::vector<Instance>& list,
                            const std::function<void(const char*, std::size_t)>& sink) const {
  const Study st = study(study_uid);
  auto date = [](const std::string& d) {
    return d.size() == 8 ? d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) : d;
  };
  detail::SummaryContent c;
  c.title = "Study summary";
  c.header = {"Patient: " + st.patient.family_name + " " + st.patient.given_name +
                  "    ID: " + st.patient.patient_id + "    Born: " + date(st.patient.birth_date) +
                  "    Sex: " + st.patient.sex,
              "Study: " + st.description + "    " + date(st.date) + "    Accession: " + st.accession,
              "Referring physician: " + st.referring_physician + "    Site: " + st.institution,
              "Series: " + std::to_string(st.num_series) + "    Instances: " +
                  std::to_string(st.num_instances)};
  c.footer = "libportal — study summary, not for diagnosis";
  // LIST-7, VIEW-6: the report as this principal may read it (drafts for report writers only).
  if (auto r = report(study_uid)) {
    std::string head = std::string("Status: ") + std::string(report_status_name(r->status)) +
                       "    Author: " + r->author + "    Updated: " + r->updated_at.substr(0, 16);
    c.report = r->format == ReportFormat::kText
                   ? head + "\n" + r->text
                   : head + "\nThe report is a PDF document (" + std::to_string(r->pdf_size) +
                         " bytes), delivered separately as the report PDF.";
  }
  // One key image per series: its middle instance that renders.
  for (const Series& se : series(study_uid)) {
    std::vector<const Instance*> of;
    for (const auto& in : list)
      if (in.series_uid == se.uid && in.frames > 0) of.push_back(&in);
    for (std::size_t k = 0; k < of.size(); ++k) {
      const Instance* in = of[(of.size() / 2 + k) % of.size()];
      auto loc = state_->index->instance_location(in->sop_uid);
      auto bytes = loc ? state_->blobs->read(loc->blob_id) : std::nullopt;
      if (!bytes) continue;
      RenderOptions o;
      o.format = ImageFormat::kPng;
      o.width = o.height = 512;
      try {
        c.images.push_back({"Series " + std::to_string(se.number) + " — " + se.description +
                                " (" + se.modality + ")",
                            portal::render(*bytes, o, state_->options.imaging)});
        break;
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kUnsupported && e.code() != ErrorCode::kCorrupt) throw;
      }
    }
  }
  detail::write_pdf_summary(c, sink);
}

}  // namespace portal
