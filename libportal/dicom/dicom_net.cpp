#include "libportal/dicom/dicom_net.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmnet/dimse.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dulstruc.h>
#include <dcmtk/dcmnet/scu.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "libportal/dicom/dicom_parse.hpp"
#include "portal/error.hpp"

namespace portal::detail {
namespace {

// DCMTK's DUL layer disables Nagle's algorithm only when TCP_NODELAY is set in the
// environment; without it every C-STORE response waits ~40 ms for a delayed ACK.
void disable_nagle_env() {
  static std::once_flag once;
  std::call_once(once, [] { setenv("TCP_NODELAY", "1", 0); });
}

// Seconds a connected peer has to send its association request.
constexpr int kRequestTimeout = 3;

const char* kTransferSyntaxes[] = {
    UID_JPEGProcess1TransferSyntax,          UID_JPEGProcess2_4TransferSyntax,
    UID_JPEGProcess14SV1TransferSyntax,      UID_JPEGProcess14TransferSyntax,
    UID_JPEGLSLosslessTransferSyntax,        UID_JPEGLSLossyTransferSyntax,
    UID_JPEG2000LosslessOnlyTransferSyntax,  UID_JPEG2000TransferSyntax,
    UID_RLELosslessTransferSyntax,           UID_DeflatedExplicitVRLittleEndianTransferSyntax,
    UID_LittleEndianExplicitTransferSyntax,  UID_BigEndianExplicitTransferSyntax,
    UID_LittleEndianImplicitTransferSyntax,
};

std::string trim_ae(const char* s) {
  std::string v(s);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  return v;
}

// The received dataset as a Part 10 file in the transfer syntax it arrived in.
std::string to_part10(DcmDataset* ds, E_TransferSyntax xfer) {
  DcmFileFormat ff(ds, OFFalse);  // takes ownership
  ff.getMetaInfo();
  OFCondition cond = ff.validateMetaInfo(xfer);
  if (cond.bad()) throw Error(ErrorCode::kCorrupt, cond.text());
  std::size_t cap = static_cast<std::size_t>(ff.calcElementLength(xfer, EET_ExplicitLength)) + 4096;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::string buf(cap, '\0');
    DcmOutputBufferStream out(buf.data(), static_cast<offile_off_t>(buf.size()));
    ff.transferInit();
    cond = ff.write(out, xfer, EET_ExplicitLength, nullptr);
    ff.transferEnd();
    if (cond.good()) {
      out.flush();
      void* p = nullptr;
      offile_off_t len = 0;
      out.flushBuffer(p, len);
      buf.resize(static_cast<std::size_t>(len));
      return buf;
    }
    if (cond != EC_StreamNotifyClient) throw Error(ErrorCode::kCorrupt, cond.text());
    cap *= 2;
  }
  throw Error(ErrorCode::kInternal, "could not serialise a received dataset");
}

}  // namespace

struct StoreServer::Impl {
  StoreServerConfig config;
  StoreHandler handler;
  T_ASC_Network* net = nullptr;
  std::thread listener;
  std::atomic<bool> stopping{false};
  std::atomic<bool> started{false};
  mutable std::mutex mutex;
  std::condition_variable idle;
  int active = 0;                 // guarded by mutex
  StoreServerStats counters;      // guarded by mutex
  std::vector<std::thread> done;  // finished threads to join, guarded by mutex
  std::set<std::thread::id> running_ids;
  std::vector<std::thread> workers;  // guarded by mutex

  void listen_loop();
  void serve(T_ASC_Association* assoc, std::string calling);
  bool refuse(T_ASC_Association* assoc, T_ASC_RejectParametersReason reason, bool transient) {
    T_ASC_RejectParameters rej = {
        transient ? ASC_RESULT_REJECTEDTRANSIENT : ASC_RESULT_REJECTEDPERMANENT,
        ASC_SOURCE_SERVICEUSER, reason};
    ASC_rejectAssociation(assoc, &rej);
    ASC_dropAssociation(assoc);
    ASC_destroyAssociation(&assoc);
    std::lock_guard<std::mutex> lock(mutex);
    ++counters.refused;
    return false;
  }
};

StoreServer::StoreServer(StoreServerConfig config, StoreHandler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->handler = std::move(handler);
}

StoreServer::~StoreServer() { stop(); }

bool StoreServer::running() const { return impl_->started && !impl_->stopping; }

StoreServerStats StoreServer::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->counters;
}

int StoreServer::active_associations() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->active;
}

