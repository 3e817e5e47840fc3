// portal/model.hpp — plain value types returned by the library. No behaviour, no third-party types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace portal {

/// A patient as known to the index. Names are UTF-8, split from the DICOM person name.
struct Patient {
  std::string patient_id;   ///< (0010,0020) as received; may be empty
  std::string family_name;  ///< first component of (0010,0010)
  std::string given_name;   ///< second component of (0010,0010), with middle names appended
  std::string birth_date;   ///< YYYYMMDD or empty
  std::string sex;          ///< M, F, O or empty
};

/// One study, with every field the study list shows (LIST-2).
struct Study {
  std::string uid;                   ///< Study Instance UID
  Patient patient;
  std::string date;                  ///< YYYYMMDD or empty
  std::string time;                  ///< HHMMSS (fraction dropped) or empty
  std::string description;
  std::string accession;
  std::string referring_physician;   ///< UTF-8, DICOM '^' separators replaced by spaces: "Martin Claire"
  std::string performing_physician;  ///< first performing physician seen in the study, same form
  std::string reading_physician;     ///< Name of Physician(s) Reading Study, same form
  std::string institution;           ///< the site
  std::string repository;            ///< where it came from: "upload", "dicom:<AE>", a folder name...
  std::vector<std::string> modalities;  ///< distinct modalities in the study, sorted
  int num_series = 0;
  int num_instances = 0;
  std::int64_t size_bytes = 0;
  std::string received_at;           ///< UTC, ISO 8601, when the first instance arrived
  std::string updated_at;            ///< UTC, ISO 8601, when the last instance arrived
  /// DIF-1: whether a radiologist, the referring physician and the patient have opened the
  /// study or its report (Session::mark_seen).
  bool seen_by_radiologist = false;
  bool seen_by_referring = false;
  bool seen_by_patient = false;
  /// LIST-8: the study has a report this principal may read (Session::report), and its status
  /// ("draft" or "final"; drafts show only to profiles with manage_reports). Empty status and
  /// false when there is none, or when the principal has no "column:report" right.
  bool has_report = false;
  std::string report_status;
};

/// A study shared with one recipient (DIF-5, DIF-6). A share to an address without an account
/// is pending until the invitation sent with it is accepted; it then gives access like a share
/// to a known user. Access stops at once when the share expires or is revoked.
struct Share {
  std::int64_t id = 0;
  std::string study_uid;
  std::string recipient;        ///< the email address, or the login for share_with_user()
  std::string recipient_login;  ///< empty while pending (no account yet)
  std::string shared_by;        ///< login, or "system"
  std::string message;
  std::string created_at;       ///< UTC ISO 8601
  std::string expires_at;       ///< empty = never
  std::string revoked_at;       ///< empty = not revoked
  bool pending = false;         ///< the recipient has not registered yet
  bool active = false;          ///< neither revoked nor expired now
};

/// One series of a study.
struct Series {
  std::string uid;
  std::string study_uid;
  std::string modality;
  int number = 0;
  std::string description;
  std::string body_part;
  int num_instances = 0;
};

/// One stored DICOM instance (file), kept byte-for-byte as received.
struct Instance {
  std::string sop_uid;
  std::string sop_class_uid;
  std::string series_uid;
  std::string study_uid;
  std::string transfer_syntax_uid;
  int number = 0;
  int rows = 0;
  int columns = 0;
  int frames = 0;             ///< 0 when the instance carries no pixel data
  std::int64_t size_bytes = 0;
  std::string sha256;         ///< lower-case hex digest of the stored bytes
  std::string received_at;
};

}  // namespace portal
