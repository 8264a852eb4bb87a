#include "cli/clone_cmd.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "slatedb/admin.h"
#include "slatedb/object_store.h"

namespace slatedb::cli {

CloneCommands::CloneCommands(CLI::App& app) {
  create_ = app.add_subcommand("create-clone",
                               "make --path a shallow clone of --parent-path (prints JSON)");
  create_->add_option("--parent-path", parent_path_, "the database to clone (same store)")
      ->required();
  create_->add_option("--checkpoint", checkpoint_,
                      "clone the parent at this checkpoint id; default: a new checkpoint");
}

bool CloneCommands::parsed() const { return create_->parsed(); }

int CloneCommands::Run(const std::string& url, const std::string& path) {
  auto store = OpenObjectStore(url);
  if (!store.ok()) {
    std::cerr << "error: " << store.status().ToString() << "\n";
    return 1;
  }
  Components components;
  components.object_store = *store;
  auto r = Admin::CreateClone(path, parent_path_, checkpoint_, components);
  if (!r.ok()) {
    std::cerr << "error: " << r.status().ToString() << "\n";
    return 1;
  }
  nlohmann::ordered_json j;
  j["path"] = r->path;
  j["parent_path"] = r->parent_path;
  j["source_checkpoint_id"] = r->source_checkpoint_id;
  j["final_checkpoint_id"] = r->final_checkpoint_id;
  j["source_manifest_id"] = r->source_manifest_id;
  j["manifest_id"] = r->manifest_id;
  j["wal_ssts_copied"] = r->wal_ssts_copied;
  std::cout << j.dump() << "\n";
  return 0;
}

}  // namespace slatedb::cli
