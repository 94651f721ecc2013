//! Configuration: files mounted from ConfigMaps (plain `env` entries are a
//! map on [`super::ServiceFile`]).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFiles {
    /// Suffix of the ConfigMap name (`<service>-<name>`).
    pub name: Spanned<String>,
    /// Directory the files are mounted in.
    pub mount: String,
    pub files: BTreeMap<String, String>,
}
