// Study search (LIST-3..5): one SQL statement built from the query, parameters always bound.
#include <algorithm>

#include "libportal/common/clock.hpp"
#include "libportal/common/text.hpp"
#include "libportal/store/index_impl.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

// Conditions on the studies table itself (patient ID, accession, visibility...).
struct Where {
  std::string sql;
  std::vector<std::string> params;
  void add(const std::string& cond) { sql += sql.empty() ? " WHERE " : " AND "; sql += cond; }
};

// A posting list: the rows of study_terms or study_modalities matching one filter, each carrying
// the study's date and time (see the schema comment on study_terms), so lists can be merged in
// date order.
struct Posting {
  std::string table;               ///< study_terms or study_modalities
  std::string key;                 ///< condition with "{a}" standing for the table alias
  std::vector<std::string> params;
  std::string probe;               ///< the same condition as a word range (de-duplication)
  std::vector<std::string> probe_params;
  bool unique = true;              ///< at most one row per study
  bool empty = false;              ///< nothing can match

  static std::string with_alias(std::string text, const std::string& alias) {
    for (std::size_t pos; (pos = text.find("{a}")) != std::string::npos;) text.replace(pos, 3, alias);
    return text;
  }
  std::string cond(const std::string& alias) const { return with_alias(key, alias); }
  std::string probe_cond(const std::string& alias) const { return with_alias(probe, alias); }
};

// A prefix matching more distinct words than this is searched as a range (with de-duplication)
// rather than as a list of exact words.
constexpr int kMaxExpandedTerms = 32;

// Each folded word must be the prefix of one of the study's words of that kind. The prefix is
// first expanded to the distinct words it matches: with one word the posting list is a single
// date-ordered index run, unique per study.
void add_term_postings(Connection& db, std::vector<Posting>& out, const char* kind,
                       const std::string& text) {
  for (const auto& word : split(fold(text), ' ')) {
    if (word.empty()) continue;
    Posting p;
    p.table = "study_terms";
    std::vector<std::string> terms;
    auto& q = db.prepare(
        "SELECT DISTINCT term FROM study_terms WHERE kind = ? AND term >= ? AND term < ? LIMIT " +
        std::to_string(kMaxExpandedTerms + 1));
    q.bind(1, kind);
    q.bind(2, word);
    q.bind(3, prefix_upper_bound(word));
    while (q.executeStep()) terms.push_back(q.getColumn(0).getString());
    q.reset();
    std::string k = std::string("{a}.kind = '") + kind + "'";
    p.probe = k + " AND {a}.term >= ? AND {a}.term < ?";
    p.probe_params = {word, prefix_upper_bound(word)};
    if (terms.empty()) {
      p.empty = true;
      p.key = k + " AND 0";
    } else if (terms.size() == 1) {
      p.key = k + " AND {a}.term = ?";
      p.params = {terms.front()};
    } else if (static_cast<int>(terms.size()) <= kMaxExpandedTerms) {
      p.key = k + " AND {a}.term IN (";
      for (std::size_t i = 0; i < terms.size(); ++i) p.key += i ? ", ?" : "?";
      p.key += ")";
      p.params = terms;
      p.unique = false;
    } else {
      p.key = k + " AND {a}.term >= ? AND {a}.term < ?";
      p.params = {word, prefix_upper_bound(word)};
      p.unique = false;
    }
    out.push_back(std::move(p));
  }
}

void add_date_range(std::string& sql, std::vector<std::string>& params, const std::string& alias,
                    const std::string& from, const std::string& to) {
  if (!from.empty()) {
    sql += " AND " + alias + ".study_date >= ?";
    params.push_back(from);
  }
  if (!to.empty()) {
    sql += " AND " + alias + ".study_date <= ? AND " + alias + ".study_date <> ''";
    params.push_back(to);
  }
}

