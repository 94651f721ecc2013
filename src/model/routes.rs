//! Routes: publishing a service's ports through the platform's gateway.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    pub name: String,
    pub namespace: String,
    /// Listener of the gateway routes attach to, if it has several.
    pub section: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Left of the platform domain; empty for the domain itself.
    pub host: Spanned<String>,
    pub port: Spanned<String>,
    #[serde(default = "root_path")]
    pub path: String,
    /// Environment variable (in the ConfigMap) that receives the public URL.
    pub env: Option<String>,
}

fn root_path() -> String {
    "/".to_string()
}