void StoreServer::start() {
  if (impl_->started.exchange(true)) throw Error(ErrorCode::kConflict, "already listening");
  dicom_init();
  disable_nagle_env();
  const auto& c = impl_->config;
  if (c.port <= 0 || c.port > 65535) {
    impl_->started = false;
    throw Error(ErrorCode::kInvalidArgument, "the DICOM port must be 1..65535");
  }
  // Bind ourselves (DCMTK listens on every interface): the configured address only.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Accepted sockets inherit it (Linux), whatever the environment says.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(c.port));
  if (inet_pton(AF_INET, c.host.c_str(), &addr.sin_addr) != 1) {
    ::close(fd);
    impl_->started = false;
    throw Error(ErrorCode::kInvalidArgument, "dicom host must be an IPv4 address: " + c.host);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    int e = errno;
    ::close(fd);
    impl_->started = false;
    throw Error(ErrorCode::kIo, "cannot listen on " + c.host + ":" + std::to_string(c.port) +
                                    ": " + std::strerror(e));
  }
  // DCMTK's acceptor network is made without a port (no socket of its own), then given ours.
  // The network timeout bounds the wait for an A-ASSOCIATE-RQ after a TCP connect, during which
  // the (single) listening thread serves no one: keep it short whatever dicom.timeout_seconds.
  OFCondition cond = ASC_initializeNetwork(NET_ACCEPTOR, 0, std::min(c.timeout_seconds, kRequestTimeout),
                                           &impl_->net);
  if (cond.bad()) {
    ::close(fd);
    impl_->started = false;
    throw Error(ErrorCode::kIo, std::string("cannot start the DICOM network: ") + cond.text());
  }
  auto* key = reinterpret_cast<PRIVATE_NETWORKKEY*>(impl_->net->network);
  if (key->networkSpecific.TCP.listenSocket != DCMNET_INVALID_SOCKET &&
      key->networkSpecific.TCP.listenSocket > 0)
    ::close(key->networkSpecific.TCP.listenSocket);
  key->networkSpecific.TCP.listenSocket = fd;
  key->networkSpecific.TCP.port = c.port;
  impl_->net->acceptorPort = c.port;
  impl_->stopping = false;
  impl_->listener = std::thread([this] { impl_->listen_loop(); });
}

void StoreServer::stop() {
  if (!impl_->started) return;
  impl_->stopping = true;
  if (impl_->listener.joinable()) impl_->listener.join();
  std::vector<std::thread> workers;
  {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    impl_->idle.wait(lock, [&] { return impl_->active == 0; });
    workers.swap(impl_->workers);
  }
  for (auto& t : workers)
    if (t.joinable()) t.join();
  if (impl_->net) ASC_dropNetwork(&impl_->net);
  impl_->net = nullptr;
  impl_->started = false;
}

void StoreServer::Impl::listen_loop() {
  while (!stopping) {
    T_ASC_Association* assoc = nullptr;
    OFCondition cond = ASC_receiveAssociation(net, &assoc, ASC_DEFAULTMAXPDU, nullptr, nullptr,
                                              OFFalse, DUL_NOBLOCK, 1);
    if (cond == DUL_NOASSOCIATIONREQUEST) {
      if (assoc) ASC_destroyAssociation(&assoc);
      continue;
    }
    if (cond.bad()) {
      if (assoc) {
        ASC_dropAssociation(assoc);
        ASC_destroyAssociation(&assoc);
      }
      continue;
    }
    char calling[65] = {}, called[65] = {};
    ASC_getAPTitles(assoc->params, calling, sizeof calling, called, sizeof called, nullptr, 0);
    std::string calling_ae = trim_ae(calling), called_ae = trim_ae(called);
    if (called_ae != config.aet) {
      refuse(assoc, ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED, false);
      continue;
    }
    if (!config.allowed_aets.empty() &&
        std::find(config.allowed_aets.begin(), config.allowed_aets.end(), calling_ae) ==
            config.allowed_aets.end()) {
      refuse(assoc, ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED, false);
      continue;
    }
    bool full;
    {
      std::lock_guard<std::mutex> lock(mutex);
      full = active >= std::max(1, config.max_associations);
    }
    if (full) {
      refuse(assoc, ASC_REASON_SU_NOREASON, true);
      continue;
    }
    const char* echo[] = {UID_VerificationSOPClass};
    cond = ASC_acceptContextsWithPreferredTransferSyntaxes(
        assoc->params, echo, 1, kTransferSyntaxes,
        static_cast<int>(sizeof kTransferSyntaxes / sizeof kTransferSyntaxes[0]));
    if (cond.good())
      cond = ASC_acceptContextsWithPreferredTransferSyntaxes(
          assoc->params, dcmAllStorageSOPClassUIDs, numberOfDcmAllStorageSOPClassUIDs,
          kTransferSyntaxes,
          static_cast<int>(sizeof kTransferSyntaxes / sizeof kTransferSyntaxes[0]));
    if (cond.good()) cond = ASC_acknowledgeAssociation(assoc);
    if (cond.bad()) {
      ASC_dropAssociation(assoc);
      ASC_destroyAssociation(&assoc);
      continue;
    }
    std::lock_guard<std::mutex> lock(mutex);
    ++active;
    ++counters.associations;
    workers.emplace_back([this, assoc, calling_ae] { serve(assoc, calling_ae); });
  }
}

