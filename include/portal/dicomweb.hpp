// portal/dicomweb.hpp — DICOMweb (PLAT-1): QIDO-RS, WADO-RS and STOW-RS over a Session, with
// std-typed requests and responses so that an HTTP route is parse -> one call -> format.
// Everything goes through the Session given: a study it may not see is Error(kNotFound).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "portal/imaging.hpp"
#include "portal/session.hpp"

namespace portal {

/// Receives a response body chunk by chunk (memory stays bounded).
using ByteSink = std::function<void(const char*, std::size_t)>;
/// Fills `buffer` with up to `size` bytes of a request body; returns how many (0 = end).
using ByteSource = std::function<std::size_t(char* buffer, std::size_t size)>;

/// Query parameters of a request, in order, repeated keys kept ("includefield" may repeat).
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// A response held in memory: its Content-Type and body.
struct DicomWebBody {
  std::string content_type;
  std::string body;
};

/// A response streamed after the access checks are done: the shell sends the status and the
/// Content-Type, then calls write(sink). write() reads each instance through the Session again
/// (audited) and throws like Session::instance_bytes.
struct DicomWebStream {
  std::string content_type;
  std::function<void(const ByteSink&)> write;
};

/// The outcome of a STOW-RS request (PS3.18 10.5): the DICOM JSON response body and the HTTP
/// status it calls for (200 all stored, 202 some failed, 409 none stored).
struct StowResult {
  int http_status = 200;
  std::string json;  ///< application/dicom+json: RetrieveURL, ReferencedSOPSequence, FailedSOPSequence
  std::vector<IngestResult> files;
};

/// The DICOMweb service of one Session. Cheap; make one per request. Thread-safe like Session.
/// `root` is the public URL of the DICOMweb service without a trailing slash, e.g.
/// "https://portal.example.org/dicom-web"; it prefixes RetrieveURL and BulkDataURI values.
class DicomWeb {
 public:
  DicomWeb(Session session, std::string root);

  // --- QIDO-RS (PS3.18 10.6). Answers application/dicom+json: an array of DICOM JSON objects
  // (PS3.18 F.2) built from the index. Keys (by keyword or tag, e.g. PatientName or 00100010):
  //   PatientName     wildcards * and ?, case- and accent-insensitive; fuzzymatching=true
  //                   matches a prefix of any word of the name ("mul" finds "Müller^Zoé")
  //   PatientID, AccessionNumber, StudyDescription, ReferringPhysicianName   (wildcards allowed)
  //   StudyDate       YYYYMMDD, or a range A-B, -B, A-
  //   ModalitiesInStudy (studies) / Modality (series), StudyInstanceUID (list separated by
  //   '\' or ','), SeriesInstanceUID, SOPInstanceUID, SeriesNumber, InstanceNumber, SOPClassUID
  //   limit, offset   (limit 0 or absent = 100, at most 1000)
  //   includefield    accepted (all / keywords / tags): every attribute the index knows is
  //                   always returned
  // Unknown keys and malformed values are Error(kInvalidArgument). -------------------------
  /// GET {root}/studies
  std::string search_studies(const QueryParams& params) const;
  /// GET {root}/studies/{study}/series (`study_uid` given) or {root}/series (empty: every
  /// visible study matching the study-level keys).
  std::string search_series(const std::string& study_uid, const QueryParams& params) const;
  /// GET {root}/studies/{study}/series/{series}/instances, {root}/studies/{study}/instances,
  /// {root}/instances.
  std::string search_instances(const std::string& study_uid, const std::string& series_uid,
                               const QueryParams& params) const;

