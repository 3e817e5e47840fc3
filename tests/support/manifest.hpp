// The generated studies' manifest (tests/data/gen_studies.py) as C++ values.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace portal::test {

struct ManifestStudy {
  std::string study_uid, patient_id, family_name, given_name, birth_date, sex;
  std::string study_date, study_time, accession, description, referring, performing, reading;
  std::string institution;
  std::vector<std::string> modalities;
  int num_series = 0, num_instances = 0, days_ago = 0;
};

struct Manifest {
  std::string today;  ///< YYYYMMDD the relative dates were computed from
  std::vector<ManifestStudy> studies;
  int num_instances = 0;
  /// Noon, local time, on `today`: a clock for period filters.
  std::chrono::system_clock::time_point today_noon() const;
};

Manifest load_manifest(const std::string& dir);

/// "Martin^Claire" -> "Martin Claire", the form the library shows names in.
std::string display_name(const std::string& dicom_pn);

}  // namespace portal::test