namespace {

struct StoreCallbackData {
  StoreServer::Impl* impl;
  const std::string* calling;
  E_TransferSyntax xfer;
  bool ok = false;
};

void store_callback(void* data, T_DIMSE_StoreProgress* progress, T_DIMSE_C_StoreRQ*, char*,
                    DcmDataset** dataset, T_DIMSE_C_StoreRSP* response, DcmDataset**) {
  if (progress->state != DIMSE_StoreEnd) return;
  auto* d = static_cast<StoreCallbackData*>(data);
  if (!dataset || !*dataset || response->DimseStatus != STATUS_Success) {
    response->DimseStatus = kStatusCannotUnderstand;
    return;
  }
  std::uint16_t status = kStatusCannotUnderstand;
  try {
    DcmDataset* ds = *dataset;
    *dataset = nullptr;  // to_part10 owns it now
    std::string file = to_part10(ds, d->xfer);
    status = d->impl->handler(*d->calling, file);
  } catch (const std::exception&) {
    status = kStatusCannotUnderstand;
  }
  response->DimseStatus = status;
  d->ok = status == kStatusSuccess || (status & 0xF000) == 0xB000;
}

}  // namespace

void StoreServer::Impl::serve(T_ASC_Association* assoc, std::string calling) {
  int idle_seconds = 0;
  for (;;) {
    T_DIMSE_Message msg;
    T_ASC_PresentationContextID pid = 0;
    OFCondition cond = DIMSE_receiveCommand(assoc, DIMSE_NONBLOCKING, 1, &pid, &msg, nullptr);
    if (cond == DIMSE_NODATAAVAILABLE) {
      if (stopping || ++idle_seconds >= config.timeout_seconds) {
        ASC_abortAssociation(assoc);
        break;
      }
      continue;
    }
    idle_seconds = 0;
    if (cond == DUL_PEERREQUESTEDRELEASE) {
      ASC_acknowledgeRelease(assoc);
      break;
    }
    if (cond.bad()) {
      ASC_abortAssociation(assoc);
      break;
    }
    if (msg.CommandField == DIMSE_C_ECHO_RQ) {
      cond = DIMSE_sendEchoResponse(assoc, pid, &msg.msg.CEchoRQ, STATUS_Success, nullptr);
      std::lock_guard<std::mutex> lock(mutex);
      ++counters.echoes;
    } else if (msg.CommandField == DIMSE_C_STORE_RQ) {
      T_ASC_PresentationContext pc;
      ASC_findAcceptedPresentationContext(assoc->params, pid, &pc);
      StoreCallbackData data{this, &calling, DcmXfer(pc.acceptedTransferSyntax).getXfer()};
      DcmDataset* ds = nullptr;
      cond = DIMSE_storeProvider(assoc, pid, &msg.msg.CStoreRQ, nullptr, OFFalse, &ds,
                                 store_callback, &data, DIMSE_NONBLOCKING,
                                 config.timeout_seconds);
      delete ds;
      std::lock_guard<std::mutex> lock(mutex);
      ++(data.ok ? counters.stores : counters.store_failures);
    } else {
      ASC_abortAssociation(assoc);
      break;
    }
    if (cond.bad()) {
      ASC_abortAssociation(assoc);
      break;
    }
  }
  ASC_dropSCPAssociation(assoc);
  ASC_destroyAssociation(&assoc);
  std::lock_guard<std::mutex> lock(mutex);
  --active;
  idle.notify_all();
}

// ---- SCU ---------------------------------------------------------------------------------------

