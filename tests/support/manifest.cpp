#include "support/manifest.hpp"

#include <catch2/catch.hpp>
#include <ctime>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace portal::test {

Manifest load_manifest(const std::string& dir) {
  auto j = nlohmann::json::parse(read_file(dir + "/manifest.json"));
  Manifest m;
  m.today = j.at("today").get<std::string>();
  m.num_instances = j.at("num_instances").get<int>();
  for (const auto& s : j.at("studies")) {
    ManifestStudy st;
    st.study_uid = s.at("study_uid");
    st.patient_id = s.at("patient_id");
    st.family_name = s.at("family_name");
    st.given_name = s.at("given_name");
    st.birth_date = s.at("birth_date");
    st.sex = s.at("sex");
    st.study_date = s.at("study_date");
    st.study_time = s.at("study_time");
    st.accession = s.at("accession");
    st.description = s.at("description");
    st.referring = s.value("referring", "");
    st.performing = s.value("performing", "");
    st.reading = s.value("reading", "");
    st.institution = s.at("institution");
    st.modalities = s.at("modalities").get<std::vector<std::string>>();
    st.num_series = s.at("num_series");
    st.num_instances = s.at("num_instances");
    st.days_ago = s.value("days_ago", 0);
    m.studies.push_back(std::move(st));
  }
  return m;
}

std::chrono::system_clock::time_point Manifest::today_noon() const {
  std::tm tm{};
  tm.tm_year = std::stoi(today.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(today.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(today.substr(6, 2));
  tm.tm_hour = 12;
  tm.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&tm));
}

std::string display_name(const std::string& dicom_pn) {
  std::string out;
  std::string part;
  auto flush = [&] {
    if (!part.empty()) out += (out.empty() ? "" : " ") + part;
    part.clear();
  };
  for (char c : dicom_pn.substr(0, dicom_pn.find('='))) {
    if (c == '^') flush();
    else part += c;
  }
  flush();
  return out;
}

}  // namespace portal::test
