#include "cli/checkpoint_cmd.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "config/duration.h"
#include "slatedb/admin.h"
#include "slatedb/object_store.h"

namespace slatedb::cli {

namespace {

int Fail(const Status& s) {
  std::cerr << "error: " << s.ToString() << "\n";
  return 1;
}

// RFC 3339 UTC with whole seconds, as chrono's DateTime<Utc> serializes in slatedb-cli.
std::string Rfc3339(uint32_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::optional<std::chrono::milliseconds>> Lifetime(const std::optional<std::string>& text) {
  if (!text) return std::optional<std::chrono::milliseconds>();
  auto d = config::ParseDuration(*text);
  if (!d.ok()) return d.status().WithContext("--lifetime");
  return std::optional<std::chrono::milliseconds>(*d);
}

}  // namespace

CheckpointCommands::CheckpointCommands(CLI::App& app) {
  create_ = app.add_subcommand("create-checkpoint",
                               "create a checkpoint of the latest manifest (slatedb-cli)");
  create_->add_option("-l,--lifetime", lifetime_,
                      "expire after this long (e.g. 1h); default never");
  create_->add_option("-s,--source", source_, "pin the manifest of this existing checkpoint id");
  create_->add_option("-n,--name", name_, "a name to list it by");
  list_ = app.add_subcommand("list-checkpoints", "print the checkpoints as JSON (slatedb-cli)");
  list_->add_option("-n,--name", name_, "only checkpoints with this name");
  refresh_ = app.add_subcommand("refresh-checkpoint",
                                "set a checkpoint's expiry to now + lifetime (slatedb-cli)");
  refresh_->add_option("-i,--id", id_, "checkpoint id")->required();
  refresh_->add_option("-l,--lifetime", lifetime_, "new lifetime; default: never expires");
  delete_ = app.add_subcommand("delete-checkpoint", "delete a checkpoint (slatedb-cli)");
  delete_->add_option("-i,--id", id_, "checkpoint id")->required();
}

bool CheckpointCommands::parsed() const {
  return create_->parsed() || list_->parsed() || refresh_->parsed() || delete_->parsed();
}

int CheckpointCommands::Run(const std::string& url, const std::string& path) {
  auto lifetime = Lifetime(lifetime_);
  if (!lifetime.ok()) return Fail(lifetime.status());
  auto store = OpenObjectStore(url);
  if (!store.ok()) return Fail(store.status());
  auto admin = Admin::Open(path, *store);
  if (!admin.ok()) {
    if (admin.status().code() == StatusCode::kInvalid &&
        admin.status().message().starts_with("no database at")) {
      // The wording of the other reading commands.
      return Fail(Status::Invalid("no database at '" + path + "' in " + url));
    }
    return Fail(admin.status());
  }

  if (create_->parsed()) {
    CheckpointOptions options;
    options.lifetime = *lifetime;
    options.source = source_;
    options.name = name_;
    auto r = (*admin)->CreateDetachedCheckpoint(options);
    if (!r.ok()) return Fail(r.status());
    std::cout << "CheckpointCreateResult { id: " << r->id << ", manifest_id: " << r->manifest_id
              << " }\n";
    return 0;
  }
  if (list_->parsed()) {
    auto list = (*admin)->ListCheckpoints(name_);
    if (!list.ok()) return Fail(list.status());
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const CheckpointInfo& c : *list) {
      nlohmann::ordered_json j;
      j["id"] = c.id;
      j["manifest_id"] = c.manifest_id;
      j["expire_time"] = c.expire_time_s ? nlohmann::ordered_json(Rfc3339(*c.expire_time_s))
                                         : nlohmann::ordered_json(nullptr);
      j["create_time"] = Rfc3339(c.create_time_s);
      j["name"] = c.name ? nlohmann::ordered_json(*c.name) : nlohmann::ordered_json(nullptr);
      out.push_back(std::move(j));
    }
    std::cout << out.dump() << "\n";
    return 0;
  }
  Status st = refresh_->parsed() ? (*admin)->RefreshCheckpoint(id_, *lifetime)
                                 : (*admin)->DeleteCheckpoint(id_);
  if (!st.ok()) return Fail(st);
  std::cout << "()\n";
  return 0;
}

}  // namespace slatedb::cli
