// Example: open a data directory, ingest what is given on the command line, list the studies.
// Uses only the public API (include/portal).
#include <iostream>

#include "portal/all.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: example_ingest_and_search DATA_DIR PATH...\n";
    return 2;
  }
  try {
    auto portal = portal::Portal::open(argv[1]);
    auto session = portal->system_session();
    std::vector<std::string> paths(argv + 2, argv + argc);
    portal::IngestReport report = session.ingest(paths);
    for (const auto& f : report.files)
      if (f.status == portal::IngestStatus::kRejected)
        std::cout << "rejected " << f.source << ": " << f.message << "\n";
    std::cout << report.stored << " stored, " << report.duplicates << " duplicates, "
              << report.rejected << " rejected\n";
    portal::StudyPage page = session.find_studies({});
    for (const auto& s : page.studies)
      std::cout << s.date << "  " << s.patient.family_name << ", " << s.patient.given_name << "  "
                << s.description << "  " << s.num_instances << " instance(s)\n";
    std::cout << page.studies.size() << " of " << page.total << " studies\n";
  } catch (const portal::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