// The studies matching every posting list, as a query yielding (ref, d, t), unique per study.
// The studies matching every posting list, as a query yielding (ref, d, t), unique per study.
// `order` (" ORDER BY d DESC, t DESC, ref DESC" or ASC) is appended by the caller; with several
// lists it turns the INTERSECT into a merge of index-ordered runs instead of temporary tables.
// `count_sql`/`count_params` are set when counting the matches has a cheaper form.
void matching_studies(std::vector<Posting>& postings, const std::string& from,
                      const std::string& to, std::string& sql, std::vector<std::string>& params,
                      std::string& count_sql, std::vector<std::string>& count_params) {
  auto select = [&](const Posting& p) {
    std::string q = "SELECT x.study_ref AS ref, x.study_date AS d, x.study_time AS t FROM " +
                    p.table + " x WHERE " + p.cond("x");
    params.insert(params.end(), p.params.begin(), p.params.end());
    add_date_range(q, params, "x", from, to);
    return q;
  };
  params.clear();
  if (postings.size() > 1) {
    for (const auto& p : postings) sql += (sql.empty() ? "" : " INTERSECT ") + select(p);
    return;
  }
  const Posting& driver = postings.front();
  sql = select(driver);
  if (driver.unique) return;
  // Counting distinct studies through a temporary index beats one probe per row.
  count_sql = "SELECT COUNT(DISTINCT x.study_ref) FROM " + driver.table + " x WHERE " +
              driver.cond("x");
  count_params = driver.params;
  add_date_range(count_sql, count_params, "x", from, to);
  // Several words of one study may match: keep only its row with the smallest such word.
  sql += " AND NOT EXISTS (SELECT 1 FROM study_terms z INDEXED BY study_terms_by_study"
         " WHERE z.study_ref = x.study_ref AND " + driver.probe_cond("z") + " AND z.term < x.term)";
  params.insert(params.end(), driver.probe_params.begin(), driver.probe_params.end());
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

// LIST-1, LIST-7: the visibility clause. Parameters are text; SQLite applies the integer
// affinity of the compared columns.
std::string study_filter_sql(const StudyFilter& f, std::vector<std::string>& params) {
  std::vector<std::string> ands;
  if (!f.include_disabled) ands.push_back("s.disabled = 0");
  if (!f.study_uid.empty()) {
    ands.push_back("s.uid = ?");
    params.push_back(f.study_uid);
  }
  if (!f.all) {
    std::vector<std::string> ors;
    if (f.patient_ref > 0) {
      ors.push_back("s.patient_ref = ?");
      params.push_back(std::to_string(f.patient_ref));
    }
    if (!f.referring_fold.empty()) {
      // The same name, or the same name followed by more components (middle name, suffix).
      ors.push_back("(s.referring_fold = ? OR substr(s.referring_fold, 1, ?) = ?)");
      params.push_back(f.referring_fold);
      params.push_back(std::to_string(f.referring_fold.size() + 1));
      params.push_back(f.referring_fold + " ");
    }
    if (!f.referring_id.empty()) {
      ors.push_back("s.referring_id = ?");
      params.push_back(f.referring_id);
    }
    if (f.grant_user > 0) {
      ors.push_back(
          "s.id IN (SELECT study_ref FROM study_grants WHERE user_ref = ? AND revoked_at = 0"
          " AND (expires_at = 0 OR expires_at > ?))");
      params.push_back(std::to_string(f.grant_user));
      params.push_back(std::to_string(f.now_ms));
    }
    if (ors.empty()) {
      ands.push_back("0");
    } else {
      std::string any;
      for (std::size_t i = 0; i < ors.size(); ++i) any += (i ? " OR " : "") + ors[i];
      ands.push_back("(" + any + ")");
    }
  }
  std::string out;
  for (std::size_t i = 0; i < ands.size(); ++i) out += (i ? " AND " : "") + ands[i];
  return out;
}

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
  if (!q.patient_id.empty()) {
    w.add("s.patient_id = ?");
    w.params.push_back(trim(q.patient_id));
  }
  if (!q.accession.empty()) {
    w.add("s.accession = ?");
    w.params.push_back(trim(q.accession));
  }
  if (!q.seen.empty()) {
    if (q.seen != "seen" && q.seen != "unseen")
      throw Error(ErrorCode::kInvalidArgument,
                  "the read status is \"seen\" or \"unseen\", not \"" + q.seen.substr(0, 20) +
                      "\"");
    if (ctx.seen_role.empty())
      throw Error(ErrorCode::kInvalidArgument, "this profile has no read status to filter on");
    w.add(std::string(q.seen == "seen" ? "" : "NOT ") +
          "EXISTS(SELECT 1 FROM study_seen z WHERE z.study_ref = s.id AND z.role = ?)");
    w.params.push_back(ctx.seen_role);
  }
  if (!q.report.empty()) {
    // LIST-8. Without draft rights a draft is no report at all.
    const std::string& r = q.report;
    if (r != "yes" && r != "no" && r != "draft" && r != "final")
      throw Error(ErrorCode::kInvalidArgument, "the report filter is \"yes\", \"no\", \"draft\" or "
                                               "\"final\", not \"" + r.substr(0, 20) + "\"");
    if (r == "draft" && !ctx.report_drafts)
      throw Error(ErrorCode::kPermissionDenied, "draft reports need the manage_reports right");
    std::string which = r == "draft"  ? " AND r.status = 'draft'"
                        : r == "final" || !ctx.report_drafts ? " AND r.status = 'final'"
                                                             : "";
    w.add(std::string(r == "no" ? "NOT " : "") +
          "EXISTS(SELECT 1 FROM study_reports r WHERE r.study_ref = s.id" + which + ")");
  }
  {
    std::vector<std::string> vis_params;
    std::string vis = study_filter_sql(ctx.filter, vis_params);
    if (!vis.empty()) {
      w.add(vis);
      w.params.insert(w.params.end(), vis_params.begin(), vis_params.end());
    }
  }

  StudyPage page;
  int max_limit = std::max(ctx.max_limit, 1);
  page.limit = std::clamp(q.limit == 0 ? ctx.default_limit : q.limit, 1, max_limit);
  page.offset = q.offset;
  return guard_sql([&] {
    auto lease = impl_->read();
    // One read transaction: the count and the page see the same snapshot even while an
    // ingest commits between them.
    struct ReadTxn {
      Connection& c;
      explicit ReadTxn(Connection& conn) : c(conn) { c.db.exec("BEGIN"); }
      ~ReadTxn() {
        try {
          for (auto& [sql, stmt] : c.cache) stmt->reset();  // a pending statement blocks COMMIT
          c.db.exec("COMMIT");
        } catch (...) {
          try {
            c.db.exec("ROLLBACK");
          } catch (...) {
          }
        }
      }
    } txn(*lease);
    std::vector<Posting> postings;
    add_term_postings(*lease, postings, "f", q.last_name);
    add_term_postings(*lease, postings, "g", q.first_name);
    add_term_postings(*lease, postings, "r", q.referring);
    add_term_postings(*lease, postings, "p", q.performing);
    add_term_postings(*lease, postings, "s", q.site);
    if (!q.modality.empty()) {
      std::string mod = q.modality;
      std::transform(mod.begin(), mod.end(), mod.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      Posting p;
      p.table = "study_modalities";
      p.key = p.probe = "{a}.modality = ?";
      p.params = p.probe_params = {mod};
      postings.push_back(std::move(p));
    }
    for (const auto& p : postings)
      if (p.empty) return page;  // a word no study has: nothing matches

    std::string matches, fast_count;
    std::vector<std::string> match_params, fast_count_params;
    if (!postings.empty())
      matching_studies(postings, from, to, matches, match_params, fast_count, fast_count_params);
    const char* dir = q.sort.descending ? " DESC" : " ASC";
    std::string order = std::string(" ORDER BY d") + dir + ", t" + dir + ", ref" + dir;
    // Fast path: only posting-list filters and the usual date order. Count and order the
    // matches from the covering indexes, then read the wide rows of the returned page only.
    bool fast = !postings.empty() && w.sql.empty() && q.sort.key == SortKey::kDate;
    if (!fast) {
      if (!from.empty()) {
        w.add("s.study_date >= ?");
        w.params.push_back(from);
      }
      if (!to.empty()) {
        w.add("s.study_date <= ? AND s.study_date <> ''");
        w.params.push_back(to);
      }
      if (!matches.empty()) {
        w.add("s.id IN (SELECT ref FROM (" + matches + order + "))");
        w.params.insert(w.params.end(), match_params.begin(), match_params.end());
      }
    }
    auto bind = [](SQLite::Statement& st, const std::vector<std::string>& params) {
      int i = 1;
      for (const auto& p : params) st.bind(i++, p);
      return i;
    };
    std::string count_sql, page_sql;
    const std::vector<std::string>& params = fast ? match_params : w.params;
    const std::vector<std::string>* count_params = &params;
    if (fast) {
      count_sql = "SELECT COUNT(*) FROM (" + matches + order + ")";
      if (!fast_count.empty()) {
        count_sql = fast_count;
        count_params = &fast_count_params;
      }
      page_sql = std::string("SELECT ") + kStudyColumns + " FROM (" + matches + order +
                 " LIMIT ? OFFSET ?) k" +
                 " JOIN studies s ON s.id = k.ref JOIN patients p ON p.id = s.patient_ref" +
                 std::string(" ORDER BY k.d") + dir + ", k.t" + dir + ", k.ref" + dir;
    } else {
      count_sql = "SELECT COUNT(*) FROM studies s" + w.sql;
      page_sql = std::string("SELECT ") + kStudyColumns +
                 " FROM studies s JOIN patients p ON p.id = s.patient_ref" + w.sql +
                 order_by(q.sort) + " LIMIT ? OFFSET ?";
    }
    {
      auto& c = lease->prepare(count_sql);
      bind(c, *count_params);
      c.executeStep();
      page.total = c.getColumn(0).getInt64();
      c.reset();
    }
    if (page.total > page.offset) {
      auto& s = lease->prepare(page_sql);
      int i = bind(s, params);
      s.bind(i++, page.limit);
      s.bind(i++, page.offset);
      while (s.executeStep()) page.studies.push_back(study_from_row(s));
      s.reset();
    }
    return page;
  });
}

}  // namespace portal::detail
