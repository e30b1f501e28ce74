#include "bfc/Load/Record.h"

#include <algorithm>
#include <cstring>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bfc/Load/Bpf.h"
#include "bfc/Load/Error.h"

namespace bfc::load {

using nlohmann::json;

namespace {

constexpr uint32_t kRecordMagic = 0x4d434642; // "BFCM"
constexpr uint32_t kRecordVersion = 1;
constexpr uint32_t kChunkSize = 4096;

/// Entry 0 of the map; the JSON text follows in entries 1..n.
struct RecordHeader {
  uint32_t magic;
  uint32_t version;
  uint64_t length;
};

} // namespace

object::HookOptionsInfo AttachSpec::options() const {
  object::HookOptionsInfo options;
  options.ifindex = ifindex;
  options.cgpath = cgpath;
  options.priorities = priorities;
  return options;
}

std::string serializeRecord(const ChainRecord &record) {
  json document;
  document["record_version"] = kRecordVersion;
  document["host_slot_values"] = record.hostSlotValues;
  if (record.attach) {
    json attach = json::object();
    if (record.attach->ifindex)
      attach["ifindex"] = *record.attach->ifindex;
    if (record.attach->cgpath)
      attach["cgpath"] = *record.attach->cgpath;
    if (record.attach->priorities)
      attach["priorities"] = {record.attach->priorities->first,
                              record.attach->priorities->second};
    if (record.attach->activePriority)
      attach["active_priority"] = *record.attach->activePriority;
    if (record.attach->netnsCookie)
      attach["netns_cookie"] = *record.attach->netnsCookie;
    document["attach"] = attach;
  } else {
    document["attach"] = nullptr;
  }
  document["object"] = record.objectName;
  document["loaded_at"] = record.loadedAt;
  // The metadata's text goes in as it is: parsing it back into `document`
  // only to print it again costs more than the rest of a large load.
  std::string text = document.dump();
  text.insert(text.size() - 1,
              ",\"metadata\":" + object::serializeMetadata(record.metadata));
  return text;
}

ChainRecord parseRecord(const std::string &text) {
  try {
    json document = json::parse(text);
    if (document.at("record_version").get<uint32_t>() != kRecordVersion)
      throw LoadError("the chain was pinned by an incompatible bfload");
    ChainRecord record;
    record.metadata = object::parseMetadataDocument(document.at("metadata"));
    if (record.metadata.chains.size() != 1)
      throw LoadError("a chain record holds exactly one chain");
    record.hostSlotValues =
        document.at("host_slot_values").get<std::vector<uint32_t>>();
    const json &attach = document.at("attach");
    if (!attach.is_null()) {
      AttachSpec spec;
      if (attach.contains("ifindex"))
        spec.ifindex = attach["ifindex"].get<uint32_t>();
      if (attach.contains("cgpath"))
        spec.cgpath = attach["cgpath"].get<std::string>();
      if (attach.contains("priorities"))
        spec.priorities = {attach["priorities"].at(0).get<int32_t>(),
                           attach["priorities"].at(1).get<int32_t>()};
      if (attach.contains("active_priority"))
        spec.activePriority = attach["active_priority"].get<int32_t>();
      if (attach.contains("netns_cookie"))
        spec.netnsCookie = attach["netns_cookie"].get<uint64_t>();
      record.attach = spec;
    }
    record.objectName = document.at("object").get<std::string>();
    record.loadedAt = document.at("loaded_at").get<std::string>();
    return record;
  } catch (const json::exception &e) {
    throw LoadError(fmt::format("corrupt chain record: {}", e.what()));
  } catch (const object::ObjectError &e) {
    throw LoadError(fmt::format("corrupt chain record: {}", e.what()));
  }
}

Fd createRecordMap(const ChainRecord &record) {
  std::string text = serializeRecord(record);
  uint32_t chunks = (text.size() + kChunkSize - 1) / kChunkSize;
  Fd map = bpf::createArrayMap("bfc_meta", kChunkSize, chunks + 1);
  std::vector<uint8_t> value(kChunkSize, 0);
  RecordHeader header = {kRecordMagic, kRecordVersion, text.size()};
  std::memcpy(value.data(), &header, sizeof(header));
  uint32_t key = 0;
  bpf::updateElem(map.get(), &key, value.data());
  for (uint32_t i = 0; i < chunks; ++i) {
    std::fill(value.begin(), value.end(), 0);
    size_t offset = size_t(i) * kChunkSize;
    size_t length = std::min<size_t>(kChunkSize, text.size() - offset);
    std::memcpy(value.data(), text.data() + offset, length);
    key = i + 1;
    bpf::updateElem(map.get(), &key, value.data());
  }
  // Nothing may change a record once pinned: a change makes a new chain
  // directory with a new record.
  bpf::freezeMap(map.get());
  return map;
}

ChainRecord readRecordMap(int mapFd) {
  bpf::MapInfo info = bpf::mapInfo(mapFd);
  if (info.valueSize != kChunkSize || info.keySize != sizeof(uint32_t) ||
      info.maxEntries == 0)
    throw LoadError("corrupt chain record: unexpected map layout");
  std::vector<uint8_t> value(kChunkSize);
  uint32_t key = 0;
  if (!bpf::lookupElem(mapFd, &key, value.data()))
    throw LoadError("corrupt chain record: no header");
  RecordHeader header;
  std::memcpy(&header, value.data(), sizeof(header));
  if (header.magic != kRecordMagic)
    throw LoadError("corrupt chain record: bad magic");
  if (header.length > uint64_t(info.maxEntries - 1) * kChunkSize)
    throw LoadError("corrupt chain record: bad length");
  std::string text;
  text.reserve(header.length);
  for (key = 1; text.size() < header.length; ++key) {
    if (!bpf::lookupElem(mapFd, &key, value.data()))
      throw LoadError("corrupt chain record: missing chunk");
    size_t length = std::min<size_t>(kChunkSize, header.length - text.size());
    text.append(reinterpret_cast<const char *>(value.data()), length);
  }
  return parseRecord(text);
}

std::string utcNow() {
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

} // namespace bfc::load
