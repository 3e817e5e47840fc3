#include "libportal/auth/secretbox.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <vector>

#include "libportal/common/fs.hpp"
#include "portal/error.hpp"

namespace portal::detail {

std::string load_or_create_key(const std::string& path) {
  if (sodium_init() < 0) throw Error(ErrorCode::kInternal, "libsodium failed to initialise");
  if (std::filesystem::exists(path)) {
    std::string key = read_file(path);
    if (key.size() != crypto_secretbox_KEYBYTES)
      throw Error(ErrorCode::kCorrupt, path + " is not a 32-byte key");
    return key;
  }
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  randombytes_buf(key.data(), key.size());
  write_file_atomic(path, key, true);
  ::chmod(path.c_str(), 0600);
  return key;
}

std::string seal(const std::string& key, const std::string& plain) {
  std::vector<unsigned char> out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plain.size());
  randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                        out.data(), reinterpret_cast<const unsigned char*>(key.data()));
  std::string hex(out.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out.data(), out.size());
  hex.pop_back();
  return hex;
}

std::string unseal(const std::string& key, const std::string& sealed_hex) {
  std::vector<unsigned char> bin(sealed_hex.size() / 2);
  std::size_t len = 0;
  if (sodium_hex2bin(bin.data(), bin.size(), sealed_hex.data(), sealed_hex.size(), nullptr, &len,
                     nullptr) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    throw Error(ErrorCode::kCorrupt, "a sealed message is damaged");
  std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 bin.data() + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, bin.data(),
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0)
    throw Error(ErrorCode::kCorrupt, "a sealed message does not authenticate");
  return plain;
}

}  // namespace portal::detail
