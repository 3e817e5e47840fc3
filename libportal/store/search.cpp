// Study search (LIST-3..5): one SQL statement built from the query, parameters always bound.
#include <algorithm>

#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/store/index_impl.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

struct Where {
  std::string sql;
  std::vector<std::string> params;
  void add(const std::string& cond) { sql += sql.empty() ? " WHERE " : " AND "; sql += cond; }
};

// Each folded word must be the prefix of one of the study's terms of that kind.
void add_term_filter(Where& w, const char* kind, const std::string& text) {
  for (const auto& word : split(fold(text), ' ')) {
    if (word.empty()) continue;
    w.add(std::string("s.id IN (SELECT study_ref FROM study_terms WHERE kind = '") + kind +
          "' AND term >= ? AND term < ?)");
    w.params.push_back(word);
    w.params.push_back(prefix_upper_bound(word));
  }
}

std::string order_by(const Sort& sort) {
  const char* dir = sort.descending ? " DESC" : " ASC";
  std::vector<std::string> cols;
  switch (sort.key) {
    case SortKey::kDate: cols = {"s.study_date", "s.study_time"}; break;
    case SortKey::kPatientName: cols = {"s.family_fold", "s.given_fold"}; break;
    case SortKey::kPatientId: cols = {"s.patient_id"}; break;
    case SortKey::kBirthDate: cols = {"s.birth_date"}; break;
    case SortKey::kAccession: cols = {"s.accession"}; break;
    case SortKey::kDescription: cols = {"s.description"}; break;
    case SortKey::kModality: cols = {"s.modalities"}; break;
    case SortKey::kSite: cols = {"s.institution_fold"}; break;
    case SortKey::kReferring: cols = {"s.referring_fold"}; break;
    case SortKey::kPerforming: cols = {"s.performing_fold"}; break;
    case SortKey::kReceived: cols = {"s.received_at"}; break;
  }
  cols.push_back("s.id");
  std::string out = " ORDER BY ";
  for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? ", " : "") + cols[i] + dir;
  return out;
}

void check_date(const std::string& d, const char* what) {
  if (!d.empty() && !is_valid_date(d))
    throw Error(ErrorCode::kInvalidArgument,
                std::string(what) + " must be a date as YYYYMMDD, not \"" + d.substr(0, 20) + "\"");
}

}  // namespace

StudyPage Index::search(const StudyQuery& q, const SearchContext& ctx) {
  check_date(q.date_from, "date_from");
  check_date(q.date_to, "date_to");
  if (q.limit < 0) throw Error(ErrorCode::kInvalidArgument, "limit must not be negative");
  if (q.offset < 0) throw Error(ErrorCode::kInvalidArgument, "offset must not be negative");

  std::string from, to;
  switch (q.period) {
    case Period::kAll: from = q.date_from; to = q.date_to; break;
    case Period::kToday: from = to = ctx.today; break;
    case Period::kYesterday: from = to = ctx.yesterday; break;
    case Period::kLast7Days: from = ctx.days_ago_6; to = ctx.today; break;
    case Period::kLast30Days: from = ctx.days_ago_29; to = ctx.today; break;
    case Period::kCustom:
      if (q.date_from.empty() && q.date_to.empty())
        throw Error(ErrorCode::kInvalidArgument, "a custom period needs date_from or date_to");
      from = q.date_from;
      to = q.date_to;
      break;
  }
  if (!from.empty() && !to.empty() && from > to)
    throw Error(ErrorCode::kInvalidArgument, "date_from " + from + " is after date_to " + to);

  Where w;
  if (!from.empty()) {
    w.add("s.study_date >= ?");
    w.params.push_back(from);
  }
  if (!to.empty()) {
    w.add("s.study_date <= ? AND s.study_date <> ''");
    w.params.push_back(to);
  }
  add_term_filter(w, "f", q.last_name);
  add_term_filter(w, "g", q.first_name);
  add_term_filter(w, "r", q.referring);
  add_term_filter(w, "p", q.performing);
  add_term_filter(w, "s", q.site);
  if (!q.modality.empty()) {
    std::string mod = q.modality;
    std::transform(mod.begin(), mod.end(), mod.begin(), [](unsigned char c) { return std::toupper(c); });
    std::string cond = "s.id IN (SELECT study_ref FROM study_modalities WHERE modality = ?";
    w.params.push_back(mod);
    if (!from.empty()) {
      cond += " AND study_date >= ?";
      w.params.push_back(from);
    }
    if (!to.empty()) {
      cond += " AND study_date <= ?";
      w.params.push_back(to);
    }
    w.add(cond + ")");
  }
  if (!q.patient_id.empty()) {
    w.add("s.patient_id = ?");
    w.params.push_back(trim(q.patient_id));
  }
  if (!q.accession.empty()) {
    w.add("s.accession = ?");
    w.params.push_back(trim(q.accession));
  }

  StudyPage page;
  int max_limit = std::max(ctx.max_limit, 1);
  page.limit = std::clamp(q.limit == 0 ? ctx.default_limit : q.limit, 1, max_limit);
  page.offset = q.offset;
  return guard_sql([&] {
    auto lease = impl_->read();
    auto bind_all = [&](SQLite::Statement& st) {
      int i = 1;
      for (const auto& p : w.params) st.bind(i++, p);
      return i;
    };
    {
      auto& c = lease->prepare("SELECT COUNT(*) FROM studies s" + w.sql);
      bind_all(c);
      c.executeStep();
      page.total = c.getColumn(0).getInt64();
      c.reset();
    }
    if (page.total > page.offset) {
      auto& s = lease->prepare(std::string("SELECT ") + kStudyColumns +
                               " FROM studies s JOIN patients p ON p.id = s.patient_ref" + w.sql +
                               order_by(q.sort) + " LIMIT ? OFFSET ?");
      int i = bind_all(s);
      s.bind(i++, page.limit);
      s.bind(i++, page.offset);
      while (s.executeStep()) page.studies.push_back(study_from_row(s));
      s.reset();
    }
    return page;
  });
}

}  // namespace portal::detail