namespace {

struct Scu {
  DcmSCU scu;
  explicit Scu(const StoreTarget& t) {
    scu.setAETitle(t.calling_aet.c_str());
    scu.setPeerHostName(t.host.c_str());
    scu.setPeerPort(static_cast<Uint16>(t.port));
    scu.setPeerAETitle(t.called_aet.c_str());
    scu.setACSETimeout(static_cast<Uint32>(t.timeout_seconds));
    scu.setDIMSETimeout(static_cast<Uint32>(t.timeout_seconds));
    scu.setDIMSEBlockingMode(DIMSE_BLOCKING);
    scu.setConnectionTimeout(t.timeout_seconds);
  }
  void connect(const StoreTarget& t) {
    OFCondition c = scu.initNetwork();
    if (c.good()) c = scu.negotiateAssociation();
    if (c.bad())
      throw Error(ErrorCode::kIo, "cannot associate with " + t.called_aet + " at " + t.host + ":" +
                                      std::to_string(t.port) + ": " + c.text());
  }
};

const OFList<OFString> uncompressed() {
  OFList<OFString> l;
  l.push_back(UID_LittleEndianExplicitTransferSyntax);
  l.push_back(UID_LittleEndianImplicitTransferSyntax);
  return l;
}

}  // namespace

std::vector<StoreOutcome> store_scu(const StoreTarget& target,
                                    const std::vector<OutgoingInstance>& instances,
                                    const std::function<std::string(const std::string&)>& read) {
  dicom_init();
  disable_nagle_env();
  Scu s(target);
  std::set<std::pair<std::string, std::string>> proposed;
  std::set<std::string> classes;
  for (const auto& i : instances) {
    if (proposed.size() + classes.size() >= 120) break;  // 128 contexts at most
    if (proposed.insert({i.sop_class_uid, i.transfer_syntax_uid}).second) {
      OFList<OFString> one;
      one.push_back(i.transfer_syntax_uid.c_str());
      s.scu.addPresentationContext(i.sop_class_uid.c_str(), one);
    }
    if (classes.insert(i.sop_class_uid).second)
      s.scu.addPresentationContext(i.sop_class_uid.c_str(), uncompressed());
  }
  s.connect(target);
  std::vector<StoreOutcome> out;
  for (const auto& i : instances) {
    StoreOutcome o;
    o.sop_uid = i.sop_uid;
    try {
      std::string bytes = read(i.sop_uid);
      DcmInputBufferStream in;
      in.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
      in.setEos();
      DcmFileFormat ff;
      ff.transferInit();
      OFCondition c = ff.read(in, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
      ff.transferEnd();
      if (c.bad()) throw Error(ErrorCode::kCorrupt, c.text());
      DcmDataset* ds = ff.getDataset();
      T_ASC_PresentationContextID pid =
          s.scu.findPresentationContextID(i.sop_class_uid.c_str(), i.transfer_syntax_uid.c_str());
      if (pid == 0) {
        pid = s.scu.findPresentationContextID(i.sop_class_uid.c_str(),
                                              UID_LittleEndianExplicitTransferSyntax);
        if (pid == 0)
          pid = s.scu.findPresentationContextID(i.sop_class_uid.c_str(),
                                                UID_LittleEndianImplicitTransferSyntax);
        if (pid == 0) throw Error(ErrorCode::kUnsupported, "the node does not accept this SOP class");
        c = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
        if (c.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit))
          throw Error(ErrorCode::kUnsupported,
                      "the node refuses the stored transfer syntax and it cannot be decompressed");
      }
      Uint16 status = 0;
      c = s.scu.sendSTORERequest(pid, "", ds, status);
      if (c.bad()) throw Error(ErrorCode::kIo, c.text());
      o.status = status;
      o.ok = status == 0 || (status & 0xF000) == 0xB000;
      if (!o.ok) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "%04X", status);
        o.message = std::string("refused with status 0x") + hex;
      }
    } catch (const Error& e) {
      o.ok = false;
      o.message = e.what();
      if (e.code() == ErrorCode::kIo) {
        out.push_back(o);
        break;  // the association is gone
      }
    }
    out.push_back(o);
  }
  if (s.scu.isConnected()) s.scu.releaseAssociation();
  return out;
}

bool echo_scu(const StoreTarget& target) {
  dicom_init();
  disable_nagle_env();
  Scu s(target);
  OFList<OFString> ts;
  ts.push_back(UID_LittleEndianImplicitTransferSyntax);
  s.scu.addPresentationContext(UID_VerificationSOPClass, ts);
  s.connect(target);
  bool ok = s.scu.sendECHORequest(0).good();
  s.scu.releaseAssociation();
  return ok;
}

}  // namespace portal::detail
