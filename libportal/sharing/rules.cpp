#include "libportal/sharing/rules.hpp"

#include "libportal/common/text.hpp"

namespace portal::detail {
namespace {
std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

bool rule_applies(const NotifyRule& rule, const std::string& trigger, const Study& study) {
  if (rule.trigger != trigger) return false;
  if (!rule.sites.empty()) {
    std::string site = fold(study.institution);
    bool ok = false;
    for (const auto& s : rule.sites) ok = ok || (!site.empty() && fold(s) == site);
    if (!ok) return false;
  }
  if (!rule.modalities.empty()) {
    bool ok = false;
    for (const auto& want : rule.modalities)
      for (const auto& have : study.modalities) ok = ok || upper(trim(want)) == upper(have);
    if (!ok) return false;
  }
  return true;
}

std::vector<const NotifyRule*> applicable_rules(const std::vector<NotifyRule>& rules,
                                                const std::string& trigger, const Study& study) {
  std::vector<const NotifyRule*> out;
  for (const auto& r : rules)
    if (rule_applies(r, trigger, study)) out.push_back(&r);
  return out;
}

}  // namespace portal::detail
