#include "libportal/auth/password.hpp"

#include <sodium.h>

// crack.h uses size_t without including its definition.
#include <stddef.h>
// clang-format off
#include <crack.h>
// clang-format on

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>

#include "libportal/common/random.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

PasswordParams floor_params(PasswordParams p) {
  p.memory = std::max<std::uint64_t>(p.memory, 19ull << 20);
  p.passes = std::max<std::uint64_t>(p.passes, 2);
  return p;
}

std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// cracklib keeps global state and is not documented as thread-safe.
std::mutex& crack_mutex() {
  static std::mutex m;
  return m;
}

const char* crack_check(const std::string& pw, const std::string& dictionary) {
  std::lock_guard lock(crack_mutex());
  return FascistCheck(pw.c_str(), dictionary.c_str());
}

}  // namespace

std::string hash_password(const std::string& password, const PasswordParams& params) {
  if (sodium_init() < 0) throw Error(ErrorCode::kInternal, "libsodium failed to initialise");
  auto p = floor_params(params);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), p.passes,
                            static_cast<std::size_t>(p.memory), crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw Error(ErrorCode::kInternal, "password hashing ran out of memory");
  return out;
}

bool verify_password(const std::string& password, const std::string& hash) {
  if (hash.rfind("$argon2id$", 0) != 0) return false;
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void dummy_verify(const PasswordParams& params) {
  static std::mutex m;
  static std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> hashes;
  auto p = floor_params(params);
  std::string hash;
  {
    std::lock_guard lock(m);
    auto& h = hashes[{p.memory, p.passes}];
    if (h.empty()) h = hash_password(random_hex(16), p);
    hash = h;
  }
  (void)verify_password(random_hex(8), hash);
}

void check_password_policy(const std::string& password, int min_length,
                           const std::string& dictionary) {
  if (code_points(password) < static_cast<std::size_t>(std::max(min_length, 1)))
    throw Error(ErrorCode::kInvalidArgument,
                "the password must have at least " + std::to_string(min_length) + " characters");
  if (password.size() > 1024)
    throw Error(ErrorCode::kInvalidArgument, "the password is longer than 1024 bytes");
  if (dictionary.empty()) return;
  if (!std::filesystem::exists(dictionary + ".pwd"))
    throw Error(ErrorCode::kInternal,
                "the password dictionary " + dictionary +
                    " is missing: install Debian's cracklib-runtime or set password.dictionary");
  auto refuse = [](const std::string& why) {
    throw Error(ErrorCode::kInvalidArgument, "the password is too easy to guess: " + why);
  };
  if (const char* why = crack_check(password, dictionary)) refuse(why);
  // cracklib accepts "password1234": also check the core without leading/trailing digits and
  // symbols ("Summer2024!" -> "summer").
  std::size_t b = 0, e = password.size();
  auto is_alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
  while (b < e && !is_alpha(password[b])) ++b;
  while (e > b && !is_alpha(password[e - 1])) --e;
  std::string core = password.substr(b, e - b);
  std::transform(core.begin(), core.end(), core.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (core.size() >= 4 && core.size() < password.size()) {
    const char* why = crack_check(core, dictionary);
    // Short cores are reported as "too short": they are not a reason to refuse.
    if (why && std::string(why).find("short") == std::string::npos) refuse(why);
  }
  if (b == e) {
    // No letter at all: digits and symbols only must not be a trivial sequence.
    if (const char* why = crack_check(password, dictionary)) refuse(why);
  }
}

}  // namespace portal::detail