  // --- WADO-RS (PS3.18 10.4) ----------------------------------------------------------------
  /// GET {root}/studies/{study}[/series/{series}[/instances/{sop}]]: the instances as stored,
  /// multipart/related; type="application/dicom", each part with its transfer-syntax.
  /// `accept` is the request's Accept header (may be empty); anything other than
  /// application/dicom (any transfer syntax, or the stored one) is Error(kUnsupported).
  DicomWebStream retrieve(const std::string& study_uid, const std::string& series_uid = {},
                          const std::string& sop_uid = {}, const std::string& accept = {}) const;
  /// GET .../metadata at the same three levels: application/dicom+json read from the stored
  /// files; Pixel Data is replaced by a BulkDataURI ({instance}/bulkdata/7fe00010).
  std::string metadata(const std::string& study_uid, const std::string& series_uid = {},
                       const std::string& sop_uid = {}) const;
  /// GET {instance}/bulkdata/{tag}: the value of a top-level bulk data element (Pixel Data:
  /// the native bytes, or every frame as stored for encapsulated data) as
  /// multipart/related; type="application/octet-stream". kNotFound for another tag.
  DicomWebBody bulkdata(const std::string& study_uid, const std::string& series_uid,
                        const std::string& sop_uid, const std::string& tag) const;
  /// GET {instance}/frames/{list}: `frame_list` is "1" or "1,3,5" (1-based). `accept` chooses
  /// the transfer (absent, */*, application/octet-stream with transfer-syntax
  /// 1.2.840.10008.1.2.1: explicit VR little endian uncompressed; transfer-syntax=* or the
  /// stored syntax's media type: as stored; image/jpeg (1.2.840.10008.1.2.4.50): lossy JPEG
  /// baseline of `quality`). Answers multipart/related, one part per frame. kUnsupported
  /// when no offered transfer can be produced; kInvalidArgument for a bad frame list.
  DicomWebBody frames(const std::string& study_uid, const std::string& series_uid,
                      const std::string& sop_uid, const std::string& frame_list,
                      const std::string& accept = {}, int quality = 90) const;
  /// GET {instance}/rendered and {instance}/frames/{n}/rendered (`frame` 1-based, 0 = first):
  /// image/jpeg (default) or image/png when `accept` prefers it. Params: window=center,width
  /// [,function], quality, viewport=width,height.
  DicomWebBody rendered(const std::string& study_uid, const std::string& series_uid,
                        const std::string& sop_uid, int frame, const QueryParams& params,
                        const std::string& accept = {}) const;
  /// GET {study}/thumbnail, {series}/thumbnail, {instance}/thumbnail: image/jpeg of the
  /// instance (or the middle instance of the series / first series with pixels) fitting
  /// viewport=w,h (default 128x128).
  DicomWebBody thumbnail(const std::string& study_uid, const std::string& series_uid,
                         const std::string& sop_uid, const QueryParams& params) const;

  // --- STOW-RS (PS3.18 10.5) ----------------------------------------------------------------
  /// POST {root}/studies[/{study}]: `content_type` is the request's (multipart/related with a
  /// boundary; type application/dicom). The body is read from `body` chunk by chunk; each part
  /// is held alone in memory (bounded by Options::max_file_bytes) and goes through
  /// Session::ingest_bytes. With `study_uid`, parts of other studies fail. Needs the upload
  /// right (kPermissionDenied); kInvalidArgument for a body that is not multipart.
  StowResult store(const std::string& content_type, const ByteSource& body,
                   const std::string& study_uid = {});
  /// The same, reading the body from the file at `path` (e.g. an upload spooled to disk).
  StowResult store_file(const std::string& content_type, const std::string& path,
                        const std::string& study_uid = {});

  // --- Desktop viewer (LIST-7) --------------------------------------------------------------
  /// A weasis:// launch URL opening `study_uid` through this DICOMweb root with a new viewer
  /// token (Session::viewer_token) sent as a bearer header. kNotFound when not visible.
  std::string desktop_viewer_link(const std::string& study_uid);

  const std::string& root() const noexcept { return root_; }
  const Session& session() const noexcept { return session_; }

 private:
  Session session_;
  std::string root_;
};

}  // namespace portal
